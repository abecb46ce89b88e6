/**
 * Table maintenance where autovacuum does not run: on PGlite (the embedded mode, which has no
 * autovacuum launcher) and on a PostgreSQL with `autovacuum = off` (this machine's), the server
 * vacuums and analyzes a table of its own once it has grown; where autovacuum runs, it leaves
 * them to it. And the sweeper's clean-up of sent outbox entries.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { randomUUID } from "node:crypto"
import { SqlClient } from "@effect/sql"
import { Duration, Effect, Layer, ManagedRuntime } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as Database from "../src/db/database.js"
import * as Maintenance from "../src/db/maintenance.js"
import * as Repository from "../src/operations/operations.repository.js"
import type { ServerConfig } from "../src/config.js"
import { eventually } from "./support/api.js"
import { createDatabase, redacted, testConfig } from "./support/env.js"
import { ping } from "./support/operations.js"

/** When each table was last vacuumed and analyzed (by anyone), and whether autovacuum runs. */
const state = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const tables = yield* sql<{ relname: string; vacuumed: boolean; analyzed: boolean }>`
    SELECT relname,
           (last_vacuum IS NOT NULL OR last_autovacuum IS NOT NULL) AS vacuumed,
           (last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL) AS analyzed
    FROM pg_stat_user_tables
    WHERE relname IN ('operations', 'jobs', 'results', 'outbox') ORDER BY relname`
  const [launcher] = yield* sql<{ running: boolean }>`
    SELECT current_setting('autovacuum') = 'on'
       AND EXISTS (SELECT 1 FROM pg_stat_activity
                   WHERE backend_type = 'autovacuum launcher') AS running`
  return { tables, autovacuum: launcher?.running === true }
})

/** Run the maintenance loop (checking every 100 ms) on `config`'s database for `f`. */
const withMaintenance = async <A>(
  config: ServerConfig,
  f: (run: <B>(e: Effect.Effect<B, unknown, SqlClient.SqlClient>) => Promise<B>) => Promise<A>,
): Promise<A> => {
  const rt = ManagedRuntime.make(
    Layer.provideMerge(Maintenance.layer(Duration.millis(100)), Database.layer(config)),
  )
  try {
    return await f((e) => rt.runPromise(e))
  } finally {
    await rt.dispose()
  }
}

/** The state once `table` has been vacuumed and analyzed (within 10 s). */
const maintained = (
  run: <B>(e: Effect.Effect<B, unknown, SqlClient.SqlClient>) => Promise<B>,
  table: string,
) =>
  eventually(async () => {
    const s = await run(state)
    const t = s.tables.find((x) => x.relname === table)
    return t?.vacuumed === true && t.analyzed ? s : undefined
  }, 10_000)

describe("Maintenance.due: autovacuum's analyze scale factor on a table's pages", () => {
  it("needs 32 pages (256 KB) more than at the last pass, then a tenth more", () => {
    expect(Maintenance.due(31, 0)).toBe(false)
    expect(Maintenance.due(32, 0)).toBe(true)
    expect(Maintenance.due(1_099, 1_000)).toBe(false)
    expect(Maintenance.due(1_100, 1_000)).toBe(true)
  })
})

/** Grow the outbox by ~1.2 MB (no foreign key: entries of unknown operations are fine here). */
const growOutbox = Effect.flatMap(
  SqlClient.SqlClient,
  (sql) =>
    sql`INSERT INTO outbox (operation_id) SELECT gen_random_uuid() FROM generate_series(1, 20000)`,
)

describe("table maintenance on PostgreSQL", () => {
  let db: Awaited<ReturnType<typeof createDatabase>>
  beforeAll(async () => {
    db = await createDatabase()
  })
  afterAll(async () => {
    await db?.drop()
  })

  it("vacuums and analyzes a table once it has grown, the others not, unless autovacuum runs", async () => {
    await withMaintenance(testConfig({ databaseUrl: redacted(db.url) }), async (run) => {
      const before = await run(state)
      expect(before.tables.every((t) => !t.vacuumed && !t.analyzed)).toBe(true)
      await new Promise((r) => setTimeout(r, 400))
      // nothing grew: nothing done
      expect((await run(state)).tables.every((t) => !t.analyzed)).toBe(true)
      await run(growOutbox)
      if (before.autovacuum) {
        // left to autovacuum, which has not come by in a second
        await new Promise((r) => setTimeout(r, 1_000))
        expect((await run(state)).tables.every((t) => !t.analyzed)).toBe(true)
      } else {
        const after = await maintained(run, "outbox")
        expect(after.tables.map((t) => [t.relname, t.vacuumed, t.analyzed])).toEqual([
          ["jobs", false, false],
          ["operations", false, false],
          ["outbox", true, true],
          ["results", false, false],
        ])
      }
    })
  })

  it("the sweeper deletes every outbox entry sent over ten minutes ago in one round, and keeps the rest", async () => {
    const rt = ManagedRuntime.make(Database.layer(testConfig({ databaseUrl: redacted(db.url) })))
    try {
      const ids = [randomUUID(), randomUUID(), randomUUID()] as const
      const [old, recent, unsent] = ids
      await rt.runPromise(
        Effect.gen(function* () {
          yield* Repository.insertMany(ids.map((id) => ping(id)))
          const sql = yield* SqlClient.SqlClient
          yield* sql`UPDATE outbox SET sent_at = now() - interval '11 minutes' WHERE operation_id = ${old}`
          yield* sql`UPDATE outbox SET sent_at = now() - interval '9 minutes' WHERE operation_id = ${recent}`
          // more than one statement's batch (5,000): a round keeps up with any rate it meets
          yield* sql`INSERT INTO outbox (operation_id, sent_at)
                     SELECT gen_random_uuid(), now() - interval '11 minutes'
                     FROM generate_series(1, 12000)`
          yield* Repository.sweep()
        }),
      )
      const [due] = await rt.runPromise(
        Effect.flatMap(
          SqlClient.SqlClient,
          (sql) =>
            sql<{ n: string }>`SELECT count(*) AS n FROM outbox
                               WHERE sent_at < now() - interval '10 minutes'`,
        ),
      )
      expect(Number(due?.n)).toBe(0)
      const left = await rt.runPromise(
        Effect.flatMap(
          SqlClient.SqlClient,
          (sql) =>
            sql<{ operation_id: string }>`SELECT operation_id FROM outbox
                                        WHERE ${sql.in("operation_id", ids)}`,
        ),
      )
      expect(left.map((r) => r.operation_id).sort()).toEqual([recent, unsent].sort())
    } finally {
      await rt.dispose()
    }
  })
})

describe("table maintenance on PGlite (the embedded mode: no autovacuum launcher)", () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), "netwark-maintenance-"))
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

  it("vacuums and analyzes a table once it has grown", async () => {
    await withMaintenance(testConfig({ dataDir }), async (run) => {
      const before = await run(state)
      expect(before.autovacuum).toBe(false)
      await run(growOutbox)
      const after = await maintained(run, "outbox")
      expect(after.tables.find((t) => t.relname === "outbox")).toMatchObject({
        vacuumed: true,
        analyzed: true,
      })
    })
  }, 60_000)
})
