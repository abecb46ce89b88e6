import type { MtrHop } from "../../../core/models"
import { hopBars, hopPath, hostLabel, maxHops } from "./hop-graph"

const hop = (n: number, over: Partial<MtrHop> = {}): MtrHop => ({
  hop: n,
  hosts: [{ address: `10.0.0.${n}` }],
  sent: 10,
  received: 10,
  lossPercent: 0,
  last: n,
  avg: n,
  best: n - 0.5,
  worst: n + 0.5,
  stdev: 0.1,
  ...over,
})

describe("hop graph data", () => {
  it("labels hosts by name and address", () => {
    expect(hostLabel({ address: "10.0.0.1", hostname: "gw.lan" })).toBe("gw.lan (10.0.0.1)")
    expect(hostLabel({ address: "10.0.0.1", hostname: "10.0.0.1" })).toBe("10.0.0.1")
    expect(hostLabel({ address: null, hostname: "only.name" })).toBe("only.name")
  })

  it("sorts hops, fills missing TTLs as silent hops and colours loss", () => {
    const path = hopPath("probe-a", {
      hops: [hop(3, { lossPercent: 20 }), hop(1)],
    })
    expect(path.points.map((p) => p.hop)).toEqual([1, 2, 3])
    expect(path.points[1]).toMatchObject({ label: "???", best: null, worst: null, loss: 100 })
    expect(path.points[0]).toMatchObject({
      label: "10.0.0.1",
      best: 0.5,
      avg: 1,
      worst: 1.5,
      colour: "#16a34a",
    })
    expect(path.points[2]?.colour).toBe("#ea580c")
  })

  it("gives a hop with no reply no latency, whatever the parser left in", () => {
    const path = hopPath("p", {
      hops: [
        hop(1, { received: 0, hosts: [], lossPercent: 100, best: null, worst: null, avg: null }),
      ],
    })
    expect(path.points[0]).toMatchObject({
      label: "???",
      best: null,
      avg: null,
      worst: null,
      loss: 100,
    })
  })

  it("lines several paths up on the longest one", () => {
    const a = hopPath("a", { hops: [hop(1), hop(2)] })
    const b = hopPath("b", { hops: [hop(1), hop(2), hop(3), hop(4)] })
    expect(maxHops([a, b])).toBe(4)
    expect(maxHops([])).toBe(0)
  })

  it("draws each bar from best to worst as measured, even at loopback latencies", () => {
    // mtr to 127.0.0.1: best 0.035 ms, worst 0.065 ms; a second hop answered once (best = worst).
    const path = hopPath("vm", {
      hops: [
        hop(1, { best: 0.035, avg: 0.045, worst: 0.065 }),
        hop(2, { best: 0.042, avg: 0.042, worst: 0.042 }),
        hop(4, { received: 0, hosts: [], lossPercent: 100 }),
      ],
    })
    const [bars] = hopBars([path], 4)
    expect(bars?.base).toEqual([0.035, 0.042, null, null])
    // The top of the first bar is the worst latency measured, not best + a fixed 0.05 ms.
    expect((bars?.base[0] ?? 0) + (bars?.span[0] ?? 0)).toBeCloseTo(0.065, 9)
    // A zero-width span gets a sliver (1.5 % of the highest worst) so it stays visible.
    expect(bars?.span[1]).toBeCloseTo(0.065 * 0.015, 9)
    expect(bars?.span.slice(2)).toEqual([null, null])
  })
})
