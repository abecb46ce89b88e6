/**
 * The live event hub of this replica: progress, results and status changes as they happen, for
 * the SSE streams; plus the wake-up signal of the dispatcher (so a new operation is published at
 * once rather than at the next poll), and the operations this replica stored and claimed for its
 * own dispatcher (handed over in memory, so that it need not claim them from the outbox again).
 *
 * @module
 */
import { Context, Effect, Layer, PubSub, Queue, type Scope } from "effect"
import type { OperationStatus, WorkerResult } from "./operations.dto.js"
import type { Pending } from "./operations.repository.js"
import { type BufferOptions, type Cursor, ProgressBuffer } from "./progress.buffer.js"

const finalStatuses: ReadonlySet<OperationStatus> = new Set(["done", "partial", "error", "timeout"])

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
      /** The SSE id the hub gave it (set by the hub on publish; see `ProgressBuffer`). */
      readonly eventId?: string
      /** The position of that id in this process's buffer. */
      readonly n?: number
    }
  | { readonly kind: "result"; readonly operationId: string; readonly result: WorkerResult }
  | {
      readonly kind: "status"
      readonly operationId: string
      readonly status: OperationStatus
      /** Results stored when the status was set, when known (streams catch up when it is more). */
      readonly received?: number
    }

/** A progress event. */
export type ProgressEvent = Extract<OperationEvent, { readonly kind: "progress" }>

/** The hub. */
export interface Service {
  readonly publish: (event: OperationEvent) => Effect.Effect<void>
  readonly publishAll: (events: Iterable<OperationEvent>) => Effect.Effect<void>
  /** Every event from now on (filter by operation); progress events carry their `eventId`. */
  readonly subscribe: Effect.Effect<Queue.Dequeue<OperationEvent>, never, Scope.Scope>
  /** Names this process in progress ids (`<epoch>-<n>`). */
  readonly epoch: string
  /** The buffered progress of an operation after a `Last-Event-ID` (all when none or foreign). */
  readonly replay: (
    operationId: string,
    lastEventId?: string,
  ) => Effect.Effect<{ readonly cursor: Cursor; readonly events: ReadonlyArray<OperationEvent> }>
  /** Tell the dispatcher there is work. */
  readonly wake: Effect.Effect<void>
  /** Hand stored operations, claimed for this replica, to its dispatcher (and wake it). */
  readonly handOver: (pending: ReadonlyArray<Pending>) => Effect.Effect<void>
  /** Take up to `max` operations handed over, oldest first. */
  readonly takeHandedOver: (max: number) => Effect.Effect<ReadonlyArray<Pending>>
  /** Wait for a wake-up (the dispatcher's poll timer sends one too). */
  readonly awaitWake: Effect.Effect<void>
}

/** The hub's tag. */
export class Events extends Context.Tag("@netwark/server/Events")<Events, Service>() {}

/**
 * Make a hub. Progress is stamped and buffered in the same synchronous step as it is published,
 * so a stream that subscribes before it reads the buffer misses nothing and can drop overlaps by
 * position.
 */
export const makeWith = (options: Partial<BufferOptions> = {}): Effect.Effect<Service> =>
  Effect.gen(function* () {
    const hub = yield* PubSub.unbounded<OperationEvent>()
    const signal = yield* Queue.sliding<void>(1)
    const buffer = new ProgressBuffer<ProgressEvent>(options)
    const handedOver: Array<Pending> = []
    const stamp = (event: OperationEvent): OperationEvent => {
      if (event.kind === "progress") {
        const { id, n } = buffer.append(event.operationId, event)
        return { ...event, eventId: id, n }
      }
      if (event.kind === "status" && finalStatuses.has(event.status)) buffer.end(event.operationId)
      return event
    }
    return {
      publish: (event) => Effect.suspend(() => Effect.asVoid(PubSub.publish(hub, stamp(event)))),
      publishAll: (events) =>
        Effect.suspend(() => Effect.asVoid(PubSub.publishAll(hub, Array.from(events, stamp)))),
      subscribe: PubSub.subscribe(hub),
      epoch: buffer.epoch,
      replay: (operationId, lastEventId) =>
        Effect.sync(() => {
          const cursor = buffer.cursor(lastEventId)
          const events = buffer
            .after(operationId, cursor)
            .map((s): OperationEvent => ({ ...s.event, eventId: s.id, n: s.n }))
          return { cursor, events }
        }),
      wake: Effect.asVoid(Queue.offer(signal, undefined)),
      handOver: (pending) =>
        Effect.suspend(() => {
          handedOver.push(...pending)
          return Effect.asVoid(Queue.offer(signal, undefined))
        }),
      takeHandedOver: (max) => Effect.sync(() => handedOver.splice(0, max)),
      awaitWake: Queue.take(signal),
    }
  })

/** Make a hub with the default buffer limits. */
export const make: Effect.Effect<Service> = makeWith()

/** The hub as a layer. */
export const layer: Layer.Layer<Events> = Layer.effect(Events, make)
