import type { Operation } from "../../../core/models"
import { hasOutput, withWaiting } from "./waiting"

const op = (over: Partial<Operation>): Operation => ({
  id: "6f0c1f8e-0000-4000-8000-000000000002",
  type: "ping",
  target: "127.0.0.1",
  status: "running",
  queues: ["lab", "netwark.broadcast"],
  createdAt: "2026-01-01T00:00:00Z",
  options: {},
  expectedWorkers: [
    { jobId: "j/lab", queue: "lab", workerId: null, hostname: null },
    { jobId: "j/b1", queue: "netwark.broadcast", workerId: "w2", hostname: "tokyo-1" },
  ],
  results: [],
  ...over,
})

const cards = (o: Operation, final = false) =>
  withWaiting(o, final).map((r) => [r.hostname ?? r.workerId, r.status])

describe("waiting cards", () => {
  it("shows a card per expected worker before anyone answers, a queue job by its queue", () => {
    expect(cards(op({}))).toEqual([
      ["A worker on lab", "waiting"],
      ["tokyo-1", "waiting"],
    ])
    expect(cards(op({ status: "timeout" }), true)).toEqual([
      ["A worker on lab", "no answer"],
      ["tokyo-1", "no answer"],
    ])
  })

  it("a worker the operation did not name, streaming progress, has taken the queue's job", () => {
    const running = op({
      results: [{ workerId: "w1", hostname: "paris-1", status: "running", result: {} }],
    })
    expect(cards(running)).toEqual([
      ["paris-1", "running"],
      ["tokyo-1", "waiting"],
    ])
  })

  it("progress from a named worker does not take the queue's job; a final result takes it by queue", () => {
    const named = op({ results: [{ workerId: "w2", hostname: "tokyo-1", status: "running" }] })
    expect(cards(named)).toEqual([
      ["tokyo-1", "running"],
      ["A worker on lab", "waiting"],
    ])
    const done = op({
      results: [{ workerId: "w1", hostname: "paris-1", queue: "lab", status: "ok" }],
    })
    expect(cards(done)).toEqual([
      ["paris-1", "ok"],
      ["tokyo-1", "waiting"],
    ])
  })

  it("tells a result with output from one with only an error", () => {
    expect(hasOutput("ping", { replies: [], missing: [] })).toBe(false)
    expect(hasOutput("ping", undefined)).toBe(false)
    expect(hasOutput("ping", { replies: [{ sequence: 1, rttMs: 1 }] })).toBe(true)
    expect(hasOutput("ping", { summary: { transmitted: 3, received: 0, lossPercent: 100 } })).toBe(
      true,
    )
    expect(hasOutput("mtr", { hops: [] })).toBe(false)
    expect(hasOutput("traceroute", { hops: [{ hop: 1 }] })).toBe(true)
    expect(hasOutput("dns", { status: "connection-refused", messages: [] })).toBe(true)
  })

  it("says why a queue's job waits when no worker is online there", () => {
    const [lab] = withWaiting(op({}), false, new Set(["lab"]))
    expect(lab?.error).toBe("No worker is online on lab: the job waits for one until the deadline.")
    // Once the operation ended, "no answer" says it all.
    expect(withWaiting(op({ status: "timeout" }), true, new Set(["lab"]))[0]?.error).toBeUndefined()
  })
})
