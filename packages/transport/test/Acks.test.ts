import { describe, expect, it } from "vitest"
import * as Acks from "../src/internal/acks.js"
import type { Disposition } from "../src/internal/port.js"

/** A tracker that has seen deliveries 1..n. */
const delivered = (n: number) => {
  const acks = Acks.make()
  for (let tag = 1; tag <= n; tag++) acks.delivered(tag)
  return acks
}

/**
 * What the broker holds unsettled after the frames: AMQP 0-9-1 semantics, where `multiple`
 * settles every unsettled tag up to and including its tag, and the tag itself must be unsettled.
 */
const broker = (n: number) => {
  const open = new Map<number, Disposition | "open">()
  for (let tag = 1; tag <= n; tag++) open.set(tag, "open")
  return {
    apply: (frames: ReadonlyArray<Acks.Frame>) => {
      for (const frame of frames) {
        if (open.get(frame.tag) !== "open") throw new Error(`unknown delivery tag ${frame.tag}`)
        for (const [tag, state] of open)
          if (state === "open" && (tag === frame.tag || (frame.multiple && tag < frame.tag)))
            open.set(tag, frame.disposition)
      }
    },
    state: (tag: number) => open.get(tag),
  }
}

describe("ack frames (acks.ts)", () => {
  it("settles a run of consecutive acks with one multiple frame", () => {
    const acks = delivered(100)
    for (let tag = 100; tag >= 1; tag--) acks.settle(tag, "ack")
    expect(acks.flush()).toEqual([{ tag: 100, multiple: true, disposition: "ack" }])
    expect(acks.open()).toBe(0)
  })

  it("never covers a running delivery: acks behind it go out one by one, at once", () => {
    const acks = delivered(5)
    const b = broker(5)
    for (const tag of [1, 2, 4, 5]) acks.settle(tag, "ack")
    const frames = acks.flush()
    expect(frames).toEqual([
      { tag: 2, multiple: true, disposition: "ack" },
      { tag: 4, multiple: false, disposition: "ack" },
      { tag: 5, multiple: false, disposition: "ack" },
    ])
    b.apply(frames)
    expect(b.state(3)).toBe("open")
    // when 3 finishes, a run may span the tags already acked one by one
    acks.settle(3, "ack")
    const later = acks.flush()
    expect(later).toEqual([{ tag: 3, multiple: false, disposition: "ack" }])
    b.apply(later)
    expect([1, 2, 3, 4, 5].map(b.state)).toEqual(["ack", "ack", "ack", "ack", "ack"])
  })

  it("writes a requeue or drop on its own, before the ack run that spans it", () => {
    const acks = delivered(6)
    const b = broker(6)
    const outcome: Record<number, Disposition> = {
      1: "ack",
      2: "requeue",
      3: "ack",
      4: "drop",
      5: "ack",
      6: "ack",
    }
    for (let tag = 1; tag <= 6; tag++) acks.settle(tag, outcome[tag]!)
    const frames = acks.flush()
    expect(frames).toEqual([
      { tag: 1, multiple: false, disposition: "ack" },
      { tag: 2, multiple: false, disposition: "requeue" },
      { tag: 3, multiple: false, disposition: "ack" },
      { tag: 4, multiple: false, disposition: "drop" },
      { tag: 6, multiple: true, disposition: "ack" },
    ])
    b.apply(frames)
    for (let tag = 1; tag <= 6; tag++) expect(b.state(tag)).toBe(outcome[tag])
  })

  it("settles each delivery once and ignores tags it never saw", () => {
    const acks = delivered(2)
    expect(acks.settle(1, "ack")).toBe(true)
    expect(acks.settle(1, "requeue")).toBe(false)
    expect(acks.settle(7, "ack")).toBe(false)
    expect(acks.flush()).toEqual([{ tag: 1, multiple: false, disposition: "ack" }])
    expect(acks.settle(1, "ack")).toBe(false)
    expect(acks.flush()).toEqual([])
  })

  it("keeps a gap in the tags open, so no run settles a delivery it never saw", () => {
    const acks = Acks.make()
    const b = broker(4)
    for (const tag of [1, 2, 4]) acks.delivered(tag)
    for (const tag of [1, 2, 4]) acks.settle(tag, "ack")
    const frames = acks.flush()
    b.apply(frames)
    expect([1, 2, 3, 4].map(b.state)).toEqual(["ack", "ack", "open", "ack"])
  })

  it("matches the broker's state over random interleavings", () => {
    let seed = 42
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) as number
    for (let round = 0; round < 200; round++) {
      const n = 1 + Math.floor(random() * 40)
      const acks = Acks.make()
      const b = broker(n)
      const expected = new Map<number, Disposition>()
      let next = 1
      while (expected.size < n) {
        if (next <= n && random() < 0.5) acks.delivered(next++)
        else if (next > 1) {
          const tag = 1 + Math.floor(random() * (next - 1))
          const r = random()
          const disposition: Disposition = r < 0.8 ? "ack" : r < 0.9 ? "requeue" : "drop"
          if (acks.settle(tag, disposition)) expected.set(tag, disposition)
        }
        if (random() < 0.3) b.apply(acks.flush())
      }
      b.apply(acks.flush())
      for (let tag = 1; tag <= n; tag++) expect(b.state(tag)).toBe(expected.get(tag))
      expect(acks.open()).toBe(0)
    }
  })
})
