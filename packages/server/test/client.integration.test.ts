import { readFileSync } from "node:fs"
import { ClientError, createClient, type Client, type OperationEvent } from "@netwark/client"
import { beforeAll, describe, expect, it } from "vitest"
import { OUTPUT } from "../scripts/openapi.js"
import { useServer } from "./support/server.js"

describe("@netwark/client against the whole server on PostgreSQL with a local worker", () => {
  const running = useServer({ localWorker: true })
  let api: Client
  beforeAll(async () => {
    // The base URL ends in /api/v1: the client accepts it as well as the bare origin.
    api = createClient({ baseUrl: running.base })
    for (let i = 0; i < 200 && (await api.listWorkers()).total < 1; i++)
      await new Promise((r) => setTimeout(r, 100))
  })

  it("serves at /api/v1/openapi.json the committed contract the client is generated from", async () => {
    const served: unknown = await (await fetch(`${running.base}/openapi.json`)).json()
    expect(served).toEqual(JSON.parse(readFileSync(OUTPUT, "utf8")))
    const ui = await fetch(`${running.base.replace(/\/api\/v1$/, "")}/api/docs`)
    expect(ui.status).toBe(200)
    expect(ui.headers.get("content-type")).toContain("text/html")
  })

  it("creates an operation, follows its events to the end, and reads it back", async () => {
    const op = await api.createOperation({
      type: "ping",
      target: "127.0.0.1",
      options: { count: 2, interval: 0.2 },
    })
    expect(op).toMatchObject({ type: "ping", target: "127.0.0.1", queues: ["netwark.broadcast"] })
    const events: Array<OperationEvent> = []
    for await (const e of api.operationEvents(op.id)) events.push(e)
    expect(events[0]?.type).toBe("snapshot")
    const result = events.find((e) => e.type === "result")
    expect(result?.type === "result" && result.data).toMatchObject({ status: "ok" })
    expect(events.at(-1)).toMatchObject({ type: "status", data: { id: op.id, status: "done" } })
    const detail = await api.getOperation(op.id)
    expect(detail).toMatchObject({ id: op.id, status: "done", expected: 1, received: 1 })
    expect(detail.results[0]?.raw).toContain("127.0.0.1")
  })

  it("lists operations with filters, workers, queues, health and metrics", async () => {
    const page = await api.listOperations({ type: "ping", status: "done", limit: 10 })
    expect(page.total).toBeGreaterThanOrEqual(1)
    expect(page.items.every((o) => o.type === "ping" && o.status === "done")).toBe(true)
    expect((await api.listOperations({ type: "dns" })).total).toBe(0)
    const workers = await api.listWorkers()
    expect(workers.items[0]?.id).toMatch(/^local-/)
    const queues = await api.listQueues()
    expect(queues.items.map((q) => q.queue)).toContain("netwark.broadcast")
    expect(await api.health()).toMatchObject({ status: "ok" })
    expect(await api.metrics()).toMatch(/^# (HELP|TYPE) /m)
  })

  it("gives ClientErrors naming the field for refused input and unknown ids", async () => {
    const bad = await api
      .createOperation({ type: "ping", target: "127.0.0.1", options: { count: 0 } })
      .catch((e: unknown) => e)
    expect(bad).toBeInstanceOf(ClientError)
    expect(bad).toMatchObject({ status: 400, field: "options.count" })
    const queue = await api
      .createOperation({ type: "ping", target: "127.0.0.1", queues: ["no-such-queue"] })
      .catch((e: unknown) => e)
    expect(queue).toMatchObject({
      status: 400,
      field: "queues.0",
      problem: { reason: "UnknownQueue" },
    })
    const unknown = await api
      .getOperation("00000000-0000-4000-8000-000000000000")
      .catch((e: unknown) => e)
    expect(unknown).toMatchObject({ status: 404 })
    const malformed = await api.getOperation("nope").catch((e: unknown) => e)
    expect(malformed).toMatchObject({ status: 400, field: "id" })
    const events = await (async () => {
      for await (const _ of api.operationEvents("00000000-0000-4000-8000-000000000000")) break
    })().catch((e: unknown) => e)
    expect(events).toMatchObject({ status: 404 })
  })
})
