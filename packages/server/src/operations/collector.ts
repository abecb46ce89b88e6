/**
 * The result collector: takes results and progress from the transport, stores results
 * idempotently, settles finished operations, publishes live events, and only then acks.
 *
 * @module
 */
import type { SqlClient } from "@effect/sql"
import { type Envelope, type Queues, Registry, Transport } from "@netwark/transport"
import { Cause, Chunk, Duration, Effect, Layer, Schedule, Stream } from "effect"
import { Metrics, settled as countSettled } from "../health/metrics.js"
import { Events, type OperationEvent } from "./events.js"
import * as Repository from "./operations.repository.js"

const isRecord = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

/** Split the tool's raw output from its parsed result (stored in their own columns). */
const splitRaw = (data: unknown): { readonly data: unknown; readonly raw: string | null } => {
  if (isRecord(data) && typeof data["raw"] === "string") {
    const { raw, ...rest } = data
    return { data: rest, raw: raw as string }
  }
  return { data, raw: null }
}

/** One turn of the event loop (its check phase). */
const nextTurn = Effect.async<void>((resume) => {
  setImmediate(() => resume(Effect.void))
})

/** The collector as a layer (it runs while the layer is alive). */
export const layer = (
  queues: ReadonlyArray<Queues.QueueConfig>,
  options: {
    /**
     * As it stops, keep storing until no result has come for 20 event-loop turns in a row (3 s at
     * most): for a transport whose queues die with the process (in-process), where a result
     * handed back is lost. Off by default: a broker redelivers what was not stored.
     */
    readonly drainOnStop?: boolean
  } = {},
): Layer.Layer<
  never,
  never,
  SqlClient.SqlClient | Transport.Transport | Registry.Registry | Events | Metrics
> =>
  Layer.scopedDiscard(
    Effect.gen(function* () {
      const transport = yield* Transport.Transport
      const registry = yield* Registry.Registry
      const events = yield* Events
      const metrics = yield* Metrics
      const locationOf = (queue: string, worker: Envelope.WorkerInfo | undefined): string | null =>
        queues.find((q) => q.queue === queue)?.location ?? (worker?.locations.join(", ") || null)

      // chunks being stored, and chunks taken so far (see the finalizer below)
      let handling = 0
      let started = 0
      const handle = (chunk: Chunk.Chunk<Transport.Delivery<Envelope.Reply>>) =>
        Effect.gen(function* () {
          const deliveries = Chunk.toReadonlyArray(chunk)
          // online or recently offline: a draining worker says goodbye before its last results,
          // and a restarted one answers the broadcasts it missed before its hello is heard
          const known = yield* registry.knownById
          const progress: Array<OperationEvent> = []
          const results: Array<Repository.NewResult> = []
          for (const { message } of deliveries) {
            if (message.kind === "progress") {
              progress.push({
                kind: "progress",
                operationId: message.operationId,
                jobId: message.jobId,
                workerId: message.workerId,
                seq: message.seq,
                at: new Date(message.at).toISOString(),
                data: message.data,
              })
              continue
            }
            const worker = known.get(message.workerId)?.worker
            const { data, raw } = splitRaw(message.data)
            results.push({
              operationId: message.operationId,
              jobId: message.jobId,
              workerSlot: message.mode === "each" ? message.workerId : "*",
              workerId: message.workerId,
              hostname: worker?.hostname ?? null,
              queue: message.target,
              location: locationOf(message.target, worker),
              mode: message.mode,
              attempt: message.attempt,
              status: message.status,
              startedAt: message.startedAt,
              finishedAt: message.finishedAt,
              data,
              raw,
              error:
                message.error?.message ??
                (message.status === "expired"
                  ? "the job reached the worker after its deadline"
                  : null),
              errorReason: message.error?.reason ?? null,
              errorField: message.error?.field ?? null,
            })
          }
          metrics.progressEvents += progress.length
          yield* events.publishAll(progress)
          // foreign ids (not UUIDs) cannot be ours: ack them without touching the database
          const valid = results.filter((r) =>
            /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(r.operationId),
          )
          const stored = yield* Repository.storeResults(valid)
          metrics.resultsStored += stored.inserted.length
          metrics.resultsDuplicate += valid.length - stored.inserted.length
          countSettled(metrics, stored.settled)
          yield* events.publishAll([
            ...stored.inserted.map(({ operationId, result }) => ({
              kind: "result" as const,
              operationId,
              result,
            })),
            ...stored.settled.map((s) => ({
              kind: "status" as const,
              operationId: s.id,
              status: s.status,
              received: s.received,
            })),
          ])
          yield* Effect.forEach(deliveries, (d) => d.ack, { discard: true })
        }).pipe(
          Effect.tapErrorCause(() =>
            Effect.forEach(Chunk.toReadonlyArray(chunk), (d) => d.nack, { discard: true }),
          ),
        )

      const run = transport.results({ prefetch: 512 }).pipe(
        // the transport hands out everything that arrived since the last pull as one chunk: a
        // batch stores in one statement, and a lone result waits for no timer
        Stream.chunks,
        Stream.mapEffect((chunk) =>
          Effect.suspend(() => {
            // the transport follows each batch with an empty chunk (it lets go of the batch)
            if (Chunk.isEmpty(chunk)) return Effect.void
            handling++
            started++
            return Effect.ensuring(
              handle(chunk),
              Effect.sync(() => void handling--),
            )
          }),
        ),
        Stream.runDrain,
        Effect.tapErrorCause((cause) =>
          Effect.logWarning("collector: stopped, restarting", String(Cause.squash(cause))),
        ),
        Effect.retry(Schedule.spaced(Duration.millis(500))),
      )
      yield* Effect.forkScoped(run)
      // runs before the fork is interrupted: results that arrive as the server stops (the local
      // worker finishing its jobs, which it does before the collector stops) are stored, not
      // handed back to an in-process queue that dies with the process
      // Counted in event-loop turns, not milliseconds: a result on its way reaches `handle` in
      // two or three turns, and a loop stalled by other work would
      // let a time window pass before it got there.
      yield* Effect.addFinalizer(() =>
        Effect.gen(function* () {
          if (options.drainOnStop !== true) return
          const until = Date.now() + 3_000
          let idle = 0
          let seen = started
          while (idle < 20 && Date.now() < until) {
            yield* nextTurn
            idle = handling === 0 && started === seen ? idle + 1 : 0
            seen = started
          }
        }),
      )
    }),
  )
