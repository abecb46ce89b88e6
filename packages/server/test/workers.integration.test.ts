/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers in tests */
import { Duration } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { call, eventually } from "./support/api.js"
import {
  type Broker,
  createBroker,
  createDatabase,
  namespace,
  redacted,
  start,
  testConfig,
  type Running,
} from "./support/env.js"
import { startWorkers } from "./support/workers.js"

const ping = { type: "ping", target: "127.0.0.1", options: { count: 1, interval: 0.2, timeout: 1 } }

describe("GET /workers lists workers gone offline, with when they were last seen", () => {
  let db: Awaited<ReturnType<typeof createDatabase>>
  let running: Running
  let stay: { stop: () => Promise<void> } | undefined
  let leave: { stop: () => Promise<void> } | undefined
  const ns = namespace()
  let broker: Broker
  const [stayId, leaveId] = ["stay", "leave"].map((w) => `${ns}-${w}`) as [string, string]
  // Short, so that the test also sees an offline worker forgotten.
  const retention = Duration.seconds(6)

  beforeAll(async () => {
    db = await createDatabase()
    broker = await createBroker(ns)
    running = await start(
      testConfig({
        databaseUrl: redacted(db.url),
        brokerUrl: redacted(broker.url),
        namespace: ns,
        workerRetention: retention,
      }),
    )
    stay = await startWorkers(broker, [stayId])
    leave = await startWorkers(broker, [leaveId])
    await eventually(async () => {
      const r = await call<any>("GET", `${running.base}/workers`)
      return r.body.online === 2 ? true : undefined
    })
  })
  afterAll(async () => {
    await stay?.stop()
    await leave?.stop()
    await running?.close()
    await db?.drop()
    await broker?.remove()
  })

  it("lists online workers with status and lastSeen", async () => {
    const r = await call<any>("GET", `${running.base}/workers`)
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ total: 2, online: 2 })
    for (const w of r.body.items) {
      expect(w.status).toBe("online")
      expect(Math.abs(Date.parse(w.lastSeen) - Date.now())).toBeLessThan(5_000)
    }
  })

  it("keeps a worker that said goodbye as offline, last seen at its goodbye, out of dispatch", async () => {
    const before = Date.now()
    await leave!.stop()
    const after = Date.now()
    const gone = await eventually(async () => {
      const r = await call<any>("GET", `${running.base}/workers`)
      return r.body.items.find((w: any) => w.id === leaveId && w.status === "offline")
        ? r.body
        : undefined
    })
    expect(gone).toMatchObject({ total: 2, online: 1 })
    // Online workers first.
    expect(gone.items.map((w: any) => [w.id, w.status])).toEqual([
      [stayId, "online"],
      [leaveId, "offline"],
    ])
    const left = gone.items[1]
    expect(left).toMatchObject({
      hostname: `host-${leaveId}`,
      queues: ["netwark", "netwark.broadcast"],
    })
    expect(left.lastSeen).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
    const seen = Date.parse(left.lastSeen)
    expect(seen).toBeGreaterThanOrEqual(before - 1_000)
    expect(seen).toBeLessThanOrEqual(after + 1_000)

    // The queue list and dispatch still see online workers only.
    const queues = await call<any>("GET", `${running.base}/management/backend/queues`)
    const broadcast = queues.body.items.find((q: any) => q.queue === "netwark.broadcast")
    expect(broadcast.workers.map((w: any) => w.id)).toEqual([stayId])
    const created = await call<any>("POST", `${running.base}/operations`, ping)
    expect(created.status).toBe(202)
    const detail = await eventually(async () => {
      const r = await call<any>("GET", `${running.base}/operations/${created.body.id}`)
      // Finished, whatever ping itself answered on this machine: who was asked is the point.
      return r.body.finishedAt !== null ? r.body : undefined
    })
    expect(detail).toMatchObject({ expected: 1, received: 1 })
    expect(detail.expectedWorkers.map((w: any) => w.workerId)).toEqual([stayId])
  })

  it("forgets an offline worker after the retention period", async () => {
    const r = await eventually(
      async () => {
        const r = await call<any>("GET", `${running.base}/workers`)
        return r.body.total === 1 ? r.body : undefined
      },
      Duration.toMillis(retention) + 10_000,
    )
    expect(r.items.map((w: any) => [w.id, w.status])).toEqual([[stayId, "online"]])
    expect(r.online).toBe(1)
  })
})
