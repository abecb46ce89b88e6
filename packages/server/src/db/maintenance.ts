/**
 * Statistics and vacuum where autovacuum does not run: PGlite (the embedded mode) has no
 * autovacuum launcher, and a PostgreSQL may have it switched off. Without statistics the planner
 * guesses, and guesses scans: storing a batch of results read every result and job stored so far
 * (15 ms a batch once 60,000 operations were in), and marking operations running went through
 * the status index, which without vacuum keeps an entry for every row version (61,000 'pending'
 * entries read to update 10 rows). With 100,000 operations through RabbitMQ and 64 clients,
 * PostgreSQL's CPU per operation was 325-387 µs without either and 173-211 µs with them (server
 * README, session 25).
 *
 * So where autovacuum is missing, the server does what it would: a table that has grown by a
 * tenth since it was last vacuumed or analyzed (autovacuum's analyze scale factor), and by 32
 * pages (256 KB) at least, gets a `VACUUM (ANALYZE)`. Growth is read from the table's size on disk
 * against `pg_class.relpages`, which each pass sets: it counts every replica's writes, and the
 * results of a broadcast to 100 workers as well as the operations. `SKIP_LOCKED`: a table another
 * replica is vacuuming is left to it.
 *
 * @module
 */
import { SqlClient } from "@effect/sql"
import { Cause, Duration, Effect, Layer } from "effect"

/** The tables the server writes. */
const tables = ["operations", "jobs", "results", "outbox"] as const

/** Whether a table of `pages` pages is due, `relpages` at its last vacuum or analyze. */
export const due = (pages: number, relpages: number): boolean =>
  pages - Math.max(relpages, 0) >= Math.max(32, relpages / 10)

/** True when no autovacuum launcher serves this database (PGlite, or `autovacuum = off`). */
const autovacuumMissing = (sql: SqlClient.SqlClient) =>
  Effect.map(
    sql<{ missing: boolean }>`
      SELECT current_setting('autovacuum') <> 'on'
          OR NOT EXISTS (SELECT 1 FROM pg_stat_activity
                         WHERE backend_type = 'autovacuum launcher') AS missing`,
    (rows) => rows[0]?.missing === true,
  )

/** The maintenance loop as a layer: checks every `every`, works only where it is needed. */
export const layer = (
  every: Duration.DurationInput = Duration.seconds(5),
): Layer.Layer<never, never, SqlClient.SqlClient> =>
  Layer.scopedDiscard(
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const missing = yield* autovacuumMissing(sql).pipe(Effect.orElseSucceed(() => false))
      if (!missing) return
      yield* Effect.logInfo(
        "database: autovacuum does not run here; the server analyzes and vacuums its tables",
      )
      const pass = Effect.gen(function* () {
        const sizes = yield* sql<{ name: string; pages: number; relpages: number }>`
          SELECT c.relname AS name, c.relpages,
                 (pg_relation_size(c.oid) / current_setting('block_size')::int)::int AS pages
          FROM pg_class c
          WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'
            AND ${sql.in("c.relname", tables)}`
        // names from the list above, not from the query: nothing to quote
        const grown = tables.filter((name) =>
          sizes.some((t) => t.name === name && due(t.pages, t.relpages)),
        )
        if (grown.length === 0) return
        const started = Date.now()
        yield* sql.unsafe(`VACUUM (ANALYZE, SKIP_LOCKED) ${grown.join(", ")}`)
        yield* Effect.logDebug("database: vacuumed and analyzed", {
          tables: grown.join(","),
          ms: Date.now() - started,
        })
      }).pipe(
        Effect.catchAllCause((cause) =>
          Effect.logWarning("database: maintenance failed", String(Cause.squash(cause))),
        ),
      )
      yield* Effect.forkScoped(
        Effect.forever(Effect.zipRight(Effect.sleep(Duration.decode(every)), pass)),
      )
    }),
  )
