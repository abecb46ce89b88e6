/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers in tests */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { call, eventually } from "./support/api.js"
import { createDatabase, redacted, start, testConfig, type Running } from "./support/env.js"
import { readEvents } from "./support/sse.js"

describe("operations end to end on PostgreSQL with the in-process transport and a local worker", () => {
  let db: Awaited<ReturnType<typeof createDatabase>>
  let running: Running
  beforeAll(async () => {
    db = await createDatabase()
    running = await start(testConfig({ databaseUrl: redacted(db.url), localWorker: true }))
    await eventually(async () => {
      const r = await call<{ total: number }>("GET", `${running.base}/workers`)
      return r.body.total >= 1 ? true : undefined
    })
  })
  afterAll(async () => {
    await running?.close()
    await db?.drop()
  })

  it("runs a ping to 127.0.0.1: 202 + Location, streamed over SSE, stored with raw output", async () => {
    const created = await call<{ id: string; status: string }>(
      "POST",
      `${running.base}/operations`,
      {
        type: "ping",
        target: "127.0.0.1",
        options: { count: 2, interval: 0.2 },
      },
    )
    expect(created.status).toBe(202)
    expect(created.headers.get("location")).toBe(`/api/v1/operations/${created.body.id}`)
    const events = await readEvents(`${running.base}/operations/${created.body.id}/events`)
    const types = events.map((e) => e.type)
    expect(types[0]).toBe("snapshot")
    expect(types).toContain("result")
    expect(events.at(-1)).toMatchObject({ type: "status", data: { status: "done" } })
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
})
