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

/** The collector as a layer (it runs while the layer is alive). */
export const layer = (
  queues: ReadonlyArray<Queues.QueueConfig>,
  options: {
    /**
     * As it stops, keep storing until no result has come for this long (3 s at most): for a
     * transport whose queues die with the process (in-process), where a result handed back is
     * lost. Default 0: a broker redelivers what was not stored.
     */
    readonly quietMillis?: number
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

      // chunks being stored, and when the last one started or ended (see the finalizer below)
      let handling = 0
      let lastActive = 0
      const handle = (chunk: Chunk.Chunk<Transport.Delivery<Envelope.Reply>>) =>
        Effect.gen(function* () {
          const deliveries = Chunk.toReadonlyArray(chunk)
          // online or recently offline: a draining worker says goodbye before its last results,
          // and a restarted one answers the broadcasts it missed before its hello is heard
          const known = new Map((yield* registry.known).map((k) => [k.worker.id, k.worker]))
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
            const worker = known.get(message.workerId)
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
            ...stored.inserted.map(({ operationId, ...result }) => ({
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
            handling++
            lastActive = Date.now()
            return Effect.ensuring(
              handle(chunk),
              Effect.sync(() => {
                handling--
                lastActive = Date.now()
              }),
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
      const quietMillis = options.quietMillis ?? 0
      yield* Effect.addFinalizer(() =>
        Effect.gen(function* () {
          if (quietMillis <= 0) return
          const since = Date.now()
          while (Date.now() - since < 3_000) {
            if (handling === 0 && Date.now() - Math.max(since, lastActive) >= quietMillis) return
            yield* Effect.sleep("10 millis")
          }
        }),
      )
    }),
  )
