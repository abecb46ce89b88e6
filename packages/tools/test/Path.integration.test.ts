/**
 * mtr and traceroute over a real two-hop path (us → router namespace → host namespace, see
 * support/router.ts), including the ICMP errors a router sends (`!H`, `!X`). Only our own
 * namespaces receive packets.
 */
import { execFileSync } from "node:child_process"
import { Chunk, Effect, Stream } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as Mtr from "../src/Mtr.js"
import * as Traceroute from "../src/Traceroute.js"
import { canUseNetns } from "./support/netns.js"
import { createTwoHopPath, createTwoRouterPath, type TwoHopPath } from "./support/router.js"

const has = (bin: string) => {
  try {
    execFileSync("sh", ["-c", 'command -v "$1"', "sh", bin])
    return true
  } catch {
    return false
  }
}
const netns = await canUseNetns()
const ready = netns.ok && has("mtr") && has("traceroute")

describe.skipIf(!ready)(
  `mtr and traceroute across a router namespace${ready ? "" : ` (skipped: ${netns.reason || "mtr or traceroute missing"})`}`,
  () => {
    let path: TwoHopPath
    beforeAll(async () => {
      path = await createTwoHopPath()
    })
    afterAll(() => path?.destroy())

    it("traceroute: hop 1 is the router, hop 2 the host, each line streamed as it completes", async () => {
      const progress = Chunk.toReadonlyArray(
        await Effect.runPromise(
          Stream.runCollect(
            Traceroute.stream(path.hostAddress, { queries: 2, maxHops: 4, wait: "1 second" }),
          ),
        ),
      )
      expect(progress.map((p) => p._tag)).toEqual(["Hop", "Hop", "Done"])
      const done = progress.at(-1)
      expect(
        done?._tag === "Done" && done.result.hops.map((h) => h.responders[0]?.address),
      ).toEqual([path.routerAddress, path.hostAddress])
      expect(done?._tag === "Done" && done.result.reached).toBe(true)
    })

    // The kernel rate-limits ICMP errors from unreachable/prohibit routes per peer (one a second,
    // and a new peer starts with no credit), so a `*` is retried after the budget refills.
    const routerAnswer = async (address: string) => {
      for (let attempt = 0; attempt < 4; attempt++) {
        const r = await Effect.runPromise(
          Traceroute.run(address, { queries: 1, maxHops: 1, wait: "1 second" }),
        )
        const p = r.hops[0]?.probes[0]
        if (p?.address != null) return [p.address, p.annotation ?? null]
        await new Promise((done) => setTimeout(done, 600))
      }
      return undefined
    }

    it("traceroute: the router's `unreachable` route shows !H, its `prohibit` route !X", async () => {
      expect(await routerAnswer(path.unreachableAddress)).toEqual([path.routerAddress, "!H"])
      expect(await routerAnswer(path.prohibitedAddress)).toEqual([path.routerAddress, "!X"])
    })

    it("mtr: two hops, router then host, no loss", async () => {
      const r = await Effect.runPromise(
        Mtr.run(path.hostAddress, { cycles: 3, interval: "100 millis", gracePeriod: "300 millis" }),
      )
      expect(r.hops.map((h) => h.hosts.map((x) => x.address))).toEqual([
        [path.routerAddress],
        [path.hostAddress],
      ])
      expect(r.hops.at(-1)).toMatchObject({ sent: 3, received: 3, lossPercent: 0 })
    })
  },
)

describe.skipIf(!ready)(
  `mtr across a path that changes router mid-run${ready ? "" : ` (skipped: ${netns.reason || "mtr missing"})`}`,
  () => {
    it("hop 1 lists both routers, each with its own replies, live and in the result", async () => {
      const path = await createTwoRouterPath()
      try {
        const seen = new Set<string>()
        const run = Effect.runPromise(
          Stream.runCollect(
            Stream.tap(
              Mtr.stream(path.hostAddress, {
                cycles: 8,
                interval: "200 millis",
                gracePeriod: "500 millis",
              }),
              (p) =>
                Effect.sync(() => {
                  if (p._tag === "Hop" && p.hop.hop === 1)
                    for (const h of p.hop.hosts) if (h.address !== null) seen.add(h.address)
                }),
            ),
          ),
        )
        await new Promise((done) => setTimeout(done, 900))
        await path.switchToSecond()
        const progress = Chunk.toReadonlyArray(await run)
        const done = progress.at(-1)
        if (done?._tag !== "Done") throw new Error("no result")
        const hop1 = done.result.hops[0]!
        expect(hop1.hosts.map((h) => h.address)).toEqual([path.firstRouter, path.secondRouter])
        for (const h of hop1.hosts) expect(h.received).toBeGreaterThan(0)
        expect(hop1.hosts.reduce((n, h) => n + h.received, 0)).toBe(hop1.received)
        expect(done.result.hops.at(-1)?.hosts[0]?.address).toBe(path.hostAddress)
        expect([...seen]).toEqual([path.firstRouter, path.secondRouter])
      } finally {
        await path.destroy()
      }
    })
  },
)
