import { pingSeries } from "./ping-series"

describe("ping series", () => {
  it("puts lost probes at their place as gaps and skips duplicates", () => {
    const s = pingSeries({
      replies: [
        { sequence: 1, rttMs: 0.5 },
        { sequence: 4, rttMs: 0.9 },
        { sequence: 1, rttMs: 3, duplicate: true },
        { sequence: 2, rttMs: 0.4 },
      ],
      missing: [3],
      errors: [{ sequence: 5, message: "Destination Host Unreachable" }],
    })
    expect(s.points).toEqual([
      { sequence: 1, rtt: 0.5 },
      { sequence: 2, rtt: 0.4 },
      { sequence: 3, rtt: null },
      { sequence: 4, rtt: 0.9 },
      { sequence: 5, rtt: null },
    ])
    expect(s.lost).toEqual([3, 5])
    expect(s.min).toBe(0.4)
    expect(s.max).toBe(0.9)
    // The live summary while ping runs: mean of the replies, lost share of the probes.
    expect(s.avg).toBeCloseTo(0.6, 9)
    expect(s.lossPercent).toBe(40)
  })

  it("is empty before the first reply", () => {
    expect(pingSeries(undefined)).toEqual({
      points: [],
      lost: [],
      min: null,
      max: null,
      avg: null,
      lossPercent: null,
    })
  })
})
