/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers in tests */
import pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { call, eventually } from "./support/api.js"
import {
  adminUrl,
  createDatabase,
  redacted,
  start,
  testConfig,
  type Running,
} from "./support/env.js"

/**
 * The database becomes unreachable (new connections refused, existing ones killed: what a restart
 * looks like to the server, confined to this run's own database), then comes back.
 */
describe("database outage", () => {
  let db: Awaited<ReturnType<typeof createDatabase>>
  let running: Running
  const admin = new pg.Client({ connectionString: adminUrl })
  const setAllowed = async (allowed: boolean) => {
    await admin.query(`ALTER DATABASE ${db.name} WITH ALLOW_CONNECTIONS ${allowed}`)
    if (!allowed)
      await admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1",
        [db.name],
      )
  }
  beforeAll(async () => {
    db = await createDatabase()
    await admin.connect()
    running = await start(testConfig({ databaseUrl: redacted(db.url), localWorker: true }))
    await eventually(async () =>
      (await call<any>("GET", `${running.base}/workers`)).body.total >= 1 ? true : undefined,
    )
  })
  afterAll(async () => {
    await running?.close()
    await admin.end()
    await db?.drop()
  })

  it("answers 503 problems while the database is down, and recovers with nothing lost", async () => {
    // a job that is still running when the database goes: its result arrives during the outage
    const before = await call<any>("POST", `${running.base}/operations`, {
      type: "ping",
      target: "127.0.0.1",
      options: { count: 4, interval: 0.3 },
    })
    expect(before.status).toBe(202)
    await eventually(async () => {
      const r = await call<any>("GET", `${running.base}/operations/${before.body.id}`)
      return r.body.status === "running" ? true : undefined
    })
    try {
      await setAllowed(false)
      const posted = await call<any>("POST", `${running.base}/operations`, {
        type: "ping",
        target: "127.0.0.1",
      })
      expect(posted.status).toBe(503)
      expect(posted.headers.get("content-type")).toContain("application/problem+json")
      expect(posted.body).toMatchObject({ status: 503, reason: "DatabaseUnavailable" })
      expect(JSON.stringify(posted.body)).not.toMatch(/at .*\.js|password|root/)
      const list = await call<any>("GET", `${running.base}/operations`)
      expect(list.status).toBe(503)
      const health = await call<any>("GET", `${running.base}/health`)
      expect(health.status).toBe(503)
      expect(health.body.database.status).toBe("down")
      // long enough for the worker to finish and the collector to fail storing its result
      await new Promise((r) => setTimeout(r, 2000))
    } finally {
      await setAllowed(true)
    }
    const op = await eventually(async () => {
      const r = await call<any>("GET", `${running.base}/operations/${before.body.id}`)
      return r.status === 200 && r.body.status === "done" ? r.body : undefined
    }, 30_000)
    expect(op.results).toHaveLength(1)
    const after = await call<any>("POST", `${running.base}/operations`, {
      type: "ping",
      target: "127.0.0.1",
      options: { count: 1 },
    })
    expect(after.status).toBe(202)
    await eventually(async () => {
      const r = await call<any>("GET", `${running.base}/operations/${after.body.id}`)
      return r.body.status === "done" ? true : undefined
    }, 30_000)
    expect((await call<any>("GET", `${running.base}/health`)).status).toBe(200)
  }, 90_000)
})
