import { describe, expect, it } from "vitest"
import { ProgressBuffer } from "./progress.buffer.js"

const fill = (buffer: ProgressBuffer<string>, op: string, count: number, now = 0) =>
  Array.from({ length: count }, (_, i) => buffer.append(op, `${op}:${i}`, now))

describe("ProgressBuffer", () => {
  it("gives each operation strictly increasing ids and replays after a Last-Event-ID, in order", () => {
    const buffer = new ProgressBuffer<string>({}, "e1")
    const a = fill(buffer, "a", 3)
    fill(buffer, "b", 2)
    a.push(...fill(buffer, "a", 2))
    expect(a.map((s) => s.id)).toEqual(["e1-1", "e1-2", "e1-3", "e1-6", "e1-7"])
    expect(buffer.after("a").map((s) => s.event)).toEqual(["a:0", "a:1", "a:2", "a:0", "a:1"])
    expect(buffer.after("a", buffer.cursor("e1-3")).map((s) => s.id)).toEqual(["e1-6", "e1-7"])
    expect(buffer.after("a", buffer.cursor("e1-4")).map((s) => s.id)).toEqual(["e1-6", "e1-7"])
    expect(buffer.after("a", buffer.cursor("e1-7"))).toEqual([])
    expect(buffer.after("unknown")).toEqual([])
  })

  it("treats an id of another process, or a malformed one, as no position (replay everything)", () => {
    const buffer = new ProgressBuffer<string>({}, "e1")
    fill(buffer, "a", 2)
    for (const id of ["e0-1", "1", "e1-", "e1-x", "e1-1-2", ""])
      expect(buffer.cursor(id), id).toBeUndefined()
    expect(buffer.after("a", buffer.cursor("other-1"))).toHaveLength(2)
  })

  it("keeps the newest events of an operation over its cap", () => {
    const buffer = new ProgressBuffer<string>({ maxPerOperation: 3 }, "e")
    fill(buffer, "a", 5)
    expect(buffer.after("a").map((s) => s.event)).toEqual(["a:2", "a:3", "a:4"])
    expect(buffer.size).toBe(3)
  })

  it("drops the least recently touched operation over the total cap", () => {
    const buffer = new ProgressBuffer<string>({ maxTotal: 5 }, "e")
    fill(buffer, "a", 2)
    fill(buffer, "b", 2)
    buffer.append("a", "a:late", 0)
    fill(buffer, "c", 2) // 7 > 5: b (touched longest ago) goes
    expect(buffer.after("b")).toEqual([])
    expect(buffer.after("a")).toHaveLength(3)
    expect(buffer.after("c")).toHaveLength(2)
    expect(buffer.size).toBe(5)
    // one operation alone over the total cap keeps its newest
    fill(buffer, "d", 8)
    expect(buffer.operations).toBe(1)
    expect(buffer.after("d").map((s) => s.event)).toEqual(["d:3", "d:4", "d:5", "d:6", "d:7"])
  })

  it("drops an ended operation after the grace period, and a silent one after the idle time", () => {
    const buffer = new ProgressBuffer<string>({ graceMs: 1_000, idleMs: 10_000 }, "e")
    fill(buffer, "ended", 2, 0)
    fill(buffer, "silent", 2, 0)
    fill(buffer, "live", 1, 0)
    buffer.end("ended", 500)
    buffer.prune(1_400)
    expect(buffer.after("ended")).toHaveLength(2) // still within the grace period
    buffer.append("live", "tick", 5_000)
    buffer.prune(1_600)
    expect(buffer.after("ended")).toEqual([])
    buffer.prune(10_000)
    expect(buffer.after("silent")).toEqual([])
    expect(buffer.after("live")).toHaveLength(2)
    expect(buffer.size).toBe(2)
  })
})
