/**
 * Every SQL statement about operations, jobs, results and the outbox. Pure I/O: no HTTP, no
 * transport. All functions are Effects needing the `SqlClient`.
 *
 * @module
 */
import { SqlClient, type SqlError, type Statement } from "@effect/sql"
import { Effect, Either } from "effect"
import type {
  ListQuery,
  Operation,
  OperationDetail,
  OperationStatus,
  OperationType,
  WorkerResult,
} from "./operations.dto.js"

/** A stored operation, with its outbox entry as the dispatcher takes it. */
export interface Inserted {
  readonly operation: Operation
  readonly pending: Pending
}

/** What `POST /operations` stores. */
export interface NewOperation {
  readonly id: string
  readonly type: OperationType
  readonly target: string
  readonly options: Record<string, unknown>
  readonly queues: ReadonlyArray<string>
  readonly timeoutMs: number
}

interface OperationRow {
  readonly id: string
  readonly type: OperationType
  readonly target: string
  readonly options: Record<string, unknown>
  readonly queues: ReadonlyArray<string>
  readonly status: OperationStatus
  readonly expected: number | null
  readonly received: number | string
  readonly created_at: Date
  readonly dispatched_at: Date | null
  readonly deadline: Date | null
  readonly finished_at: Date | null
  readonly error: string | null
}

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString())

const toOperation = (row: OperationRow): Operation => ({
  id: row.id,
  type: row.type,
  target: row.target,
  options: row.options,
  queues: row.queues,
  status: row.status,
  expected: row.expected,
  received: Number(row.received),
  createdAt: row.created_at.toISOString(),
  dispatchedAt: iso(row.dispatched_at),
  deadline: iso(row.deadline),
  finishedAt: iso(row.finished_at),
  error: row.error,
})

/** The columns of `jobRows` for `jsonb_to_recordset`. */
const jobColumns =
  "operation_id uuid, job_id text, queue text, mode text, expected int, workers jsonb"

/** The jobs rows of planned dispatches, as `jsonb_to_recordset` reads them with `jobColumns`. */
const jobRows = (planned: ReadonlyArray<Dispatched>) =>
  planned.flatMap((p) =>
    p.jobs.map((j) => ({
      operation_id: p.id,
      job_id: j.jobId,
      queue: j.queue,
      mode: j.mode,
      expected: j.expected,
      workers: j.workers,
    })),
  )

/**
 * Store operations and their outbox entries atomically, in one statement (one round trip for the
 * whole batch); the stored operations in the order given. With `claim`, the entries are claimed
 * for the inserting replica (as `claimOutbox` claims) to dispatch itself. With a `plan`, each
 * operation the planner accepts is stored planned (its jobs, expected workers and deadline,
 * as `planClaimed` would record them) and its `Pending` carries the plan, so that its dispatch
 * needs no statement before the publish. One the planner refuses is stored unplanned: its
 * dispatcher plans it again and records the refusal.
 */
export const insertMany = (
  ops: ReadonlyArray<NewOperation>,
  options: { readonly claim?: boolean; readonly plan?: Planner } = {},
): Effect.Effect<ReadonlyArray<Inserted>, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.gen(function* () {
    if (ops.length === 0) return []
    const sql = yield* SqlClient.SqlClient
    // the outbox id is the database's: the plan takes it after the insert
    const plans = ops.map((o) => {
      const outcome = options.plan?.({ ...o, outboxId: "" })
      return outcome !== undefined && Either.isRight(outcome) ? outcome.right : undefined
    })
    // claimed for the inserting replica (as `claimOutbox` claims) when it dispatches them itself
    const claimedUntil = options.claim
      ? sql`clock_timestamp() + ${claimLease}::interval`
      : sql`NULL::timestamptz`
    // the rows travel as JSON (see `jsonParam`); the operations in the order given
    const rows = yield* sql<OperationRow & { outbox_id: string }>`
      WITH op AS (
        INSERT INTO operations (id, type, target, options, queues, timeout_ms, deadline, expected)
        SELECT v.id, v.type, v.target, v.options,
               ARRAY(SELECT jsonb_array_elements_text(v.queues)), v.timeout_ms,
               to_timestamp(v.deadline / 1000.0), v.expected
        FROM ROWS FROM (jsonb_to_recordset(${jsonParam(
          ops.map((o, i) => ({
            id: o.id,
            type: o.type,
            target: o.target,
            options: o.options,
            queues: o.queues,
            timeout_ms: o.timeoutMs,
            deadline: plans[i]?.deadline ?? null,
            expected: plans[i]?.expected ?? null,
          })),
        )}::jsonb)
               AS (id uuid, type text, target text, options jsonb, queues jsonb, timeout_ms int,
                   deadline float8, expected int))
             WITH ORDINALITY AS v(id, type, target, options, queues, timeout_ms, deadline,
                                  expected, n)
        ORDER BY v.n
        RETURNING *
      ), box AS (
        INSERT INTO outbox (operation_id, claimed_until, attempts)
        SELECT id, ${claimedUntil}, ${options.claim ? 1 : 0} FROM op
        RETURNING id AS outbox_id, operation_id
      ), jobs AS (
        INSERT INTO jobs (operation_id, job_id, queue, mode, expected, expected_workers)
        SELECT v.operation_id, v.job_id, v.queue, v.mode, v.expected, v.workers
        FROM jsonb_to_recordset(
               ${jsonParam(jobRows(plans.filter((p) => p !== undefined)))}::jsonb
             ) AS v(${sql.literal(jobColumns)})
      )
      SELECT op.*, box.outbox_id, 0 AS received FROM op JOIN box ON box.operation_id = op.id`
    const byId = new Map(rows.map((row) => [row.id, row]))
    return ops.map((o, i): Inserted => {
      const { outbox_id, ...row } = byId.get(o.id)!
      const outboxId = String(outbox_id)
      const planned = plans[i]
      return {
        operation: toOperation(row),
        pending:
          planned === undefined
            ? { ...o, outboxId }
            : { ...o, outboxId, plan: { ...planned, outboxId } },
      }
    })
  })

/** Store one operation and its outbox entry atomically. */
export const insert = (
  op: NewOperation,
): Effect.Effect<Operation, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.map(insertMany([op]), (rows) => rows[0]!.operation)

const selectOperation = (sql: SqlClient.SqlClient) => sql`
  SELECT o.*, (SELECT count(*) FROM results r WHERE r.operation_id = o.id) AS received
  FROM operations o`

/**
 * Where a page starts, as a cursor names it: the rows after (older than) a row's
 * (created_at, id) key, or the rows before (newer than) it, the page just above.
 */
export interface PageKey {
  readonly direction: "after" | "before"
  /** created_at in ISO 8601 with the database's microseconds (a millisecond holds many rows). */
  readonly at: string
  readonly id: string
}

/**
 * The cursor of a page, opaque to clients: `[at, id]` for the rows after a key (the shape
 * nextCursor always had, so cursors already handed out still read) and `[at, id, "before"]`.
 */
export const encodeCursor = (key: PageKey): string =>
  Buffer.from(
    JSON.stringify(key.direction === "after" ? [key.at, key.id] : [key.at, key.id, "before"]),
  ).toString("base64url")

// Only what PostgreSQL reads back as a timestamp and a uuid: a forged cursor that Date.parse
// takes ("1", Feb 31) or a uuid of dashes made the query fail (a 503, not a 400).
const IsoAt = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.\d{1,6})?Z$/
const Uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

const validAt = (at: string): boolean => {
  const m = IsoAt.exec(at)
  if (m === null) return false
  const ms = Date.parse(at)
  // a day past the month's end parses (rolled over): the round trip tells
  return !Number.isNaN(ms) && new Date(ms).toISOString().startsWith(m[1]!)
}

/** Read a cursor; `undefined` when it was not made by {@link encodeCursor}. */
export const decodeCursor = (cursor: string): PageKey | undefined => {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"))
    if (
      Array.isArray(value) &&
      (value.length === 2 || (value.length === 3 && value[2] === "before")) &&
      typeof value[0] === "string" &&
      typeof value[1] === "string" &&
      validAt(value[0]) &&
      Uuid.test(value[1])
    )
      return { direction: value.length === 2 ? "after" : "before", at: value[0], id: value[1] }
  } catch {
    // not ours
  }
  return undefined
}

interface ListRow extends OperationRow {
  /** created_at to the microsecond, for the cursors (a Date keeps milliseconds). */
  readonly key_at: string
}

/** Counted exactly up to here; past it the list's total is a lower bound (`totalExact: false`). */
export const exactTotalUpTo = 10_000

/**
 * A page of operations, newest first, with the total matching the filters and how many of those
 * come before the page (its offset: the console's "26–50 of 137" after rows above were deleted).
 *
 * Both are counts, and a count reads every row it counts: counting all the matches cost 111-380
 * ms a page at 2.7 million operations (1.1 s by type), and the console's overview reads one every
 * 10 s. So the total is counted up to {@link exactTotalUpTo} matches only, and the offset is the
 * rows above the page (as many as a reader paged through to get there).
 */
export const list = (
  query: ListQuery,
  from: PageKey | undefined,
): Effect.Effect<
  {
    items: ReadonlyArray<Operation>
    total: number
    totalExact: boolean
    offset: number
    nextCursor: string | null
    previousCursor: string | null
  },
  SqlError.SqlError,
  SqlClient.SqlClient
> =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const limit = query.limit ?? 50
    const filters = [
      query.status === undefined ? undefined : sql`o.status = ${query.status}`,
      query.type === undefined ? undefined : sql`o.type = ${query.type}`,
      query.target === undefined ? undefined : sql`o.target = ${query.target}`,
      query.queue === undefined ? undefined : sql`o.queues @> ARRAY[${query.queue}]::text[]`,
      query.since === undefined
        ? undefined
        : sql`o.created_at >= ${query.since.toISOString()}::timestamptz`,
      query.until === undefined
        ? undefined
        : sql`o.created_at < ${query.until.toISOString()}::timestamptz`,
    ].filter((f) => f !== undefined)
    const key = from === undefined ? undefined : sql`(${from.at}::timestamptz, ${from.id}::uuid)`
    /** The filters, and conditions on the key. */
    const matching = (...more: ReadonlyArray<Fragment>) => sql.and([...filters, ...more])
    const rowsOf = (where: Fragment, order: "DESC" | "ASC") => sql<ListRow>`
      SELECT s.*, to_char(s.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS key_at
      FROM (${selectOperation(sql)} WHERE ${where}) s
      ORDER BY s.created_at ${sql.unsafe(order)}, s.id ${sql.unsafe(order)}
      LIMIT ${limit + 1}`
    // The rows above the key (newer): the offset of a page read forwards (the key's own row, the
    // last of the page before, included), or of one read backwards (less its own rows). Counted
    // exactly, in the statement that counts the total: as many rows as a reader paged through.
    const aboveKey =
      from === undefined
        ? sql`0`
        : sql`(SELECT count(*) FROM operations o WHERE ${matching(
            from.direction === "after"
              ? sql`(o.created_at, o.id) >= ${key!}`
              : sql`(o.created_at, o.id) > ${key!}`,
          )})`
    // a page read backwards has a page after it while the key's row or older remain
    const belowKey =
      from?.direction === "before"
        ? sql`EXISTS (SELECT FROM operations o WHERE ${matching(sql`(o.created_at, o.id) <= ${key!}`)})`
        : sql`false`
    const [found, count] = yield* Effect.all(
      [
        from === undefined
          ? rowsOf(matching(), "DESC")
          : from.direction === "after"
            ? rowsOf(matching(sql`(o.created_at, o.id) < ${key!}`), "DESC")
            : // the rows just above the key, nearest first, then turned back to newest first
              rowsOf(matching(sql`(o.created_at, o.id) > ${key!}`), "ASC"),
        sql<{ readonly n: string; readonly above: string; readonly below: boolean }>`
          SELECT (SELECT count(*) FROM (SELECT FROM operations o WHERE ${matching()}
                                        LIMIT ${exactTotalUpTo + 1}) m) AS n,
                 ${aboveKey} AS above, ${belowKey} AS below`,
      ],
      { concurrency: "unbounded" },
    )
    const counted = Number(count[0]?.n ?? 0)
    const totalExact = counted <= exactTotalUpTo
    const above = Number(count[0]?.above ?? 0)
    const below = count[0]?.below === true
    const cursor = (direction: PageKey["direction"], row: ListRow | undefined) =>
      row === undefined ? null : encodeCursor({ direction, at: row.key_at, id: row.id })
    // The rows and the counts are two statements (run side by side): a row deleted between them
    // must not give an offset below 0 or a last row past the total.
    const page = (
      rows: ReadonlyArray<ListRow>,
      offset: number,
      nextCursor: string | null,
      previousCursor: string | null,
    ) => {
      const at = Math.max(0, offset)
      return {
        items: rows.map(toOperation),
        // past the exact part: at least what was counted, and at least this page's last row
        total: Math.max(totalExact ? counted : exactTotalUpTo, at + rows.length),
        totalExact,
        offset: at,
        nextCursor,
        previousCursor,
      }
    }
    if (from?.direction === "before") {
      // Fewer than a page above the key: that is the top of the list, so the first page
      // (a full one, the page a fresh list shows) with no page before it.
      if (found.length <= limit) {
        const first = yield* rowsOf(matching(), "DESC")
        return page(
          first.slice(0, limit),
          0,
          cursor("after", first.length > limit ? first[limit - 1] : undefined),
          null,
        )
      }
      const rows = found.slice(0, limit).reverse()
      return page(
        rows,
        above - rows.length,
        cursor("after", below ? rows.at(-1) : undefined),
        cursor("before", rows[0]),
      )
    }
    // An empty page after a cursor (the rows after it were deleted, or an old link past the
    // end) stays empty, with the rows above it as its offset: answering the first page instead
    // would send a client reading on with nextCursor round the list again.
    const rows = found.slice(0, limit)
    return page(
      rows,
      above,
      cursor("after", found.length > limit ? rows.at(-1) : undefined),
      cursor("before", above > 0 ? rows[0] : undefined),
    )
  })

interface ResultRow {
  readonly job_id: string
  readonly worker_id: string
  readonly hostname: string | null
  readonly queue: string
  readonly location: string | null
  readonly status: "ok" | "error" | "expired"
  readonly attempt: number
  readonly started_at: Date
  readonly finished_at: Date
  readonly received_at: Date
  readonly data: unknown
  readonly raw: string | null
  readonly error: string | null
  readonly error_reason: string | null
  readonly error_field: string | null
}

/** A stored result as the API shows it. */
export const toResult = (row: ResultRow): WorkerResult => ({
  jobId: row.job_id,
  workerId: row.worker_id,
  hostname: row.hostname,
  queue: row.queue,
  location: row.location,
  status: row.status,
  attempt: row.attempt,
  startedAt: row.started_at.toISOString(),
  finishedAt: row.finished_at.toISOString(),
  receivedAt: row.received_at.toISOString(),
  durationMs: row.finished_at.getTime() - row.started_at.getTime(),
  result: row.data ?? null,
  raw: row.raw,
  error: row.error,
  ...(row.error_reason === null ? {} : { errorReason: row.error_reason }),
  ...(row.error_field === null ? {} : { errorField: row.error_field }),
})

/** One operation with its expected workers and results, or `undefined` (one round trip). */
export const get = (
  id: string,
): Effect.Effect<OperationDetail | undefined, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<
      OperationRow & {
        readonly job_rows: ReadonlyArray<{
          job_id: string
          queue: string
          mode: string
          expected_workers: ReadonlyArray<{ id: string; hostname: string }>
        }>
        readonly result_rows: ReadonlyArray<JsonRow<ResultRow>>
      }
    >`
      SELECT o.*,
        (SELECT count(*) FROM results r WHERE r.operation_id = o.id) AS received,
        (SELECT coalesce(json_agg(j ORDER BY j.job_id), '[]'::json)
         FROM (SELECT job_id, queue, mode, expected_workers FROM jobs WHERE operation_id = o.id) j
        ) AS job_rows,
        (SELECT coalesce(json_agg(r ORDER BY r.received_at, r.worker_id), '[]'::json)
         FROM results r WHERE r.operation_id = o.id) AS result_rows
      FROM operations o WHERE o.id = ${id}`
    const row = rows[0]
    if (row === undefined) return undefined
    const { job_rows: jobs, result_rows: results, ...operation } = row
    return {
      ...toOperation(operation),
      expectedWorkers: jobs.flatMap(
        (job): ReadonlyArray<OperationDetail["expectedWorkers"][number]> =>
          job.mode === "each"
            ? job.expected_workers.map((w) => ({
                jobId: job.job_id,
                queue: job.queue,
                workerId: w.id,
                hostname: w.hostname,
              }))
            : [{ jobId: job.job_id, queue: job.queue, workerId: null, hostname: null }],
      ),
      // a worker that went offline before its result arrived is still named from the dispatch
      results: results.map((json) => {
        const result = toResult(fromJson(json))
        if (result.hostname !== null) return result
        const known = jobs
          .flatMap((job) => job.expected_workers)
          .find((w) => w.id === result.workerId)
        return known === undefined ? result : { ...result, hostname: known.hostname }
      }),
    }
  })

/** An operation's status and how many results it has, or `undefined`. */
export const stateOf = (
  id: string,
): Effect.Effect<
  { readonly status: OperationStatus; readonly received: number } | undefined,
  SqlError.SqlError,
  SqlClient.SqlClient
> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.map(
      sql<{ status: OperationStatus; received: string }>`
        SELECT status, (SELECT count(*) FROM results WHERE operation_id = ${id}) AS received
        FROM operations WHERE id = ${id}`,
      (rows) =>
        rows[0] === undefined
          ? undefined
          : { status: rows[0].status, received: Number(rows[0].received) },
    ),
  )

/** Results stored after a point (for event streams that catch up from the database). */
export const resultsOf = (
  id: string,
): Effect.Effect<ReadonlyArray<WorkerResult>, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.map(
      sql<ResultRow>`SELECT * FROM results WHERE operation_id = ${id} ORDER BY received_at, worker_id`,
      (rows) => rows.map(toResult),
    ),
  )

/** An unsent outbox entry with what the dispatcher needs to publish it: the stored operation. */
export interface Pending extends NewOperation {
  readonly outboxId: string
  /** Its plan, when it was stored planned (`insertMany` with a planner). */
  readonly plan?: Dispatched
}

/** What the dispatcher records for one published operation. */
export interface Dispatched {
  readonly outboxId: string
  readonly id: string
  readonly deadline: number
  readonly expected: number
  readonly jobs: ReadonlyArray<{
    readonly jobId: string
    readonly queue: string
    readonly mode: "one" | "each"
    readonly expected: number
    readonly workers: ReadonlyArray<{ readonly id: string; readonly hostname: string }>
  }>
}

/** A publish that failed: retried later, or (`permanent`) the operation ends as `error`. */
export interface Failed {
  readonly outboxId: string
  readonly operationId: string
  readonly error: string
  /** The transport refused the job itself (an unknown queue, a message too large). */
  readonly permanent: boolean
}

/** Works out one outbox entry's dispatch (its jobs, expected workers, deadline), or why it fails. */
export type Planner = (pending: Pending) => Either.Either<Dispatched, Failed>

/** What planning a batch did: the entries to publish, and the operations it ended at once. */
export interface Plans {
  readonly planned: ReadonlyArray<Dispatched & { readonly pending: Pending }>
  readonly rejected: ReadonlyArray<string>
}

/** How long a claimed outbox entry stays with its dispatcher before another may take it. */
const claimLease = "30 seconds"

/**
 * Claim up to `limit` unsent outbox entries (`SKIP LOCKED`, then a lease: other replicas take the
 * next ones, and take these over if this dispatcher dies before recording the publish), and record
 * each one's plan (expected workers, deadline) as `plan` computes it. Operations stay `pending`
 * until {@link recordPublished}; a plan that fails ends its operation as `error` at once.
 *
 * Two statements and no transaction: the lease taken by the first keeps other dispatchers away
 * until the second has written the plan (round trips, not rows, are what costs here).
 */
export const claimOutbox = (
  limit: number,
  plan: Planner,
): Effect.Effect<Plans, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    // an operation that ended meanwhile (its dispatcher died after publishing) is marked sent, not
    // sent again
    const claimed = yield* sql<{
      outbox_id: string
      id: string
      type: OperationType
      target: string
      options: Record<string, unknown>
      queues: ReadonlyArray<string>
      timeout_ms: number
      status: OperationStatus
    }>`
      WITH picked AS (
        SELECT id FROM outbox
        WHERE sent_at IS NULL AND (claimed_until IS NULL OR claimed_until < clock_timestamp())
        ORDER BY id
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED
      )
      UPDATE outbox b
      SET claimed_until = clock_timestamp() + ${claimLease}::interval,
          attempts = b.attempts + 1,
          sent_at = CASE WHEN o.status <> 'pending' THEN clock_timestamp() END
      FROM picked p, operations o
      WHERE b.id = p.id AND o.id = b.operation_id
      RETURNING b.id AS outbox_id, o.id, o.type, o.target, o.options, o.queues, o.timeout_ms,
                o.status`
    const rows = [...claimed].sort((a, b) => Number(a.outbox_id) - Number(b.outbox_id))
    return yield* planClaimed(
      rows
        .filter((r) => r.status === "pending")
        .map((r): Pending => ({
          outboxId: String(r.outbox_id),
          id: r.id,
          type: r.type,
          target: r.target,
          options: r.options,
          queues: r.queues,
          timeoutMs: r.timeout_ms,
        })),
      plan,
    )
  })

/**
 * On the in-process transport, what a stopped process left undone: its queue died with it, so an
 * operation still `running` waits for jobs no worker will take (they ran out their deadline as
 * `timeout`). Those whose deadline has not passed go back to `pending` with an unsent outbox entry,
 * and entries claimed but not published are released: the dispatcher sends them again, planned
 * afresh (a result already stored stays; a second one from the same worker is ignored). Only for
 * a process that is the transport's only user (the embedded mode), and only what a process
 * dispatched or stored `before` this one started (what this one sends meanwhile is its own).
 * Resolves to the operations sent again.
 */
export const requeueOrphans = (
  before: Date,
): Effect.Effect<ReadonlyArray<string>, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.map(
      sql<{ id: string }>`
        WITH orphans AS (
          UPDATE operations SET status = 'pending', dispatched_at = NULL
          WHERE status = 'running' AND deadline > clock_timestamp()
            AND dispatched_at < ${before.toISOString()}::timestamptz
          RETURNING id
        ), released AS (
          UPDATE outbox SET sent_at = NULL, claimed_until = NULL
          WHERE operation_id IN (SELECT id FROM orphans)
             OR (sent_at IS NULL AND claimed_until IS NOT NULL
                 AND created_at < ${before.toISOString()}::timestamptz)
        ), missing AS (
          -- the sweeper deletes entries sent long ago
          INSERT INTO outbox (operation_id)
          SELECT o.id FROM orphans o
          WHERE NOT EXISTS (SELECT 1 FROM outbox b WHERE b.operation_id = o.id)
        )
        SELECT id FROM orphans`,
      (rows) => rows.map((r) => r.id),
    ),
  )

/**
 * Record the plan of outbox entries this dispatcher holds the lease of (claimed from the outbox,
 * or at insert by this replica), as `plan` computes it; see {@link claimOutbox}. Entries stored
 * planned keep their plan and cost no statement.
 */
export const planClaimed = (
  pending: ReadonlyArray<Pending>,
  plan: Planner,
): Effect.Effect<Plans, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const planned: Array<Dispatched & { pending: Pending }> = []
    // the plans to write: those stored with their operation are there already
    const fresh: Array<Dispatched> = []
    const rejected: Array<Failed> = []
    for (const p of pending) {
      if (p.plan !== undefined) {
        planned.push({ ...p.plan, pending: p })
        continue
      }
      const outcome = plan(p)
      if (Either.isRight(outcome)) {
        planned.push({ ...outcome.right, pending: p })
        fresh.push(outcome.right)
      } else rejected.push(outcome.left)
    }
    if (fresh.length === 0 && rejected.length === 0) return { planned, rejected: [] }
    const ids = fresh.map((s) => s.id)
    yield* sql`
      WITH plan AS (
        UPDATE operations o
        SET deadline = to_timestamp(v.deadline / 1000.0), expected = v.expected
        FROM unnest(${ids}::uuid[], ${fresh.map((s) => s.deadline)}::float8[],
                    ${fresh.map((s) => s.expected)}::int[]) AS v(id, deadline, expected)
        WHERE o.id = v.id AND o.status = 'pending'
      ), jobs AS (
        INSERT INTO jobs (operation_id, job_id, queue, mode, expected, expected_workers)
        SELECT v.operation_id, v.job_id, v.queue, v.mode, v.expected, v.workers
        FROM jsonb_to_recordset(${jsonParam(jobRows(fresh))}::jsonb) AS v(${sql.literal(jobColumns)})
        -- an operation deleted meanwhile gets no jobs: its key-share lock, as a foreign key
        -- check took it (migration 0005), makes a delete wait for this statement
        JOIN (SELECT id FROM operations WHERE id = ANY(${ids}::uuid[]) FOR KEY SHARE) o
          ON o.id = v.operation_id
        ON CONFLICT (operation_id, job_id) DO UPDATE
          SET expected = excluded.expected, expected_workers = excluded.expected_workers
      )${failures(sql, rejected)}
      SELECT 1`
    return { planned, rejected: rejected.map((f) => f.operationId) }
  })

/**
 * Two CTEs (`failed_box`, `failed_ops`) recording failed publishes: permanent ones end their
 * operation as `error`; the others go back to the unsent work, to be planned afresh next time.
 * With no failure (the usual case) they are left out, and the statement starts with a comma to
 * follow the CTEs before it: planning them over empty arrays cost the database ~0.4 ms, and each
 * statement is planned at every run (`db/prepared.ts`).
 */
const failures = (sql: SqlClient.SqlClient, failed: ReadonlyArray<Failed>) => {
  if (failed.length === 0) return sql``
  const v = sql`unnest(${failed.map((f) => f.outboxId)}::bigint[],
                       ${failed.map((f) => f.operationId)}::uuid[],
                       ${failed.map((f) => f.error.slice(0, 1000))}::text[],
                       ${failed.map((f) => f.permanent)}::bool[])
                AS v(outbox_id, operation_id, error, permanent)`
  return sql`
    , failed_box AS (
      UPDATE outbox b
      SET sent_at = CASE WHEN v.permanent THEN clock_timestamp() END,
          claimed_until = CASE WHEN v.permanent THEN b.claimed_until END,
          last_error = v.error
      FROM ${v}
      WHERE b.id = v.outbox_id
    )
    , failed_ops AS (
      UPDATE operations o
      SET status = CASE WHEN v.permanent THEN 'error' ELSE o.status END,
        finished_at = CASE WHEN v.permanent THEN clock_timestamp() ELSE o.finished_at END,
        error = CASE WHEN v.permanent THEN v.error ELSE o.error END,
        expected = CASE WHEN v.permanent THEN o.expected END,
        deadline = CASE WHEN v.permanent THEN o.deadline END
      FROM ${v}
      WHERE o.id = v.operation_id
        AND o.status IN ('pending', CASE WHEN v.permanent THEN 'running' ELSE 'pending' END)
    )`
}

/**
 * Record the outcome of publishing claimed entries: the sent ones become `running` (unless their
 * results already settled them), the others are released for a retry or ended (`permanent`).
 * One statement; resolves to the operations that became `running`.
 *
 * It commits without waiting for its WAL flush (`synchronous_commit` off for this transaction
 * only). Its row locks were held through the flush, and the first results of a fan-out waited
 * for them to settle their operation (auto_explain, 100-worker broadcast: 1.4 ms at the median
 * in the result batch, 0.07 ms after). Losing this commit in a database crash loses nothing:
 * the entry is still claimed and unsent, so it is published again when its lease runs out, and
 * its results are stored once (their key); a later synchronous commit flushes it with its own.
 */
export const recordPublished = (
  sent: ReadonlyArray<Dispatched>,
  failed: ReadonlyArray<Failed>,
): Effect.Effect<ReadonlyArray<string>, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sent.length === 0 && failed.length === 0
      ? Effect.succeed([])
      : Effect.map(
          sql<{ running: ReadonlyArray<string> }>`
            WITH sent_box AS (
              UPDATE outbox SET sent_at = clock_timestamp(), claimed_until = NULL
              WHERE id = ANY(${sent.map((s) => s.outboxId)}::bigint[])
            ), running AS (
              UPDATE operations SET status = 'running', dispatched_at = clock_timestamp()
              WHERE id = ANY(${sent.map((s) => s.id)}::uuid[]) AND status = 'pending'
              RETURNING id
            )${failures(sql, failed)}
            SELECT set_config('synchronous_commit', 'off', true) AS async,
                   (SELECT coalesce(json_agg(id), '[]'::json) FROM running) AS running`,
          (rows) => rows[0]?.running ?? [],
        ),
  )

/** A result to store (from the transport's result message). */
export interface NewResult {
  readonly operationId: string
  readonly jobId: string
  readonly workerSlot: string
  readonly workerId: string
  readonly hostname: string | null
  readonly queue: string
  readonly location: string | null
  readonly mode: string
  readonly attempt: number
  readonly status: "ok" | "error" | "expired"
  readonly startedAt: number
  readonly finishedAt: number
  readonly data: unknown
  readonly raw: string | null
  readonly error: string | null
  /** The failure's reason (e.g. a ToolError's `InvalidTarget`), when the worker sent one. */
  readonly errorReason?: string | null
  /** The input field the failure names, when the worker sent one. */
  readonly errorField?: string | null
}

/** What storing a batch of results did: the rows that were new, and operations that ended. */
export interface Stored {
  /** The results stored by this call, as the API shows them, each with its operation. */
  readonly inserted: ReadonlyArray<{ readonly operationId: string; readonly result: WorkerResult }>
  readonly settled: ReadonlyArray<Settled>
}

/**
 * Store results idempotently (a redelivered result is ignored by the primary key), then settle
 * every operation whose expected workers have all answered. No transaction and no operation lock:
 * the results never wait for a dispatcher, a crash between the two statements is repaired by the
 * redelivery (the caller acks only after both), and two replicas settling the same operation at
 * once (each not seeing the other's rows) is repaired by the sweeper's settle pass.
 */
export const storeResults = (
  results: ReadonlyArray<NewResult>,
): Effect.Effect<Stored, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    if (results.length === 0) return { inserted: [], settled: [] }
    // one row per key (a redelivery can land in the same batch as its original): the statement
    // then stores exactly the rows it names, and what it stored is told by key alone
    const byKey = new Map<string, number>()
    const rows: Array<NewResult> = []
    for (const r of results) {
      const key = resultKey(r.operationId, r.jobId, r.workerSlot)
      if (!byKey.has(key)) byKey.set(key, rows.push(r) - 1)
    }
    const json = recordset(rows)
    // the rows as the columns will hold them (jsonb numbers and strings, no U+0000 nor lone surrogate)
    const asStored = JSON.parse(json) as ReadonlyArray<StoredRecord>
    const ids = [...new Set(rows.map((r) => r.operationId))]
    // the batch's operations, as a condition the primary key answers (see `countsOf`)
    const ours = sql`= ANY(${ids}::uuid[])`
    // results of operations that do not exist (deleted, or foreign) are dropped by the join; the
    // count that settles an operation adds the rows inserted here to those already stored (the
    // statement's snapshot does not see its own inserts). Only the keys and receipt times come
    // back: the rows are here already, and sending them back as JSON cost more than the insert
    const [row] = yield* sql<{
      inserted: ReadonlyArray<readonly [string, string, string, string]>
      settled: ReadonlyArray<{ id: string; status: OperationStatus; received: number }>
    }>`
      WITH ins AS (
        INSERT INTO results (operation_id, job_id, worker_slot, worker_id, hostname, queue,
                             location, mode, attempt, status, started_at, finished_at, data, raw,
                             error, error_reason, error_field)
        SELECT v.operation_id, v.job_id, v.worker_slot, v.worker_id, v.hostname, v.queue,
               v.location, v.mode, v.attempt, v.status, to_timestamp(v.started_at / 1000.0),
               to_timestamp(v.finished_at / 1000.0), v.data, v.raw, v.error,
               v.error_reason, v.error_field
        FROM jsonb_to_recordset(${json}::jsonb)
             AS v(operation_id uuid, job_id text, worker_slot text, worker_id text, hostname text,
                  queue text, location text, mode text, attempt int, status text,
                  started_at float8, finished_at float8, data jsonb, raw text, error text,
                  error_reason text, error_field text)
        -- by the index (a join alone read every operation stored, for want of statistics),
        -- locked as a foreign key check would (once, not per row): a concurrent delete waits,
        -- then takes these results with it (migration 0004)
        JOIN (SELECT id FROM operations WHERE id ${ours} FOR KEY SHARE) o ON o.id = v.operation_id
        ON CONFLICT (operation_id, job_id, worker_slot) DO NOTHING
        RETURNING operation_id, job_id, worker_slot, worker_id, mode, status, received_at
      ), counts AS ${countsOf(
        sql,
        sql`(SELECT operation_id, job_id, worker_id, mode, status FROM results
             WHERE operation_id ${ours}
             UNION ALL
             SELECT operation_id, job_id, worker_id, mode, status FROM ins)`,
        ours,
      )}, settled AS (
        ${settleFrom(sql, sql`counts`, ours)}
      )
      SELECT (SELECT coalesce(json_agg(json_build_array(operation_id, job_id, worker_slot,
                                                        received_at)), '[]'::json)
              FROM ins) AS inserted,
             (SELECT coalesce(json_agg(settled), '[]'::json) FROM settled) AS settled`
    return {
      inserted: (row?.inserted ?? []).flatMap(([operationId, jobId, slot, receivedAt]) => {
        const i = byKey.get(resultKey(operationId, jobId, slot))
        return i === undefined
          ? []
          : [{ operationId, result: fromStored(asStored[i]!, receivedAt) }]
      }),
      settled: (row?.settled ?? []).map((r) => ({
        id: r.id,
        status: r.status,
        received: Number(r.received),
      })),
    }
  })

/** A result as `jsonb_to_recordset` reads it (times in epoch milliseconds). */
type StoredRecord = Omit<ResultRow, "started_at" | "finished_at" | "received_at"> & {
  readonly operation_id: string
  readonly worker_slot: string
  readonly mode: string
  readonly started_at: number
  readonly finished_at: number
}

/** The results as one JSON parameter (see `jsonParam`). */
const recordset = (rows: ReadonlyArray<NewResult>): string =>
  jsonParam(
    rows.map((r): StoredRecord => ({
      operation_id: r.operationId,
      job_id: r.jobId,
      worker_slot: r.workerSlot,
      worker_id: r.workerId,
      hostname: r.hostname,
      queue: r.queue,
      location: r.location,
      mode: r.mode,
      attempt: r.attempt,
      status: r.status,
      started_at: r.startedAt,
      finished_at: r.finishedAt,
      data: r.data ?? null,
      raw: r.raw,
      error: r.error,
      error_reason: r.errorReason ?? null,
      error_field: r.errorField ?? null,
    })),
  )

/**
 * Rows as one JSON parameter for `jsonb_to_recordset`: `JSON.stringify` is native, where array
 * parameters go through `pg`'s per-element escaping (the largest allocation of a 100-worker
 * fan-out, and ~4 KB per operation at insert). As `jsonb` rather than `json`, the text is parsed
 * once: `json_to_recordset` lexes it again and then parses each `jsonb` field a third time (100
 * ping results: 12.5 → 11.1 ms of the database's time, recorded rows replayed).
 *
 * PostgreSQL's JSON cannot hold U+0000 or a lone surrogate (half of a pair, as a string cut in the
 * middle of an emoji leaves it), which a tool's output, a worker or a request may still send:
 * `JSON.stringify` writes them as `\u` escapes, and PostgreSQL refuses the whole parameter. They
 * become U+FFFD, so that one such row cannot fail its whole batch (again at every redelivery).
 */
const jsonParam = (rows: ReadonlyArray<unknown>): string => {
  const json = JSON.stringify(rows)
  // an escaped backslash before `u0000` is text, not the escape; JSON.stringify escapes a
  // surrogate only when it is alone
  return json.includes("\\u0000") || json.includes("\\ud")
    ? json.replace(/(?<!\\)((?:\\\\)*)\\u(?:0000|d[89a-f][0-9a-f]{2})/g, "$1\\ufffd")
    : json
}

const resultKey = (operationId: string, jobId: string, slot: string) =>
  `${operationId.toLowerCase()}\u0000${jobId}\u0000${slot}`

/** A result as the API shows it, from what was stored and when. */
const fromStored = (r: StoredRecord, receivedAt: string): WorkerResult =>
  toResult({
    ...r,
    started_at: new Date(r.started_at),
    finished_at: new Date(r.finished_at),
    received_at: new Date(receivedAt),
  })

/** A result row as `json_agg` gives it: timestamps as strings. */
type JsonRow<R> = Omit<R, "started_at" | "finished_at" | "received_at"> & {
  readonly started_at: string
  readonly finished_at: string
  readonly received_at: string
}

/** A result row from `json_agg` with its timestamps as dates again. */
const fromJson = (row: JsonRow<ResultRow>): ResultRow => ({
  ...row,
  started_at: new Date(row.started_at),
  finished_at: new Date(row.finished_at),
  received_at: new Date(row.received_at),
})

type Fragment = Statement.Fragment

/** An operation that ended, with how many results it has. */
export interface Settled {
  readonly id: string
  readonly status: OperationStatus
  readonly received: number
}

/**
 * Per-operation counts over a relation of result rows `u` (`operation_id`, `job_id`,
 * `worker_id`, `mode`, `status`): `n` every result, and `m`, `ok`, `failed` over the results that
 * answer for the operation: a direct job's one, and on a broadcast those of the workers it
 * expected. A worker the broadcast did not expect (stopped when it was sent, then restarted
 * within its queue's expiry and answering the copy it missed) is stored and shown, but does not
 * stand in for an expected worker still running, nor turn a `done` into a `partial`.
 *
 * `operations` is the same set of operations as a condition on `j.operation_id` that an index
 * answers (`= ANY(ids)`): joined to the relation instead, the planner, without statistics on a
 * CTE, scanned every job ever stored for each batch (100 results: 3 ms at 400 operations, and
 * growing with the table).
 */
const countsOf = (sql: SqlClient.SqlClient, rows: Fragment, operations: Fragment) => sql`(
  SELECT operation_id, count(*) AS n,
         count(*) FILTER (WHERE counted) AS m,
         count(*) FILTER (WHERE counted AND status = 'ok') AS ok,
         count(*) FILTER (WHERE counted AND status <> 'ok') AS failed
  FROM (SELECT u.operation_id, u.status, u.mode = 'one' OR e.worker_id IS NOT NULL AS counted
        FROM ${rows} u
        -- the expected workers of the jobs in question, one row each, joined once: a per-row
        -- EXISTS over the jobs' JSON lists was evaluated for each count (100 results: 3 ms)
        LEFT JOIN (SELECT DISTINCT j.operation_id, j.job_id, w ->> 'id' AS worker_id
                   FROM jobs j CROSS JOIN LATERAL jsonb_array_elements(j.expected_workers) w
                   WHERE j.mode = 'each' AND j.operation_id ${operations}) e
          ON e.operation_id = u.operation_id AND e.job_id = u.job_id
             AND e.worker_id = u.worker_id) AS c
  GROUP BY operation_id
)`

/**
 * The UPDATE that ends the in-flight operations whose every expected result is in, given a
 * relation of per-operation counts (`operation_id`, `n`, `m`, `ok`, `failed`: see `countsOf`)
 * over `operations` (a condition on an id, as `countsOf` takes it: found by their primary key,
 * not through the index of in-flight operations, which keeps an entry for every update until a
 * vacuum).
 */
const settleFrom = (sql: SqlClient.SqlClient, counts: Fragment, operations: Fragment) => sql`
  UPDATE operations o
  SET status = CASE WHEN r.failed = 0 THEN 'done' WHEN r.ok = 0 THEN 'error' ELSE 'partial' END,
      finished_at = clock_timestamp()
  FROM ${counts} r
  WHERE o.id = r.operation_id AND o.id ${operations}
    AND o.status IN ('pending', 'running') AND o.expected IS NOT NULL
    AND r.m >= o.expected
  RETURNING o.id, o.status, r.n AS received`

/**
 * End the in-flight operations among `operations` (a condition on an id) whose every expected
 * result is in.
 */
const settle = (sql: SqlClient.SqlClient, operations: Fragment) =>
  sql<{ id: string; status: OperationStatus; received: string }>`${settleFrom(
    sql,
    countsOf(sql, sql`(SELECT * FROM results WHERE operation_id ${operations})`, operations),
    operations,
  )}`.pipe(
    Effect.map((rows): ReadonlyArray<Settled> =>
      rows.map((r) => ({ id: r.id, status: r.status, received: Number(r.received) })),
    ),
  )

/** A lock key so that one replica at a time sweeps deadlines. */
const sweepLock = 0x73776570 // "swep"

/**
 * End the running operations past their deadline (`timeout` with no result, `partial` with some),
 * and those dispatched to nobody (`error`). One replica at a time (a transaction-level advisory
 * lock; the others skip this round).
 */
export const sweep = (): Effect.Effect<
  ReadonlyArray<{
    readonly id: string
    readonly status: OperationStatus
    readonly received?: number
  }>,
  SqlError.SqlError,
  SqlClient.SqlClient
> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.gen(function* () {
      // the usual answer when idle, in one statement rather than a transaction of six (each
      // costs ~10 ms of CPU on the embedded PGlite); the outbox is cleaned up at the next busy round
      const [busy] = yield* sql<{ active: boolean }>`
        SELECT EXISTS (SELECT 1 FROM operations WHERE status IN ('pending', 'running')) AS active`
      if (busy?.active !== true) return []
      return yield* sweepActive(sql)
    }),
  )

/**
 * `body` in a transaction holding the advisory lock `key`, or `otherwise` at once when another
 * replica holds it: background work that one replica at a time does.
 */
const exclusively = <A, E, R>(
  sql: SqlClient.SqlClient,
  key: number,
  otherwise: A,
  body: Effect.Effect<A, E, R>,
) =>
  sql.withTransaction(
    Effect.flatMap(
      sql<{ locked: boolean }>`SELECT pg_try_advisory_xact_lock(${key}) AS locked`,
      ([lock]) => (lock?.locked === true ? body : Effect.succeed(otherwise)),
    ),
  )

/** The sweep proper, by one replica at a time (advisory lock). */
const sweepActive = (sql: SqlClient.SqlClient) =>
  exclusively(
    sql,
    sweepLock,
    [],
    Effect.gen(function* () {
      // complete operations no collector settled (two replicas stored their last results at once)
      const complete = yield* settle(
        sql,
        sql`IN (SELECT id FROM operations
                WHERE status IN ('pending', 'running') AND expected IS NOT NULL)`,
      )
      // a broadcast expects only the workers that run its type: say so when some are online
      const nobody = yield* sql<{ id: string; status: OperationStatus }>`
          UPDATE operations SET status = 'error', finished_at = clock_timestamp(),
                 error = 'no worker online on the requested queues runs ' || type || ' jobs'
          WHERE status = 'running' AND expected = 0
          RETURNING id, status`
      const late = yield* sql<{ id: string; status: OperationStatus }>`
          UPDATE operations o
          SET status = CASE WHEN EXISTS (SELECT 1 FROM results r WHERE r.operation_id = o.id)
                            THEN 'partial' ELSE 'timeout' END,
              finished_at = clock_timestamp(),
              error = 'deadline passed before every expected worker answered'
          WHERE o.status = 'running' AND o.deadline < clock_timestamp()
          RETURNING o.id, o.status`
      yield* cleanOutbox(sql)
      return [...complete, ...nobody, ...late]
    }),
  )

/**
 * Run `batch`, a delete answering how many rows it took (`size` at most), again while it comes
 * back full, `max` times at most; how many went in all. One statement each, so that a backlog does
 * not hold one long statement (nor, on the embedded database, its one connection).
 */
export const whileFull = <E, R>(
  batch: Effect.Effect<number, E, R>,
  size: number,
  max = Infinity,
): Effect.Effect<number, E, R> =>
  Effect.map(
    Effect.iterate(
      { total: 0, last: size, runs: 0 },
      {
        while: (s) => s.last === size && s.runs < max,
        body: (s) => Effect.map(batch, (n) => ({ total: s.total + n, last: n, runs: s.runs + 1 })),
      },
    ),
    (s) => s.total,
  )

/** Entries deleted by one statement of the outbox clean-up. */
const cleanBatch = 5_000

/**
 * The outbox only matters until its entry is sent: delete what was sent over ten minutes ago, by
 * its index (migration 0007), oldest first; `now()`, not `clock_timestamp()`, which as volatile
 * cannot bound an index scan. In batches, as long as they come back full: a round deleting a fixed
 * 1,000 fell behind any rate above 1,000 operations a second, and the outbox grew without end; a
 * backlog (a server stopped for a day) goes in rounds of at most 100,000. The ids go as one array
 * (an init plan, run once, then the primary key): as `IN (subquery)`, stale statistics saying the
 * outbox was empty made it a nested loop running the subquery again for every row (a test's
 * 32,000 entries: over 60 s).
 */
const cleanOutbox = (sql: SqlClient.SqlClient) =>
  whileFull(
    Effect.map(
      sql<{ n: string }>`
        WITH gone AS (
          DELETE FROM outbox WHERE id = ANY(ARRAY(
            SELECT id FROM outbox WHERE sent_at < now() - interval '10 minutes'
            ORDER BY sent_at LIMIT ${cleanBatch}))
          RETURNING 1)
        SELECT count(*) AS n FROM gone`,
      ([row]) => Number(row?.n ?? 0),
    ),
    cleanBatch,
    20,
  )

/** A lock key so that one replica at a time deletes expired operations. */
const expireLock = 0x65787072 // "expr"

/**
 * Delete up to `limit` ended operations created over `retentionMillis` ago, oldest first (by
 * `operations_created_idx`), with their jobs, results and unsent outbox entries (the trigger of
 * 0005 and 0008; the sweeper deletes sent ones), by one replica at a time. Pending and running
 * operations stay, however old. Answers how many went.
 */
export const expire = (
  retentionMillis: number,
  limit: number,
): Effect.Effect<number, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    exclusively(
      sql,
      expireLock,
      0,
      Effect.map(
        sql<{ n: string }>`
          WITH gone AS (
            DELETE FROM operations WHERE id = ANY(ARRAY(
              SELECT id FROM operations
              WHERE created_at < now() - ${retentionMillis}::float8 * interval '1 millisecond'
                AND status NOT IN ('pending', 'running')
              ORDER BY created_at LIMIT ${limit}))
            RETURNING 1)
          SELECT count(*) AS n FROM gone`,
        ([row]) => Number(row?.n ?? 0),
      ),
    ),
  )

/**
 * Counts for the metrics endpoint, each read from an index of what is in flight, so that a scrape
 * costs the same at any table size: counting every operation by status read the whole table
 * (268-540 ms at 2.7 million operations). Ended operations are counted as they end, by the
 * `netwark_operations_settled_total` counters; the table's size is PostgreSQL's estimate.
 */
export const counts = (): Effect.Effect<
  {
    readonly active: ReadonlyArray<{ status: string; type: string; n: number }>
    readonly outboxPending: number
    /** Rows in `operations` as of its last vacuum or analyze; undefined before the first. */
    readonly stored: number | undefined
  },
  SqlError.SqlError,
  SqlClient.SqlClient
> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.map(
      Effect.all([
        sql<{ status: string; type: string; n: string }>`
          SELECT status, type, count(*) AS n FROM operations
          WHERE status IN ('pending', 'running') GROUP BY status, type`,
        sql<{ n: string }>`SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL`,
        // -1 until the table's first vacuum or analyze
        sql<{ n: number }>`
          SELECT reltuples::float8 AS n FROM pg_class WHERE oid = 'operations'::regclass`,
      ]),
      ([active, outbox, stored]) => ({
        active: active.map((r) => ({ status: r.status, type: r.type, n: Number(r.n) })),
        outboxPending: Number(outbox[0]?.n ?? 0),
        stored: stored[0] === undefined || stored[0].n < 0 ? undefined : Math.round(stored[0].n),
      }),
    ),
  )
