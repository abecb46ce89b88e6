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
import {
  type Envelope,
  type Queues,
  Registry,
  Transport,
  type TransportError,
} from "@netwark/transport"
import { Cause, Duration, Effect, Either, Layer } from "effect"
import { Metrics, settled as countSettled } from "../health/metrics.js"
import { clockProblems, receives, routingProblems, runs } from "../workers/serving.js"
import { Events } from "./events.js"
import * as Repository from "./operations.repository.js"
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

/** `f` computed once per key. */
const memo = <A>(f: (key: string) => A): ((key: string) => A) => {
  const seen = new Map<string, A>()
  return (key) => {
    if (!seen.has(key)) seen.set(key, f(key))
    return seen.get(key)!
  }
}

const isPermanent = (error: TransportError.TransportError) =>
  error.reason === "UnknownQueue" || error.reason === "TooLarge"

/**
 * The planner of one batch: each operation's jobs and the workers each expects, fixed from the
 * registry's online workers before anything is published; or why it cannot be sent. Who receives
 * a queue and who of them runs a type is worked out once per planner rather than once per
 * operation (a batch holds up to 256 operations, mostly to the same few queues).
 */
export const planner = (
  targets: ReadonlyArray<Queues.Target>,
  online: ReadonlyArray<Envelope.WorkerInfo>,
): Repository.Planner => {
  const known = new Map(targets.map((t) => [t.name, t.mode] as const))
  const receiversOf = memo((queue: string) =>
    online.filter((w) => receives(w, queue, known.get(queue)!)),
  )
  const servingOf = memo((queue: string) =>
    memo((type: string) => receiversOf(queue).filter((w) => runs(w, type))),
  )
  return (p) => {
    const unknown = p.queues.find((q) => !known.has(q))
    if (unknown !== undefined)
      return Either.left({
        outboxId: p.outboxId,
        operationId: p.id,
        error: `unknown queue ${unknown}`,
        permanent: true,
      })
    // a direct queue whose online workers all leave the type out: each would answer that it
    // does not run it, so say so now (with nobody online the job waits for a worker, as ever)
    const idle = p.queues.find(
      (q) =>
        known.get(q) === "one" && receiversOf(q).length > 0 && servingOf(q)(p.type).length === 0,
    )
    if (idle !== undefined) {
      const there = receiversOf(idle).map((w) => w.id)
      return Either.left({
        outboxId: p.outboxId,
        operationId: p.id,
        error: `no worker online on queue ${idle} runs ${p.type} jobs (online there: ${there.slice(0, 5).join(", ")}${there.length > 5 ? ", …" : ""})`,
        permanent: true,
      })
    }
    const jobs = p.queues.map((queue) => {
      const mode = known.get(queue)!
      // a broadcast waits only for the workers that run the type
      const workers = mode === "one" ? [] : servingOf(queue)(p.type)
      return {
        jobId: `${p.id}/${queue}`,
        queue,
        mode,
        // a direct job waits in its queue for a worker: it always expects one answer
        expected: mode === "one" ? 1 : workers.length,
        workers: workers.map((w) => ({ id: w.id, hostname: w.hostname })),
      }
    })
    return Either.right({
      outboxId: p.outboxId,
      id: p.id,
      deadline: Date.now() + p.timeoutMs,
      expected: jobs.reduce((n, j) => n + j.expected, 0),
      jobs,
    })
  }
}

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
      if (options.requeueOrphans === true) {
        // once a worker is online (the local one says hello as the server starts): planned
        // before, a broadcast would expect nobody and end as "no worker online"
        const registry = yield* Registry.Registry
        // by the database's clock: what was dispatched before now was the last process's
        const sql = yield* SqlClient.SqlClient
        const started = yield* sql<{ now: Date }>`SELECT clock_timestamp() AS now`.pipe(
          Effect.map((rows) => rows[0]?.now ?? new Date()),
          Effect.orElseSucceed(() => new Date()),
        )
        yield* registry
          .await((workers) => workers.length > 0, "30 seconds")
          .pipe(
            Effect.ignore,
            Effect.zipRight(Repository.requeueOrphans(started)),
            Effect.tap((requeued) =>
              requeued.length === 0
                ? Effect.void
                : Effect.zipRight(
                    Effect.logInfo(
                      `dispatcher: sending again ${requeued.length} operation(s) whose jobs the last run's in-process queue held`,
                    ),
                    events.wake,
                  ),
            ),
            Effect.catchAllCause((cause) =>
              Effect.logWarning(
                "dispatcher: orphaned operations not requeued",
                Cause.pretty(cause),
              ),
            ),
            Effect.forkScoped,
          )
      }
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
