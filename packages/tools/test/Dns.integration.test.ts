/**
 * Runs the real `dig` against the loopback DNS server in support/dnsServer.ts, always with an
 * explicit `@127.0.0.1 -p <port>`: the machine's default resolver is never asked (it may forward
 * off the machine), and `+trace` runs only inside the test server's own delegation.
 */
import { execFileSync } from "node:child_process"
import { Chunk, Effect, Either, Stream } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as Dns from "../src/Dns.js"
import { startDnsServer, type DnsServer } from "./support/dnsServer.js"

const hasDig = (() => {
  try {
    execFileSync("sh", ["-c", 'command -v "$1"', "sh", "dig"])
    return true
  } catch {
    return false
  }
})()

describe.skipIf(!hasDig)(
  `Dns runner against a loopback DNS server${hasDig ? "" : " (skipped: dig is not installed)"}`,
  () => {
    let server: DnsServer
    const at = () =>
      ({ server: "127.0.0.1", port: server.port, tryTimeout: "1 second", tries: 1 }) as const
    beforeAll(async () => {
      server = await startDnsServer()
    })
    afterAll(() => server?.close())

    it("A over UDP and TCP", async () => {
      const udp = await Effect.runPromise(Dns.run("www.netwark.test", at()))
      expect(udp.status).toBe("NOERROR")
      expect(udp.messages[0]?.answer.map((a) => a.data)).toEqual(["192.0.2.10", "192.0.2.11"])
      expect(udp.messages[0]?.transport).toBe("UDP")
      const tcp = await Effect.runPromise(Dns.run("www.netwark.test", { ...at(), tcp: true }))
      expect(tcp.messages[0]?.transport).toBe("TCP")
    })

    it("MX, SRV and reverse PTR", async () => {
      const mx = await Effect.runPromise(Dns.run("netwark.test", { ...at(), type: "MX" }))
      expect(mx.messages[0]?.answer.map((a) => a.fields)).toContainEqual({
        type: "MX",
        preference: 10,
        exchange: "mail.netwark.test.",
      })
      const srv = await Effect.runPromise(
        Dns.run("_sip._tcp.netwark.test", { ...at(), type: "SRV" }),
      )
      expect(srv.messages[0]?.answer[0]?.fields).toMatchObject({ port: 5060 })
      const ptr = await Effect.runPromise(Dns.run("192.0.2.10", { ...at(), reverse: true }))
      expect(ptr.messages[0]?.answer[0]?.data).toBe("www.netwark.test.")
    })

    it("NXDOMAIN, SERVFAIL and REFUSED are results", async () => {
      const status = async (name: string) => (await Effect.runPromise(Dns.run(name, at()))).status
      expect(await status("nope.netwark.test")).toBe("NXDOMAIN")
      expect(await status("servfail.netwark.test")).toBe("SERVFAIL")
      expect(await status("refused.netwark.test")).toBe("REFUSED")
    })

    it("a server that never answers gives status timeout", async () => {
      const r = await Effect.runPromise(Dns.run("silent.netwark.test", at()))
      expect(r.status).toBe("timeout")
      expect(r.exitCode).toBe(9)
    })

    it("a closed port over TCP gives connection-refused", async () => {
      const r = await Effect.runPromise(
        Dns.run("netwark.test", { ...at(), port: server.port === 9 ? 10 : 9, tcp: true }),
      )
      expect(r.status).toBe("connection-refused")
    })

    it("+trace streams each delegation step as it arrives", async () => {
      const progress = Chunk.toReadonlyArray(
        await Effect.runPromise(
          Stream.runCollect(Dns.stream("www.netwark.test", { ...at(), trace: true })),
        ),
      )
      expect(progress.map((p) => p._tag)).toEqual([
        "TraceStep",
        "TraceStep",
        "TraceStep",
        "TraceStep",
        "Done",
      ])
      const done = progress.at(-1)
      expect(done?._tag === "Done" && done.result.trace.map((s) => s.fromAddress)).toEqual([
        "127.0.0.1",
        "127.0.0.1",
        "127.0.0.2",
        "127.0.0.3",
      ])
    })

    it("the hard deadline stops dig", async () => {
      const r = await Effect.runPromise(
        Effect.either(
          Dns.run("silent.netwark.test", {
            ...at(),
            tryTimeout: "5 seconds",
            tries: 3,
            timeout: "1 second",
          }),
        ),
      )
      expect(Either.isLeft(r) && r.left.reason).toBe("Timeout")
    })
  },
)
