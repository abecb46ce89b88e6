/**
 * The outbox dispatcher: publishes stored operations to the transport (with confirms), fixes the
 * workers each job expects from the registry, and records the dispatch. A publish that fails (the
 * broker is down) leaves the outbox entry unsent, and it is retried until the broker is back.
 *
 * @module
 */
import type { SqlClient } from "@effect/sql"
import { Registry, Transport } from "@netwark/transport"
import { Cause, Duration, Effect, Either, Layer } from "effect"
import { Metrics, settled as countSettled } from "../health/metrics.js"
import { Events } from "./events.js"
import * as Repository from "./operations.repository.js"
import { toPayload } from "./payload.js"

/** How the dispatcher runs. */
export interface Options {
  /** How often to look at the outbox when nobody wakes the dispatcher. */
  readonly poll: Duration.DurationInput
  /** Outbox entries per transaction. */
  readonly batch?: number
}

/** Publish one batch; resolves to how many entries were claimed and how many failed. */
const dispatchBatch = (batch: number) =>
  Effect.gen(function* () {
    const transport = yield* Transport.Transport
    const registry = yield* Registry.Registry
    const metrics = yield* Metrics
    let failures = 0
    const publishOne = (p: Repository.Pending) =>
      Effect.gen(function* () {
        const reach = yield* registry.reach(p.queues)
        const deadline = Date.now() + p.timeoutMs
        const jobs = yield* transport.dispatch(
          {
            operationId: p.id,
            jobId: p.id,
            type: p.type,
            payload: toPayload(p.type, p.target, p.options),
            deadline,
          },
          p.queues,
        )
        const jobInfo = reach.map((r) => ({
          jobId: jobs.find((j) => j.target === r.target)?.jobId ?? `${p.id}/${r.target}`,
          queue: r.target,
          mode: r.mode,
          // a direct job waits in its queue for a worker: it always expects one answer
          expected: r.mode === "one" ? 1 : r.workers.length,
          workers: r.workers.map((w) => ({ id: w.id, hostname: w.hostname })),
        }))
        return {
          outboxId: p.outboxId,
          id: p.id,
          deadline,
          expected: jobInfo.reduce((n, j) => n + j.expected, 0),
          jobs: jobInfo,
        } satisfies Repository.Dispatched
      })
    const { claimed, sent, rejected } = yield* Repository.drainOutbox(batch, (pending) =>
      Effect.map(
        Effect.forEach(pending, (p) => Effect.either(publishOne(p)), { concurrency: 32 }),
        (outcomes) => {
          const ok: Array<Repository.Dispatched> = []
          const failed: Array<Repository.Failed> = []
          outcomes.forEach((outcome, i) => {
            if (Either.isRight(outcome)) ok.push(outcome.right)
            else
              failed.push({
                outboxId: pending[i]!.outboxId,
                operationId: pending[i]!.id,
                error: outcome.left.message,
                permanent:
                  outcome.left.reason === "UnknownQueue" || outcome.left.reason === "TooLarge",
              })
          })
          failures = failed.filter((f) => !f.permanent).length
          if (failed.length > 0)
            Effect.runFork(
              Effect.logWarning(
                `dispatcher: ${failed.length} publish(es) failed: ${failed[0]!.error}`,
              ),
            )
          return { sent: ok, failed }
        },
      ),
    )
    metrics.operationsDispatched += sent.length
    metrics.dispatchFailures += failures
    countSettled(
      metrics,
      rejected.map(() => ({ status: "error" })),
    )
    if (rejected.length > 0)
      yield* Effect.flatMap(Events, (events) =>
        events.publishAll(
          rejected.map((id) => ({
            kind: "status" as const,
            operationId: id,
            status: "error" as const,
          })),
        ),
      )
    if (sent.length > 0) {
      const events = yield* Events
      yield* events.publishAll(
        sent.map((s) => ({
          kind: "status" as const,
          operationId: s.id,
          status: "running" as const,
        })),
      )
      // results may have come back before the dispatch was committed
      const settled = yield* Repository.settleDispatched(sent.map((s) => s.id))
      yield* events.publishAll(
        settled.map((s) => ({ kind: "status" as const, operationId: s.id, status: s.status })),
      )
    }
    return { claimed, failures }
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
      const batch = options.batch ?? 64
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
        else if (claimed < batch) yield* events.awaitWake(options.poll)
      })
      yield* Effect.forkScoped(Effect.forever(loop))
    }),
  )
