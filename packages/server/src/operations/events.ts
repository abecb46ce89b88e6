/**
 * The live event hub of this replica: progress, results and status changes as they happen, for
 * the SSE streams; plus the wake-up signal of the dispatcher (so a new operation is published at
 * once rather than at the next poll).
 *
 * @module
 */
import { Context, Duration, Effect, Layer, PubSub, Queue, type Scope } from "effect"
import type { OperationStatus, WorkerResult } from "./operations.dto.js"

/** One event of one operation. */
export type OperationEvent =
  | {
      readonly kind: "progress"
      readonly operationId: string
      readonly jobId: string
      readonly workerId: string
      readonly seq: number
      readonly at: string
      readonly data: unknown
    }
  | { readonly kind: "result"; readonly operationId: string; readonly result: WorkerResult }
  | {
      readonly kind: "status"
      readonly operationId: string
      readonly status: OperationStatus
      /** Results stored when the status was set, when known (streams catch up when it is more). */
      readonly received?: number
    }

/** The hub. */
export interface Service {
  readonly publish: (event: OperationEvent) => Effect.Effect<void>
  readonly publishAll: (events: Iterable<OperationEvent>) => Effect.Effect<void>
  /** Every event from now on (filter by operation). */
  readonly subscribe: Effect.Effect<Queue.Dequeue<OperationEvent>, never, Scope.Scope>
  /** Tell the dispatcher there is work. */
  readonly wake: Effect.Effect<void>
  /** Wait for a wake-up or `timeout`, whichever comes first. */
  readonly awaitWake: (timeout: Duration.DurationInput) => Effect.Effect<void>
}

/** The hub's tag. */
export class Events extends Context.Tag("@netwark/server/Events")<Events, Service>() {}

/** Make a hub. */
export const make: Effect.Effect<Service> = Effect.gen(function* () {
  const hub = yield* PubSub.unbounded<OperationEvent>()
  const signal = yield* Queue.sliding<void>(1)
  return {
    publish: (event) => Effect.asVoid(PubSub.publish(hub, event)),
    publishAll: (events) => Effect.asVoid(PubSub.publishAll(hub, events)),
    subscribe: PubSub.subscribe(hub),
    wake: Effect.asVoid(Queue.offer(signal, undefined)),
    awaitWake: (timeout) =>
      Effect.asVoid(Effect.timeoutOption(Queue.take(signal), Duration.decode(timeout))),
  }
})

/** The hub as a layer. */
export const layer: Layer.Layer<Events> = Layer.effect(Events, make)
