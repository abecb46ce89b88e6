import type { Operation } from "../../../core/models"
import { applyEvents } from "./operations.service"

const op: Operation = {
  id: "x",
  type: "ping",
  target: "127.0.0.1",
  status: "running",
  queues: [],
  createdAt: "2026-01-01T00:00:00Z",
  options: {},
  results: [],
}

describe("live operation events", () => {
  it("adds results as they arrive, replaces a worker's newer one, and follows the status", () => {
    let s = applyEvents(op, [
      { kind: "result", result: { workerId: "a", status: "ok", result: { replies: [] } } },
      { kind: "result", result: { workerId: "b", status: "error", error: "ping: unknown host" } },
    ])
    expect(s.results.map((r) => r.workerId)).toEqual(["a", "b"])
    s = applyEvents(s, [
      {
        kind: "result",
        result: { workerId: "a", status: "ok", result: { replies: [{ sequence: 1, rttMs: 1 }] } },
      },
      { kind: "status", status: "partial" },
    ])
    expect(s.results).toHaveLength(2)
    expect(s.results[0]?.result).toEqual({ replies: [{ sequence: 1, rttMs: 1 }] })
    expect(s.status).toBe("partial")
  })
})
