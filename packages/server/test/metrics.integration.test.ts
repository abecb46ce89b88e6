/**
 * `GET /metrics` on this machine's PostgreSQL: the gauges read only what is in flight, so a scrape
 * costs the same however many ended operations the table holds.
 */
import { randomUUID } from "node:crypto"
import pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createDatabase, redacted, start, testConfig, type Running } from "./support/env.js"

describe("GET /metrics", () => {
  let db: Awaited<ReturnType<typeof createDatabase>>
  let running: Running
  let client: pg.Client
  beforeAll(async () => {
    db = await createDatabase()
    running = await start(testConfig({ databaseUrl: redacted(db.url) }))
    client = new pg.Client({ connectionString: db.url })
    await client.connect()
  })
  afterAll(async () => {
    await client?.end()
    await running?.close()
    await db?.drop()
  })

  /** Store operations as they would be in each status (no outbox entry: nothing dispatches them). */
  const store = (rows: ReadonlyArray<readonly [status: string, type: string, n: number]>) =>
    client.query(
      `INSERT INTO operations (id, type, target, queues, status, timeout_ms, deadline)
       SELECT id, r.type, '127.0.0.1', '{netwark}', r.status, 60000, now() + interval '1 hour'
       FROM jsonb_to_recordset($1::jsonb) AS r(status text, type text, ids uuid[]),
            unnest(r.ids) AS id`,
      [
        JSON.stringify(
          rows.map(([status, type, n]) => ({
            status,
            type,
            ids: Array.from({ length: n }, () => randomUUID()),
          })),
        ),
      ],
    )

  const scrape = async () => {
    const response = await fetch(`${running.base}/metrics`)
    expect(response.status).toBe(200)
    return response.text()
  }

  it("counts pending and running operations by status and type, and estimates the table's size", async () => {
    await store([
      ["pending", "ping", 2],
      ["running", "ping", 1],
      ["running", "dns", 3],
      ["done", "ping", 40],
      ["error", "mtr", 5],
      ["timeout", "dns", 4],
    ])
    const text = await scrape()
    expect(text).toMatch(/^netwark_operations_active\{status="pending",type="ping"\} 2$/m)
    expect(text).toMatch(/^netwark_operations_active\{status="running",type="ping"\} 1$/m)
    expect(text).toMatch(/^netwark_operations_active\{status="running",type="dns"\} 3$/m)
    // ended operations are the settled counters' business, not a count of the table
    expect(text).not.toMatch(/^netwark_operations_active\{status="(done|error|timeout)"/m)
    // every type in both states, 0 where there is none
    expect(text).toMatch(/^netwark_operations_active\{status="pending",type="mtr"\} 0$/m)
    expect(text.match(/^netwark_operations_active\{/gm)).toHaveLength(8)

    // the table's size as PostgreSQL last measured it: absent before, exact after an ANALYZE
    // (55 rows fit in one page, which it reads whole)
    const before = (
      await client.query(`SELECT reltuples FROM pg_class WHERE relname = 'operations'`)
    ).rows[0].reltuples as number
    if (before < 0) expect(text).not.toMatch(/^netwark_operations_stored /m)
    await client.query("ANALYZE operations")
    expect(await scrape()).toMatch(/^netwark_operations_stored 55$/m)
  })
})
