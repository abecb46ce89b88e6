/**
 * The outbox dispatcher: publishes stored operations to the transport (with confirms), fixes the
 * workers each job expects from the registry, and records the dispatch. A publish that fails (the
 * broker is down) leaves the outbox entry unsent, and it is retried until the broker is back.
 * What this replica stored itself arrives in memory, already claimed; the outbox is claimed for
 * the rest (other replicas' entries whose lease ran out, and what no wake-up announced).
 *
 * @module
 */
import { SqlClient } from "@effect/sql"
import { Registry, Transport, type TransportError } from "@netwark/transport"
import { Cause, Duration, Effect, Either, Layer } from "effect"
import { Metrics, settled as countSettled } from "../health/metrics.js"
import { clockProblems, routingProblems } from "../workers/serving.js"
import { Events } from "./events.js"
import * as Repository from "./operations.repository.js"
import { planner } from "./planner.js"
import { toPayload } from "./payload.js"

/** How the dispatcher runs. */
export interface Options {
  /** How often to look at the outbox when nobody wakes the dispatcher. */
  readonly poll: Duration.DurationInput
  /** Outbox entries per transaction; default 256. */
  readonly batch?: number
  /** Loops claiming and publishing at once (they share the outbox through `SKIP LOCKED`). */
  readonly loops?: number
  /**
   * Before the first loop, send again what a previous process left in its queue (see
   * `Repository.requeueOrphans`): for the in-process transport of a single process only.
   */
  readonly requeueOrphans?: boolean
}

const isPermanent = (error: TransportError.TransportError) =>
  error.reason === "UnknownQueue" || error.reason === "TooLarge"

/** Claim, plan, publish and record one batch; how many entries were claimed and failed. */
const dispatchBatch = (batch: number) =>
  Effect.gen(function* () {
    const transport = yield* Transport.Transport
    const registry = yield* Registry.Registry
    const metrics = yield* Metrics
    const events = yield* Events
    const plan = planner(transport.targets, yield* registry.online)
    // what this replica stored itself comes in memory, claimed at insert; else the outbox
    // (planned as it was stored, when it could be: those need no statement here)
    const handedOver = yield* events.takeHandedOver(batch)
    const { planned, rejected } =
      handedOver.length > 0
        ? yield* Repository.planClaimed(handedOver, plan)
        : yield* Repository.claimOutbox(batch, plan)
    // a full batch: there may be more, and another loop can claim it while this one publishes
    if (planned.length + rejected.length >= batch) yield* events.wake
    if (rejected.length > 0) {
      countSettled(
        metrics,
        rejected.map(() => ({ status: "error" })),
      )
      yield* events.publishAll(
        rejected.map((id) => ({
          kind: "status" as const,
          operationId: id,
          status: "error" as const,
        })),
      )
    }
    if (planned.length === 0) return { claimed: rejected.length, failures: 0 }
    // published outside any transaction: a slow broker holds no database locks
    const items = planned.map((p) => ({
      input: {
        operationId: p.id,
        jobId: p.id,
        type: p.pending.type,
        payload: toPayload(p.pending.type, p.pending.target, p.pending.options),
        deadline: p.deadline,
      },
      targets: p.pending.queues,
    }))
    // the whole batch from one fiber: a fiber per publish cost more than the publish (server
    // CPU per operation 500 -> 320 µs). A batch refused before anything was sent (a job too
    // large, a queue gone) goes again one by one, to learn which; a broker outage fails them all
    const all = yield* Effect.either(transport.dispatchMany(items))
    const outcomes: ReadonlyArray<Either.Either<unknown, TransportError.TransportError>> =
      Either.isRight(all)
        ? items.map(() => Either.right(undefined))
        : !isPermanent(all.left)
          ? items.map(() => Either.left(all.left))
          : yield* Effect.forEach(
              items,
              (item) => Effect.either(transport.dispatch(item.input, item.targets)),
              { concurrency: 32 },
            )
    const sent: Array<Repository.Dispatched> = []
    const failed: Array<Repository.Failed> = []
    outcomes.forEach((outcome, i) => {
      const p = planned[i]!
      if (Either.isRight(outcome)) sent.push(p)
      else
        failed.push({
          outboxId: p.outboxId,
          operationId: p.id,
          error: outcome.left.message,
          permanent: isPermanent(outcome.left),
        })
    })
    const running = yield* Repository.recordPublished(sent, failed)
    const transient = failed.filter((f) => !f.permanent)
    if (failed.length > 0)
      yield* Effect.logWarning(
        `dispatcher: ${failed.length} publish(es) failed: ${failed[0]!.error}`,
      )
    metrics.operationsDispatched += sent.length
    metrics.dispatchFailures += transient.length
    countSettled(
      metrics,
      failed.filter((f) => f.permanent).map(() => ({ status: "error" })),
    )
    yield* events.publishAll([
      ...running.map((id) => ({
        kind: "status" as const,
        operationId: id,
        status: "running" as const,
      })),
      ...failed
        .filter((f) => f.permanent)
        .map((f) => ({
          kind: "status" as const,
          operationId: f.operationId,
          status: "error" as const,
        })),
    ])
    return { claimed: planned.length + rejected.length, failures: transient.length }
  })

/**
 * Warn about the online workers that jobs reach badly (routing, clock), once per worker and
 * problem (`warned` holds the keys already said).
 */
const warnProblems = (warned: Set<string>) =>
  Effect.gen(function* () {
    const transport = yield* Transport.Transport
    const registry = yield* Registry.Registry
    const problems = [
      ...routingProblems(yield* registry.online, transport.targets),
      ...clockProblems(yield* registry.known),
    ]
    for (const problem of problems) {
      if (warned.has(problem.key)) continue
      warned.add(problem.key)
      yield* Effect.logWarning(problem.message)
    }
  })

/** The database's clock now (this process's when the database cannot say). */
const databaseNow = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  sql<{ now: Date }>`SELECT clock_timestamp() AS now`.pipe(
    Effect.map((rows) => rows[0]?.now ?? new Date()),
    Effect.orElseSucceed(() => new Date()),
  ),
)

/**
 * Send again what the last process's in-process queue held (see `Repository.requeueOrphans`):
 * what was dispatched `before` this process started. Once a worker is online: the local one says
 * hello as the server starts, and planned before, a broadcast would expect nobody and end as "no
 * worker online".
 */
const sendOrphansAgain = (before: Date) =>
  Effect.gen(function* () {
    const registry = yield* Registry.Registry
    const events = yield* Events
    yield* Effect.ignore(registry.await((workers) => workers.length > 0, "30 seconds"))
    const requeued = yield* Repository.requeueOrphans(before)
    if (requeued.length === 0) return
    yield* Effect.logInfo(
      `dispatcher: sending again ${requeued.length} operation(s) whose jobs the last run's in-process queue held`,
    )
    yield* events.wake
  }).pipe(
    Effect.catchAllCause((cause) =>
      Effect.logWarning("dispatcher: orphaned operations not requeued", Cause.pretty(cause)),
    ),
  )

/** The dispatcher loop as a layer (it runs while the layer is alive). */
export const layer = (
  options: Options,
): Layer.Layer<
  never,
  never,
  SqlClient.SqlClient | Transport.Transport | Registry.Registry | Events | Metrics
> =>
  Layer.scopedDiscard(
    Effect.gen(function* () {
      const events = yield* Events
      const batch = options.batch ?? 256
      // read before the loops start: what they dispatch is this process's
      if (options.requeueOrphans === true)
        yield* Effect.forkScoped(sendOrphansAgain(yield* databaseNow))
      const loop = Effect.gen(function* () {
        const { claimed, failures } = yield* dispatchBatch(batch).pipe(
          Effect.catchAllCause((cause) =>
            Effect.as(Effect.logWarning("dispatcher: round failed", String(Cause.squash(cause))), {
              claimed: 0,
              failures: 1,
            }),
          ),
        )
        if (failures > 0) yield* Effect.sleep(Duration.millis(500))
        else if (claimed < batch) yield* events.awaitWake
      })
      // several loops: one claims while another waits for its publishes to be confirmed
      for (let i = 0; i < (options.loops ?? 3); i++) yield* Effect.forkScoped(Effect.forever(loop))
      // a new operation wakes a loop at once; the poll finds what no wake-up announced (entries
      // of a replica that died before publishing, leases that ran out). One timer for all loops:
      // each claim costs a statement, ~10 ms of CPU on the embedded PGlite, and an idle server
      // polling from every loop spent 10-20 % of a core doing nothing. The same timer looks at
      // the workers' routing and clocks (presence changes at heartbeat pace, not per batch).
      const warned = new Set<string>()
      yield* Effect.forkScoped(
        Effect.forever(
          Effect.sleep(options.poll).pipe(
            Effect.zipRight(warnProblems(warned)),
            Effect.zipRight(events.wake),
          ),
        ),
      )
    }),
  )
