/**
 * Operation retention (`NETWARK_OPERATION_RETENTION`) on this machine's PostgreSQL: ended
 * operations older than the retention go, with their jobs, results and outbox entries, in
 * batches; pending, running and recent ones stay.
 */
import { randomUUID } from "node:crypto"
import { SqlClient } from "@effect/sql"
import { Queues } from "@netwark/transport"
import { Duration, Effect, Layer, ManagedRuntime } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as Database from "../src/db/database.js"
import { Metrics, layer as metricsLayer } from "../src/health/metrics.js"
import * as Repository from "../src/operations/operations.repository.js"
import * as Retention from "../src/operations/retention.js"
import { eventually } from "./support/api.js"
import { createDatabase, redacted, testConfig } from "./support/env.js"
import { ping } from "./support/operations.js"

describe("operation retention", () => {
  let db: Awaited<ReturnType<typeof createDatabase>>
  beforeAll(async () => {
    db = await createDatabase()
  })
  afterAll(async () => {
    await db?.drop()
  })

  it("deletes ended operations older than the retention with everything of theirs, in batches, and keeps the rest", async () => {
    const database = ManagedRuntime.make(
      Database.layer(testConfig({ databaseUrl: redacted(db.url) })),
    )
    const run = <A>(e: Effect.Effect<A, unknown, SqlClient.SqlClient>) => database.runPromise(e)
    const [oldDone, oldRunning, oldPending, recentDone] = [0, 1, 2, 3].map(() => randomUUID())
    // more than two of the loop's batches (500): a round goes on while they come back full
    const oldMany = Array.from({ length: 1_200 }, () => randomUUID())
    const all = [oldDone!, oldRunning!, oldPending!, recentDone!, ...oldMany]
    /** The operations a table holds rows of. */
    const left = (table: "operations" | "jobs" | "results" | "outbox") =>
      run(
        Effect.flatMap(
          SqlClient.SqlClient,
          (sql) =>
            sql<{
              id: string
            }>`SELECT DISTINCT ${sql(table === "operations" ? "id" : "operation_id")} AS id
                                FROM ${sql(table)}`,
        ),
      ).then((rows) => rows.map((r) => r.id).sort())
    try {
      await run(
        Effect.gen(function* () {
          const sql = yield* SqlClient.SqlClient
          yield* Repository.insertMany(all.map((id) => ping(id)))
          const ended = [oldDone!, recentDone!, ...oldMany]
          yield* sql`UPDATE operations SET status = 'done', finished_at = now()
                     WHERE ${sql.in("id", ended)}`
          yield* sql`UPDATE operations SET status = 'running' WHERE id = ${oldRunning!}`
          yield* sql`UPDATE operations SET created_at = now() - interval '2 hours'
                     WHERE id <> ${recentDone!}`
          yield* sql`UPDATE operations SET created_at = now() - interval '50 minutes'
                     WHERE id = ${recentDone!}`
          // a sent entry stays for the sweeper's clean-up (0008)
          yield* sql`UPDATE outbox SET sent_at = now() WHERE operation_id = ${oldDone!}`
          for (const id of [oldDone!, oldRunning!, recentDone!]) {
            yield* sql`INSERT INTO jobs (operation_id, job_id, queue, mode, expected)
                       VALUES (${id}, 'ping', ${Queues.direct}, 'one', 1)`
            yield* sql`INSERT INTO results (operation_id, job_id, worker_slot, worker_id, queue,
                                            mode, attempt, status, started_at, finished_at)
                       VALUES (${id}, 'ping', '*', 'w1', ${Queues.direct}, 'one', 1, 'ok',
                               now(), now())`
          }
        }),
      )
      const retention = ManagedRuntime.make(
        Layer.provideMerge(
          Retention.layer(Duration.hours(1), Duration.millis(100)),
          Layer.merge(Database.layer(testConfig({ databaseUrl: redacted(db.url) })), metricsLayer),
        ),
      )
      try {
        // a managed runtime builds its layers, and so starts the loop, when first used
        await retention.runtime()
        const kept = [oldRunning!, oldPending!, recentDone!].sort()
        await eventually(async () =>
          (await left("operations")).length === kept.length ? true : undefined,
        )
        expect(await left("operations")).toEqual(kept)
        expect(await left("results")).toEqual([oldRunning!, recentDone!].sort())
        expect(await left("jobs")).toEqual([oldRunning!, recentDone!].sort())
        expect(await left("outbox")).toEqual([...kept, oldDone!].sort())
        const counters = await retention.runPromise(Metrics)
        expect(counters.operationsExpired).toBe(1 + oldMany.length)
      } finally {
        await retention.dispose()
      }
    } finally {
      await database.dispose()
    }
  })
})
