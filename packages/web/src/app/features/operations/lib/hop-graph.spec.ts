import type { MtrHop } from "../../../core/models"
import { hopPath, hostLabel, maxHops } from "./hop-graph"

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
})
