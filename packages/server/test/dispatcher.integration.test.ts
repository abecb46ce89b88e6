/**
 * The outbox dispatcher on the machine's PostgreSQL and the in-process transport: a batch goes out
 * in one `dispatchMany`; a batch the transport refuses before sending anything (here one job over
 * the message cap) goes again one by one, so that only the refused operation fails. Operations a
 * replica stored itself reach its dispatcher in memory, claimed at insert; another replica takes
 * them only once that claim's lease has run out.
 */
import { SqlClient } from "@effect/sql"
import { type Envelope, InProcess, Queues, Registry } from "@netwark/transport"
import { Duration, Effect, Layer, ManagedRuntime } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as Database from "../src/db/database.js"
import * as Metrics from "../src/health/metrics.js"
import * as Dispatcher from "../src/operations/dispatcher.js"
import { planner } from "../src/operations/planner.js"
import * as Events from "../src/operations/events.js"
import * as Repository from "../src/operations/operations.repository.js"
import { createDatabase, redacted, testConfig } from "./support/env.js"
import { ping } from "./support/operations.js"

describe("the outbox dispatcher", () => {
  let db: Awaited<ReturnType<typeof createDatabase>>
  beforeAll(async () => {
    db = await createDatabase()
  })
  afterAll(async () => {
    await db?.drop()
  })

  const runtime = (maxMessageBytes: number) => {
    const infra = Layer.mergeAll(
      Database.layer(testConfig({ databaseUrl: redacted(db.url) })),
      InProcess.layer({ maxMessageBytes }),
      Events.layer,
      Metrics.layer,
    )
    const services = Layer.provideMerge(Registry.layer, infra)
    return ManagedRuntime.make(
      Layer.provideMerge(
        Dispatcher.layer({ poll: Duration.millis(50), batch: 16, loops: 1 }),
        services,
      ),
    )
  }

  const op = (target: string): Repository.NewOperation => ping(undefined, target)

  /** Insert the operations, then wait until none is pending; their rows. */
  const dispatched = (ops: ReadonlyArray<Repository.NewOperation>, maxMessageBytes: number) => {
    const rt = runtime(maxMessageBytes)
    return rt
      .runPromise(
        Effect.gen(function* () {
          const sql = yield* SqlClient.SqlClient
          yield* Repository.insertMany(ops)
          const ids = ops.map((o) => o.id)
          for (;;) {
            const rows = yield* sql<{
              id: string
              status: string
              error: string | null
            }>`SELECT id, status, error FROM operations WHERE id IN ${sql.in(ids)}`
            if (rows.every((r) => r.status !== "pending"))
              return new Map(rows.map((r) => [r.id, r]))
            yield* Effect.sleep("20 millis")
          }
        }).pipe(Effect.timeout("10 seconds")),
      )
      .finally(() => rt.dispose())
  }

  it("sends a batch, and when one job is too large fails that operation alone", async () => {
    const ok = Array.from({ length: 5 }, (_, i) => op(`host${i}.example`))
    // ~280 bytes as a job; this one ~460
    const huge = op(`${"a".repeat(60)}.${"b".repeat(60)}.${"c".repeat(60)}.example`)
    // the cap sits between a normal job's size and the long-named one's
    const rows = await dispatched([...ok.slice(0, 2), huge, ...ok.slice(2)], 380)
    for (const o of ok) expect(rows.get(o.id)).toMatchObject({ status: "running", error: null })
    expect(rows.get(huge.id)?.status).toBe("error")
    expect(rows.get(huge.id)?.error).toMatch(/exceeds/)
  })

  it("sends a batch of many in one go", async () => {
    const ops = Array.from({ length: 40 }, (_, i) => op(`many${i}.example`))
    const rows = await dispatched(ops, 1024 * 1024)
    expect([...rows.values()].every((r) => r.status === "running")).toBe(true)
  })

  it("publishes an operation stored planned as it was planned, and plans at dispatch one the planner refused", async () => {
    const rt = runtime(1024 * 1024)
    // at insert, one worker on the broadcast queue ran pings and none on the direct queue did;
    // this runtime's registry knows no worker at all, so a plan made at dispatch would differ
    const w1: Envelope.WorkerInfo = {
      id: "w1",
      hostname: "w1.example",
      version: "test",
      queues: [Queues.direct, Queues.broadcast],
      locations: [],
      capabilities: { jobs: ["dns"] },
    }
    const w2: Envelope.WorkerInfo = {
      ...w1,
      id: "w2",
      hostname: "w2.example",
      queues: [Queues.broadcast],
      capabilities: { jobs: ["ping"] },
    }
    const plan = planner(Queues.targets([]), [w1, w2])
    try {
      const out = await rt.runPromise(
        Effect.gen(function* () {
          const sql = yield* SqlClient.SqlClient
          const events = yield* Events.Events
          const broadcast = { ...op("planned.example"), queues: [Queues.broadcast] }
          // w1 is on the direct queue but runs no pings: refused at insert, stored unplanned
          const refused = op("refused.example")
          const inserted = yield* Repository.insertMany([broadcast, refused], {
            claim: true,
            plan,
          })
          const stored = yield* sql<{ id: string; expected: number | null; planned: boolean }>`
            SELECT id, expected, deadline IS NOT NULL AS planned FROM operations
            WHERE id IN ${sql.in([broadcast.id, refused.id])} ORDER BY target`
          const jobsAtInsert = yield* sql<{ job_id: string; expected_workers: unknown }>`
            SELECT job_id, expected_workers FROM jobs WHERE operation_id = ${broadcast.id}`
          yield* events.handOver(inserted.map((i) => i.pending))
          for (;;) {
            const rows = yield* sql<{ status: string }>`
              SELECT status FROM operations WHERE id IN ${sql.in([broadcast.id, refused.id])}`
            if (rows.every((r) => r.status !== "pending")) break
            yield* Effect.sleep("20 millis")
          }
          const after = yield* sql<{ id: string; status: string; expected: number | null }>`
            SELECT id, status, expected FROM operations
            WHERE id IN ${sql.in([broadcast.id, refused.id])} ORDER BY target`
          return { inserted, stored, jobsAtInsert, after }
        }).pipe(Effect.timeout("10 seconds")),
      )
      expect(out.inserted[0]!.operation.expected).toBe(1)
      expect(out.inserted[0]!.pending.plan?.outboxId).toBe(out.inserted[0]!.pending.outboxId)
      expect(out.inserted[1]!.pending.plan).toBeUndefined()
      // ordered by target: planned.example, refused.example
      expect(out.stored.map((r) => [r.expected, r.planned])).toEqual([
        [1, true],
        [null, false],
      ])
      expect(out.jobsAtInsert).toEqual([
        {
          job_id: `${out.inserted[0]!.operation.id}/${Queues.broadcast}`,
          expected_workers: [{ id: "w2", hostname: "w2.example" }],
        },
      ])
      // published with the plan made at insert (the dispatcher's registry would have said 0);
      // the direct one planned at dispatch, where nobody is online: it waits for a worker
      expect(out.after.map((r) => [r.status, r.expected])).toEqual([
        ["running", 1],
        ["running", 1],
      ])
    } finally {
      await rt.dispose()
    }
  })

  it("dispatches what this replica stored and handed over without claiming it again; another replica takes it only after the lease", async () => {
    const rt = runtime(1024 * 1024)
    try {
      const out = await rt.runPromise(
        Effect.gen(function* () {
          const sql = yield* SqlClient.SqlClient
          const events = yield* Events.Events
          const statusOf = (id: string) =>
            Effect.map(
              sql<{ status: string; attempts: number }>`
                SELECT o.status, b.attempts FROM operations o JOIN outbox b ON b.operation_id = o.id
                WHERE o.id = ${id}`,
              (rows) => rows[0]!,
            )
          const until = (id: string, status: string) =>
            Effect.gen(function* () {
              for (;;) {
                const row = yield* statusOf(id)
                if (row.status === status) return row
                yield* Effect.sleep("20 millis")
              }
            }).pipe(Effect.timeout("10 seconds"))
          // handed over: published from memory, with the one attempt counted at insert
          const mine = op("handed.example")
          const [inserted] = yield* Repository.insertMany([mine], { claim: true })
          yield* events.handOver([inserted!.pending])
          const handed = yield* until(mine.id, "running")
          // claimed at insert by a replica that died before handing it over: the poll leaves it
          // while the lease runs, and takes it once the lease is over
          const orphan = op("orphan.example")
          yield* Repository.insertMany([orphan], { claim: true })
          yield* Effect.sleep("300 millis")
          const waiting = yield* statusOf(orphan.id)
          yield* sql`UPDATE outbox SET claimed_until = clock_timestamp() - interval '1 second'
                     WHERE operation_id = ${orphan.id}`
          const taken = yield* until(orphan.id, "running")
          return { handed, waiting, taken }
        }),
      )
      expect(out.handed).toEqual({ status: "running", attempts: 1 })
      expect(out.waiting.status).toBe("pending")
      expect(out.taken).toEqual({ status: "running", attempts: 2 })
    } finally {
      await rt.dispose()
    }
  })

  it("records a publish (committed without waiting for the WAL flush), and leaves the connection's synchronous_commit as it was", async () => {
    // one connection, so that the SHOW reads the session that ran the statement
    const rt = ManagedRuntime.make(
      Database.client(testConfig({ databaseUrl: redacted(db.url) }), 1),
    )
    try {
      const out = await rt.runPromise(
        Effect.gen(function* () {
          const sql = yield* SqlClient.SqlClient
          const mine = op("recorded.example")
          const [inserted] = yield* Repository.insertMany([mine], { claim: true })
          const running = yield* Repository.recordPublished(
            [
              {
                outboxId: inserted!.pending.outboxId,
                id: mine.id,
                deadline: Date.now() + 60_000,
                expected: 0,
                jobs: [],
              },
            ],
            [],
          )
          const [row] = yield* sql<{ status: string; sent: boolean }>`
            SELECT o.status, b.sent_at IS NOT NULL AS sent
            FROM operations o JOIN outbox b ON b.operation_id = o.id WHERE o.id = ${mine.id}`
          const [setting] = yield* sql<{ synchronous_commit: string }>`SHOW synchronous_commit`
          return { running, row, setting: setting!.synchronous_commit }
        }),
      )
      expect(out.running).toHaveLength(1)
      expect(out.row).toEqual({ status: "running", sent: true })
      expect(out.setting).toBe("on")
    } finally {
      await rt.dispose()
    }
  })
})
