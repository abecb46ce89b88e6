/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers in tests */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { call, eventually } from "./support/api.js"
import {
  brokerUrl,
  createDatabase,
  namespace,
  redacted,
  start,
  testConfig,
  type Running,
} from "./support/env.js"
import { readEvents } from "./support/sse.js"
import { startWorkers } from "./support/workers.js"

describe("two server replicas on one database and broker", () => {
  let db: Awaited<ReturnType<typeof createDatabase>>
  const replicas: Array<Running> = []
  let workers: { stop: () => Promise<void> }
  const ns = namespace()
  const ids = ["a", "b", "c"].map((w) => `${ns}-${w}`)

  beforeAll(async () => {
    db = await createDatabase()
    const config = testConfig({
      databaseUrl: redacted(db.url),
      brokerUrl: redacted(brokerUrl),
      namespace: ns,
    })
    // started together: migrations are serialised by an advisory lock
    replicas.push(...(await Promise.all([start(config), start(config)])))
    workers = await startWorkers(ns, ids)
    for (const r of replicas)
      await eventually(async () =>
        (await call<any>("GET", `${r.base}/workers`)).body.total === 3 ? true : undefined,
      )
  })
  afterAll(async () => {
    await workers?.stop()
    for (const r of replicas) await r.close()
    await db?.drop()
  })

  it("runs operations posted to either replica once, and streams them from the other", async () => {
    const [a, b] = replicas as [Running, Running]
    const posted = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        call<any>("POST", `${(i % 2 === 0 ? a : b).base}/operations`, {
          type: "ping",
          target: "127.0.0.1",
          options: { count: 1, interval: 0.2, timeout: 1 },
        }),
      ),
    )
    for (const p of posted) expect(p.status).toBe(202)
    const streamed = await readEvents(`${b.base}/operations/${posted[0]!.body.id}/events`)
    // whatever was stored before the stream opened is in the snapshot, the rest comes as events
    const snapshot = streamed[0] as { type: string; data: any }
    expect(snapshot.type).toBe("snapshot")
    const results = [
      ...snapshot.data.results,
      ...streamed.filter((e) => e.type === "result").map((e) => e.data),
    ]
    expect(results.map((r: any) => r.workerId).sort()).toEqual(ids)
    const last = streamed.at(-1) as { type: string; data: any }
    expect(last.type === "status" ? last.data.status : last.data.status).toBe("done")
    for (const p of posted) {
      const op = await eventually(async () => {
        const r = await call<any>("GET", `${a.base}/operations/${p.body.id}`)
        return r.body.status === "done" ? r.body : undefined
      })
      expect(op.results.map((r: any) => r.workerId).sort()).toEqual(ids)
    }
    const list = await call<any>("GET", `${b.base}/operations?status=done`)
    expect(list.body.total).toBe(10)
  })
})
