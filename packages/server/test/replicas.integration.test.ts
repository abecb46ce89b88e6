/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers in tests */
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
import { readEvents, streamedStatus, type SseEvent } from "./support/sse.js"
import { startWorkers } from "./support/workers.js"

describe("two server replicas on one database and broker", () => {
  let db: Awaited<ReturnType<typeof createDatabase>>
  const replicas: Array<Running> = []
  let workers: { stop: () => Promise<void> }
  const ns = namespace()
  let broker: Broker
  const ids = ["a", "b", "c"].map((w) => `${ns}-${w}`)

  beforeAll(async () => {
    db = await createDatabase()
    broker = await createBroker(ns)
    const config = testConfig({
      databaseUrl: redacted(db.url),
      brokerUrl: redacted(broker.url),
      namespace: ns,
    })
    // started together: migrations are serialised by an advisory lock
    replicas.push(...(await Promise.all([start(config), start(config)])))
    workers = await startWorkers(broker, ids)
    for (const r of replicas)
      await eventually(async () =>
        (await call<any>("GET", `${r.base}/workers`)).body.total === 3 ? true : undefined,
      )
  })
  afterAll(async () => {
    await workers?.stop()
    for (const r of replicas) await r.close()
    await db?.drop()
    await broker?.remove()
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
    // a stream opened after the end carries the final status in its snapshot (its replayed
    // progress comes after it)
    expect(streamedStatus(streamed)).toBe("done")
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

  it("streams from either replica every progress event of an operation, whichever replica's collector took it", async () => {
    const [a, b] = replicas as [Running, Running]
    const posted = await call<any>("POST", `${a.base}/operations`, {
      type: "ping",
      target: "127.0.0.1",
      options: { count: 5, interval: 0.2, timeout: 1 },
    })
    expect(posted.status).toBe(202)
    const url = (r: Running) => `${r.base}/operations/${posted.body.id}/events`
    // B's stream opens at once (live), A's after the end (its replay buffer)
    const live = await readEvents(url(b))
    expect(streamedStatus(live)).toBe("done")
    const replayed = await readEvents(url(a))
    // per worker job: the seq of each progress event, in the order the stream carried them
    const seqs = (events: ReadonlyArray<SseEvent>) => {
      const per: Record<string, Array<number>> = {}
      for (const e of events)
        if (e.type === "progress") (per[(e.data as any).workerId] ??= []).push((e.data as any).seq)
      return per
    }
    const fromB = seqs(live)
    expect(Object.keys(fromB).sort()).toEqual(ids)
    for (const id of ids) {
      // a ping of 5 packets reports each reply: 5 or more events, none missing, none twice
      expect(fromB[id]!.length).toBeGreaterThanOrEqual(5)
      expect(fromB[id]).toEqual(fromB[id]!.map((_, i) => i))
    }
    expect(seqs(replayed)).toEqual(fromB)
  })
})
