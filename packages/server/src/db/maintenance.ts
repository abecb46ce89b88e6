/**
 * Statistics and vacuum where autovacuum does not run: PGlite (the embedded mode) has no
 * autovacuum launcher, and a PostgreSQL may have it switched off. Without statistics the planner
 * guesses, and guesses scans: storing a batch of results read every result and job stored so far
 * (15 ms a batch once 60,000 operations were in), and marking operations running went through
 * the status index, which without vacuum keeps an entry for every row version (61,000 'pending'
 * entries read to update 10 rows). With 100,000 operations through RabbitMQ and 64 clients,
 * PostgreSQL's CPU per operation was 339-357 µs without either and 167 µs with them (server
 * README, session 25).
 *
 * So where autovacuum is missing, the server does what it would: once the operations stored
 * since the last pass reach 500 and a tenth of those stored before (autovacuum's analyze scale
 * factor), one `VACUUM (ANALYZE)` of its tables. `SKIP_LOCKED`: a table another replica is
 * vacuuming is left to it.
 *
 * @module
 */
import { SqlClient } from "@effect/sql"
import { Cause, Duration, Effect, Layer } from "effect"

/** The tables the server writes; vacuumed and analyzed together. */
const tables = "operations, jobs, results, outbox"

/** Whether a pass is due: `stored` operations now, `before` at the last pass. */
export const due = (stored: number, before: number): boolean => stored - before >= 500 + before / 10

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
      // every operation takes one outbox id: the sequence counts them across replicas
      let before = 0
      const pass = Effect.gen(function* () {
        const [row] = yield* sql<{ stored: string }>`SELECT last_value AS stored FROM outbox_id_seq`
        const stored = Number(row?.stored ?? 0)
        if (!due(stored, before)) return
        const started = Date.now()
        yield* sql.unsafe(`VACUUM (ANALYZE, SKIP_LOCKED) ${tables}`)
        yield* Effect.logDebug("database: vacuumed and analyzed", {
          operations: stored,
          ms: Date.now() - started,
        })
        before = stored
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
