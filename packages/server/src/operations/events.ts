/**
 * The live event hub of this replica: progress, results and status changes as they happen, for
 * the SSE streams (each listens to its operation only, and is called in the step that publishes);
 * plus the wake-up signal of the dispatcher (so a new operation is published at once rather than
 * at the next poll), and the operations this replica stored and claimed for its own dispatcher
 * (handed over in memory, so that it need not claim them from the outbox again).
 *
 * @module
 */
import { Context, Effect, Layer, Queue } from "effect"
import { finalStatuses, type OperationStatus, type WorkerResult } from "./operations.dto.js"
import type { Pending } from "./operations.repository.js"
import { type BufferOptions, type Cursor, ProgressBuffer } from "./progress.buffer.js"

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
  /**
   * Call `listener` with the events of one operation from now on, in the step that publishes
   * them (the events of one publish in one call; progress carries its `eventId`). Returns the
   * function that stops it. A listener must not throw; what it throws is dropped.
   */
  readonly listen: (
    operationId: string,
    listener: (events: ReadonlyArray<OperationEvent>) => void,
  ) => () => void
  /** Names this process in progress ids (`<epoch>-<n>`). */
  readonly epoch: string
  /**
   * The buffered progress of an operation after a `Last-Event-ID` (all when none or foreign);
   * read in the same step as a `listen`, nothing falls between the two.
   */
  readonly replay: (
    operationId: string,
    lastEventId?: string,
  ) => { readonly cursor: Cursor; readonly events: ReadonlyArray<OperationEvent> }
  /** Tell the dispatcher there is work. */
  readonly wake: Effect.Effect<void>
  /**
   * Hand stored operations, claimed for this replica, to its dispatcher, and wake it once this
   * turn's callbacks are done (the POSTs that stored them answer first).
   */
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
 * so a stream that listens before it reads the buffer misses nothing and can drop overlaps by
 * position.
 */
export const makeWith = (options: Partial<BufferOptions> = {}): Effect.Effect<Service> =>
  Effect.gen(function* () {
    const listeners = new Map<string, Set<(events: ReadonlyArray<OperationEvent>) => void>>()
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
    const deliver = (operationId: string, events: ReadonlyArray<OperationEvent>) => {
      for (const listener of listeners.get(operationId) ?? []) {
        try {
          listener(events)
        } catch {
          // a listener's failure is its own stream's, not the publisher's
        }
      }
    }
    const publishAll = (events: Iterable<OperationEvent>) => {
      // one call per operation and publish: a broadcast's results reach its stream together
      let batch: Array<OperationEvent> = []
      for (const event of events) {
        const stamped = stamp(event)
        if (!listeners.has(stamped.operationId)) continue
        if (batch.length > 0 && batch[0]!.operationId !== stamped.operationId) {
          deliver(batch[0]!.operationId, batch)
          batch = []
        }
        batch.push(stamped)
      }
      if (batch.length > 0) deliver(batch[0]!.operationId, batch)
    }
    return {
      publish: (event) => Effect.sync(() => publishAll([event])),
      publishAll: (events) => Effect.sync(() => publishAll(events)),
      listen: (operationId, listener) => {
        let set = listeners.get(operationId)
        if (set === undefined) listeners.set(operationId, (set = new Set()))
        set.add(listener)
        return () => {
          set.delete(listener)
          if (set.size === 0 && listeners.get(operationId) === set) listeners.delete(operationId)
        }
      },
      epoch: buffer.epoch,
      replay: (operationId, lastEventId) => {
        const cursor = buffer.cursor(lastEventId)
        const events = buffer
          .after(operationId, cursor)
          .map((s): OperationEvent => ({ ...s.event, eventId: s.id, n: s.n }))
        return { cursor, events }
      },
      wake: Effect.asVoid(Queue.offer(signal, undefined)),
      handOver: (pending) =>
        Effect.sync(() => {
          handedOver.push(...pending)
          // after this turn's callbacks and their promises: the POSTs' 202s are written before
          // the dispatcher runs (on the in-process transport, the workers' jobs with it)
          setImmediate(() => Queue.unsafeOffer(signal, undefined))
        }),
      takeHandedOver: (max) => Effect.sync(() => handedOver.splice(0, max)),
      awaitWake: Queue.take(signal),
    }
  })

/** Make a hub with the default buffer limits. */
export const make: Effect.Effect<Service> = makeWith()

/** The hub as a layer. */
export const layer: Layer.Layer<Events> = Layer.effect(Events, make)
