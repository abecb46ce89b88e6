/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers in tests */
import { beforeAll, describe, expect, it } from "vitest"
import { call, eventually } from "./support/api.js"
import { useServer } from "./support/server.js"
import { readEvents, streamedResults, streamedStatus } from "./support/sse.js"

describe("operations end to end on PostgreSQL with the in-process transport and a local worker", () => {
  const running = useServer({ localWorker: true })
  beforeAll(async () => {
    await eventually(async () => {
      const r = await call<{ total: number }>("GET", `${running.base}/workers`)
      return r.body.total >= 1 ? true : undefined
    })
  })

  it("runs a ping to 127.0.0.1: 202 + Location, streamed over SSE, stored with raw output", async () => {
    const created = await call<{
      id: string
      status: string
      expected: number | null
      createdAt: string
      deadline: string | null
    }>("POST", `${running.base}/operations`, {
      type: "ping",
      target: "127.0.0.1",
      options: { count: 2, interval: 0.2 },
    })
    expect(created.status).toBe(202)
    expect(created.headers.get("location")).toBe(`/api/v1/operations/${created.body.id}`)
    // planned as it was stored: the worker online, and the deadline the ping's own hard timeout
    // (2 replies 0.2 s apart, the default 10 s wait for the last and ping's 5 s margin: 15.2 s)
    // plus the server's 10 s for the trip
    expect(created.body.expected).toBe(1)
    const deadline = Date.parse(created.body.deadline!) - Date.parse(created.body.createdAt)
    expect(deadline).toBeGreaterThan(24_500)
    expect(deadline).toBeLessThan(26_500)
    const events = await readEvents(`${running.base}/operations/${created.body.id}/events`)
    expect(events[0]?.type).toBe("snapshot")
    expect(streamedResults(events)).toHaveLength(1)
    expect(streamedStatus(events)).toBe("done")
    const detail = await call<any>("GET", `${running.base}/operations/${created.body.id}`)
    expect(detail.status).toBe(200)
    expect(detail.body).toMatchObject({
      status: "done",
      expected: 1,
      received: 1,
      type: "ping",
      target: "127.0.0.1",
    })
    const [result] = detail.body.results
    expect(result).toMatchObject({ status: "ok", queue: "netwark.broadcast", attempt: 1 })
    expect(result.workerId).toMatch(/^local-/)
    expect(result.hostname).toBeTypeOf("string")
    expect(result.raw).toContain("127.0.0.1")
    expect(result.result).toBeTypeOf("object")
  })

  it("streams progress events while a ping runs, then its result and final status", async () => {
    const created = await call<any>("POST", `${running.base}/operations`, {
      type: "ping",
      target: "127.0.0.1",
      options: { count: 3, interval: 0.5 },
    })
    const events = await readEvents(`${running.base}/operations/${created.body.id}/events`)
    const types = events.map((e) => e.type)
    const progress = events.filter((e) => e.type === "progress")
    expect(progress.length).toBeGreaterThanOrEqual(1)
    expect(progress[0]?.data).toMatchObject({
      operationId: created.body.id,
      workerId: expect.stringMatching(/^local-/),
    })
    expect(types.indexOf("progress")).toBeLessThan(types.indexOf("result"))
    expect(types.at(-1)).toBe("status")
    expect(streamedStatus(events)).toBe("done")
  })
})
