/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers in tests */
/**
 * Workers whose transport routes fewer job types to queues of their own than the server's (a
 * worker of another version): GET /workers shows each worker's list, and the server warns once
 * per worker start about the type queues it never consumes, over RabbitMQ.
 */
import { Jobs } from "@netwark/worker"
import { afterAll, beforeAll, describe, expect, it, vi, type MockInstance } from "vitest"
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

describe("a worker whose jobTypes lack some of the server's", () => {
  let db: Awaited<ReturnType<typeof createDatabase>>
  let running: Running
  let broker: Broker
  let log: MockInstance<typeof console.log>
  const ns = namespace()
  const [early, late, same] = ["early", "late", "same"].map((w) => `${ns}-${w}`) as [
    string,
    string,
    string,
  ]
  const workers: Record<string, { stop: () => Promise<void> }> = {}
  const lines: Array<string> = []
  /** The warnings the server's Effect logger wrote about one worker. */
  const warnings = (id: string): ReadonlyArray<string> =>
    lines.filter((line) => line.includes("level=WARN") && line.includes(`worker ${id} (`))

  beforeAll(async () => {
    // the default Effect logger writes through console.log; kept here, as vitest clears a
    // spy's calls before each test
    log = vi.spyOn(console, "log").mockImplementation((...args: Array<unknown>) => {
      lines.push(args.map(String).join(" "))
    })
    db = await createDatabase()
    broker = await createBroker(ns)
    // running before the server starts: the server looks at it on its next heartbeat
    workers[early] = await startWorkers(broker, [early], undefined, ["ping", "dns"])
    running = await start(
      testConfig({ databaseUrl: redacted(db.url), brokerUrl: redacted(broker.url), namespace: ns }),
    )
    workers[late] = await startWorkers(broker, [late], undefined, ["ping"])
    workers[same] = await startWorkers(broker, [same])
    await eventually(async () => {
      const r = await call<any>("GET", `${running.base}/workers`)
      return r.body.online === 3 ? true : undefined
    })
  })
  afterAll(async () => {
    for (const w of Object.values(workers)) await w.stop()
    await running?.close()
    await db?.drop()
    await broker?.remove()
    log?.mockRestore()
  })

  it("GET /workers shows the job types each worker's transport routes to queues of their own", async () => {
    const r = await call<any>("GET", `${running.base}/workers`)
    expect(r.status).toBe(200)
    const byId = Object.fromEntries(r.body.items.map((w: any) => [w.id, w.jobTypes]))
    expect(byId).toEqual({ [early]: ["ping", "dns"], [late]: ["ping"], [same]: [...Jobs.types] })
  })

  it("warns once per worker start, naming the worker, the queue and the types it misses", async () => {
    await eventually(async () =>
      warnings(early).length > 0 && warnings(late).length > 0 ? true : undefined,
    )
    // heartbeats every second: three more of each say nothing again
    await new Promise((r) => setTimeout(r, 3_500))
    expect(warnings(early)).toEqual([
      expect.stringContaining(
        `worker ${early} (host-${early}) gets none of the mtr, traceroute jobs sent to queue netwark: this server routes them to queues of their own (<queue>/<type>), which the worker does not consume (its jobTypes: ping, dns)`,
      ),
    ])
    expect(warnings(late)).toEqual([
      expect.stringContaining(
        `worker ${late} (host-${late}) gets none of the mtr, traceroute, dns jobs sent to queue netwark:`,
      ),
    ])
    // the same list: nothing said
    expect(warnings(same)).toEqual([])

    // a restart is a new hello: said again, once
    await workers[late]!.stop()
    workers[late] = await startWorkers(broker, [late], undefined, ["ping"])
    await eventually(async () => (warnings(late).length === 2 ? true : undefined))
    await new Promise((r) => setTimeout(r, 2_500))
    expect(warnings(late)).toHaveLength(2)
    expect(warnings(same)).toEqual([])
  })
})
