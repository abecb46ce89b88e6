/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers in tests */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
// the transport's tests start a RabbitMQ node of their own the same way
import { privateNode, type PrivateNode } from "../../transport/test/support/rabbit.js"
import { call, eventually } from "./support/api.js"
import {
  type Broker,
  createDatabase,
  namespace,
  redacted,
  start,
  testConfig,
  type Running,
} from "./support/env.js"
import { readEvents, streamedResults, streamedStatus } from "./support/sse.js"
import { startWorkers } from "./support/workers.js"

const ping = { type: "ping", target: "127.0.0.1", options: { count: 1, interval: 0.2, timeout: 1 } }

/** On a RabbitMQ node of this file's own: the last test stops it, which the machine's must not be. */
describe("operations end to end on PostgreSQL and RabbitMQ with 3 workers", () => {
  let db: Awaited<ReturnType<typeof createDatabase>>
  let running: Running
  let workers: { stop: () => Promise<void> }
  const ns = namespace()
  let node: PrivateNode
  let broker: Broker
  const ids = ["w1", "w2", "w3"].map((w) => `${ns}-${w}`)

  beforeAll(async () => {
    db = await createDatabase()
    node = await privateNode()
    broker = { url: node.url, namespace: ns, remove: node.close }
    running = await start(
      testConfig({ databaseUrl: redacted(db.url), brokerUrl: redacted(broker.url), namespace: ns }),
    )
    workers = await startWorkers(broker, ids)
    await eventually(async () => {
      const r = await call<{ total: number }>("GET", `${running.base}/workers`)
      return r.body.total === 3 ? true : undefined
    })
  })
  afterAll(async () => {
    await workers?.stop()
    await running?.close()
    await db?.drop()
    await broker?.remove()
  })

  it("broadcasts a ping to every worker: three results, streamed, stored once each", async () => {
    const created = await call<any>("POST", `${running.base}/operations`, ping)
    expect(created.status).toBe(202)
    const events = await readEvents(`${running.base}/operations/${created.body.id}/events`)
    expect(streamedResults(events)).toHaveLength(3)
    expect(streamedStatus(events)).toBe("done")
    const detail = await call<any>("GET", `${running.base}/operations/${created.body.id}`)
    expect(detail.body).toMatchObject({ status: "done", expected: 3, received: 3 })
    expect(detail.body.results.map((r: any) => r.workerId).sort()).toEqual(ids)
    expect(detail.body.results.map((r: any) => r.hostname).sort()).toEqual(
      ids.map((id) => `host-${id}`),
    )
    expect(detail.body.expectedWorkers.map((w: any) => w.workerId).sort()).toEqual(ids)
    for (const r of detail.body.results) {
      expect(r.status).toBe("ok")
      expect(r.raw).toContain("127.0.0.1")
    }
  })

  it("sends a direct-queue operation to exactly one worker", async () => {
    const created = await call<any>("POST", `${running.base}/operations`, {
      ...ping,
      queues: ["netwark"],
    })
    expect(created.status).toBe(202)
    const detail = await eventually(async () => {
      const r = await call<any>("GET", `${running.base}/operations/${created.body.id}`)
      return r.body.status === "done" ? r.body : undefined
    })
    expect(detail).toMatchObject({ expected: 1, received: 1 })
    expect(ids).toContain(detail.results[0].workerId)
  })

  it("lists queues with the workers online on each, and reports health and metrics", async () => {
    const queues = await call<any>("GET", `${running.base}/management/backend/queues`)
    expect(queues.status).toBe(200)
    const broadcast = queues.body.items.find((q: any) => q.queue === "netwark.broadcast")
    expect(broadcast.broadcast).toBe(true)
    expect(broadcast.workers.map((w: any) => w.id).sort()).toEqual(ids)
    const health = await call<any>("GET", `${running.base}/health`)
    expect(health.body).toMatchObject({
      status: "ok",
      database: { status: "up" },
      broker: { status: "up", kind: "rabbitmq" },
    })
    const metrics = await fetch(`${running.base}/metrics`)
    expect(metrics.headers.get("content-type")).toContain("text/plain")
    const text = await metrics.text()
    expect(text).toMatch(/^netwark_workers_online 3$/m)
    expect(text).toMatch(/^netwark_results_stored_total [1-9]/m)
  })

  it("accepts operations while the broker is stopped and dispatches them all after it is back", async () => {
    const posted: Array<string> = []
    try {
      await node.ctl("stop_app")
      const health = await call<any>("GET", `${running.base}/health`)
      expect(health.status).toBe(503)
      expect(health.body.broker.status).toBe("down")
      for (let i = 0; i < 5; i++) {
        const r = await call<any>("POST", `${running.base}/operations`, {
          ...ping,
          queues: ["netwark"],
        })
        expect(r.status).toBe(202)
        posted.push(r.body.id)
      }
      const pending = await call<any>("GET", `${running.base}/operations?status=pending`)
      expect(pending.body.total).toBe(5)
    } finally {
      await node.ctl("start_app")
    }
    const done = await eventually(
      async () => {
        const all = await Promise.all(
          posted.map((id) => call<any>("GET", `${running.base}/operations/${id}`)),
        )
        return all.every((r) => r.body.status === "done") ? all.map((r) => r.body) : undefined
      },
      60_000,
      250,
    )
    expect(done).toHaveLength(5)
    for (const op of done) expect(op.results).toHaveLength(1)
  }, 120_000)
})
