/**
 * Runs the real `traceroute` against loopback and hosts in a network namespace this file creates
 * (see support/netns.ts). Nothing is sent anywhere else; reverse DNS stays off (`-n`).
 */
import { execFileSync } from "node:child_process"
import { Chunk, Effect, Either, Stream } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as Traceroute from "../src/Traceroute.js"
import { canUseNetns, createHost, type NetnsHost } from "./support/netns.js"

const has = (bin: string) => {
  try {
    execFileSync("sh", ["-c", 'command -v "$1"', "sh", bin])
    return true
  } catch {
    return false
  }
}
const hasTraceroute = has("traceroute")
const netns = await canUseNetns()
// ICMP and TCP probes need raw sockets.
const root = process.getuid?.() === 0

describe.skipIf(!hasTraceroute)(
  `Traceroute runner on loopback${hasTraceroute ? "" : " (skipped: traceroute is not installed)"}`,
  () => {
    it("emits the hop line, then the result (127.0.0.1, UDP)", async () => {
      const progress = Chunk.toReadonlyArray(
        await Effect.runPromise(
          Stream.runCollect(Traceroute.stream("127.0.0.1", { wait: "1 second" })),
        ),
      )
      expect(progress.map((p) => p._tag)).toEqual(["Hop", "Done"])
      const done = progress.at(-1)
      expect(done?._tag === "Done" && done.result.reached).toBe(true)
      expect(done?._tag === "Done" && done.result.hops[0]?.responders[0]?.rtts).toHaveLength(3)
    })

    it.skipIf(!root)("ICMP to ::1 and TCP to 127.0.0.1", async () => {
      const icmp = await Effect.runPromise(Traceroute.run("::1", { protocol: "icmp", queries: 2 }))
      expect(icmp.hops[0]?.responders[0]?.address).toBe("::1")
      const tcp = await Effect.runPromise(
        Traceroute.run("127.0.0.1", { protocol: "tcp", port: 22, queries: 1 }),
      )
      expect(tcp.reached).toBe(true)
    })
  },
)

describe.skipIf(!hasTraceroute || !netns.ok)(
  `Traceroute runner against network-namespace hosts${netns.ok ? "" : ` (skipped: ${netns.reason})`}`,
  () => {
    let host: NetnsHost
    beforeAll(async () => {
      host = await createHost()
    })
    afterAll(() => host?.destroy())

    it("reaches the namespace host in one hop (IPv4 and IPv6)", async () => {
      const v4 = await Effect.runPromise(
        Traceroute.run(host.hostAddress4, { queries: 2, wait: "1 second" }),
      )
      expect(v4.reached).toBe(true)
      expect(v4.hops.map((h) => h.responders.map((r) => r.address))).toEqual([[host.hostAddress4]])
      const v6 = await Effect.runPromise(
        Traceroute.run(host.hostAddress6, { queries: 2, wait: "1 second" }),
      )
      expect(v6.reached).toBe(true)
    })

    it("an address nobody answers for gives `*` at every hop, and a hard deadline stops it", async () => {
      const r = await Effect.runPromise(
        Traceroute.run(host.unreachable4, { queries: 1, maxHops: 3, wait: "300 millis" }),
      )
      expect(r.reached).toBe(false)
      expect(r.hops.map((h) => h.timeouts)).toEqual([1, 1, 1])
      const started = Date.now()
      const stopped = await Effect.runPromise(
        Effect.either(
          Traceroute.run(host.unreachable4, {
            queries: 10,
            maxHops: 64,
            wait: "5 seconds",
            timeout: "1 second",
          }),
        ),
      )
      expect(Either.isLeft(stopped) && stopped.left.reason).toBe("Timeout")
      expect(Date.now() - started).toBeLessThan(5000)
    })

    it.skipIf(!root)("a host that drops ICMP echo gives `*` with ICMP probes", async () => {
      await host.addDropRule()
      try {
        const r = await Effect.runPromise(
          Traceroute.run(host.hostAddress4, {
            protocol: "icmp",
            queries: 1,
            maxHops: 2,
            wait: "300 millis",
          }),
        )
        expect(r.reached).toBe(false)
        expect(r.hops.every((h) => h.timeouts === 1)).toBe(true)
      } finally {
        await host.removeDropRule()
      }
    })
  },
)
