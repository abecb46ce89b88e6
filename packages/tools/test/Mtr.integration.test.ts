/**
 * Runs the real `mtr` against loopback and hosts in a network namespace this file creates (see
 * support/netns.ts): a reachable host, an address nobody answers for, and a host that drops ICMP
 * echo. Nothing is sent anywhere else; DNS and AS lookups stay off.
 */
import { execFileSync } from "node:child_process"
import { Chunk, Effect, Either, Stream } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as Mtr from "../src/Mtr.js"
import { canUseNetns, createHost, type NetnsHost } from "./support/netns.js"

const has = (bin: string) => {
  try {
    execFileSync("sh", ["-c", 'command -v "$1"', "sh", bin])
    return true
  } catch {
    return false
  }
}
const hasMtr = has("mtr")
const netns = await canUseNetns()
const fast = { cycles: 3, interval: "100 millis", gracePeriod: "300 millis" } as const

describe.skipIf(!hasMtr)(
  `Mtr runner on loopback${hasMtr ? "" : " (skipped: mtr is not installed)"}`,
  () => {
    it("streams hop updates before the final result (127.0.0.1)", async () => {
      const progress = Chunk.toReadonlyArray(
        await Effect.runPromise(Stream.runCollect(Mtr.stream("127.0.0.1", fast))),
      )
      expect(progress.at(-1)?._tag).toBe("Done")
      const hops = progress.filter((p) => p._tag === "Hop")
      expect(hops.length).toBeGreaterThanOrEqual(3)
      // Live updates never show the TTLs mtr probes past the destination.
      expect(hops.every((p) => p._tag === "Hop" && p.hop.hop === 1)).toBe(true)
      const done = progress.at(-1)
      expect(done?._tag === "Done" && done.result).toMatchObject({
        status: "ok",
        format: "raw",
        destination: "127.0.0.1",
        hops: [{ hop: 1, sent: 3, received: 3, lossPercent: 0 }],
      })
    })

    it("traces ::1 over TCP", async () => {
      const r = await Effect.runPromise(Mtr.run("::1", { ...fast, protocol: "tcp", port: 22 }))
      expect(r.hops.map((h) => h.hosts.map((x) => x.address))).toEqual([["::1"]])
    })

    it("stops mtr at the hard deadline with a Timeout error", async () => {
      const started = Date.now()
      const r = await Effect.runPromise(
        Effect.either(
          Mtr.run("127.0.0.1", { cycles: 100, interval: "1 second", timeout: "1 second" }),
        ),
      )
      expect(Either.isLeft(r) && r.left.reason).toBe("Timeout")
      expect(Date.now() - started).toBeLessThan(5000)
    })

    it("kills mtr when the consumer stops early", async () => {
      // A cycle count no other test uses marks this run's process in `ps`.
      const running = () =>
        execFileSync("ps", ["-eo", "args"], { encoding: "utf8" })
          .split("\n")
          .some((l) => l.startsWith("mtr --raw -c 97 "))
      const first = await Effect.runPromise(
        Stream.runHead(Mtr.stream("127.0.0.1", { cycles: 97, interval: "1 second" })),
      )
      expect(first._tag).toBe("Some")
      await new Promise((r) => setTimeout(r, 700))
      expect(running()).toBe(false)
    })
  },
)

describe.skipIf(!hasMtr || !netns.ok)(
  `Mtr runner against network-namespace hosts${netns.ok ? "" : ` (skipped: ${netns.reason})`}`,
  () => {
    let host: NetnsHost
    beforeAll(async () => {
      host = await createHost()
    })
    afterAll(() => host?.destroy())

    it("reaches the namespace host over the veth: one hop, no loss", async () => {
      const r = await Effect.runPromise(Mtr.run(host.hostAddress4, fast))
      expect(r.hops).toHaveLength(1)
      expect(r.hops[0]).toMatchObject({ sent: 3, received: 3, lossPercent: 0 })
      expect(r.hops[0]?.hosts.map((h) => h.address)).toEqual([host.hostAddress4])
    })

    it("reaches it over IPv6 with UDP probes", async () => {
      const r = await Effect.runPromise(Mtr.run(host.hostAddress6, { ...fast, protocol: "udp" }))
      expect(r.hops.at(-1)?.hosts[0]?.address).toBe(host.hostAddress6)
    })

    it("reports an unanswered address as 100 % loss at every TTL, not an error", async () => {
      const r = await Effect.runPromise(Mtr.run(host.unreachable4, { ...fast, maxHops: 3 }))
      expect(r.hops).toHaveLength(3)
      for (const h of r.hops) expect(h).toMatchObject({ hosts: [], received: 0, lossPercent: 100 })
    })

    it("reports a host that drops ICMP echo as 100 % loss", async () => {
      await host.addDropRule()
      try {
        const r = await Effect.runPromise(Mtr.run(host.hostAddress4, { ...fast, maxHops: 2 }))
        expect(r.hops.every((h) => h.lossPercent === 100 && h.hosts.length === 0)).toBe(true)
      } finally {
        await host.removeDropRule()
      }
    })
  },
)
