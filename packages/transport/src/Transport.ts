/**
 * The transport between dispatchers (the server) and workers, as an Effect service.
 *
 * Two implementations share one contract and one set of rules (both are written against the same
 * internal broker port): {@link RabbitMq.layer} and {@link InProcess.layer}.
 *
 * Targets (see {@link Queues}):
 * - `netwark`: competing consumers; exactly one worker runs each job, round-robin among the
 *   ready workers that run its type. A job of a type of the `jobTypes` option goes to that
 *   type's durable queue `netwark/<type>`, which only the workers serving the type consume; a job
 *   of another type goes to the plain queue `netwark`, which every worker of the target consumes
 *   (as do jobs that dispatchers of earlier versions still put there). A job of a type no worker
 *   runs waits in its queue for one (or its deadline), rather than reaching a worker that would
 *   refuse it.
 * - `netwark.broadcast`: every connected worker runs each job. Each worker consumes its own
 *   durable queue `netwark.broadcast.worker.<workerId>` bound to the `netwark.broadcast` fanout
 *   exchange; the queue expires (default 5 min) after its worker stops consuming, so a worker that
 *   restarts with the same id gets the copies it missed meanwhile (and drops the stale ones).
 * - configured location queues: `broadcast: true` works like `netwark.broadcast` for the workers
 *   of that queue; otherwise like `netwark` (queues `<queue>` and `<queue>/<type>`).
 *
 * Delivery rules:
 * - Every publish waits for the broker's confirm. Publishes during a broker outage are retried
 *   with backoff until `publishTimeout` (default 60 s), so a `dispatch` that succeeded is stored
 *   by the broker; a retry after a lost confirm can duplicate a message (at-least-once).
 * - A worker acks a job only after its result is confirmed on the results queue. Prefetch per
 *   queue equals the worker's concurrency, and one limiter bounds the jobs running at once
 *   across all queues of a `serve` (a direct target is several: its plain queue and the queues
 *   of the types served). A worker killed mid-job leaves the job unacked: the broker
 *   redelivers it (to another worker of a `one` target, or to the same worker id after restart
 *   on an `each` target) and it runs again with a higher `attempt` (exact on the in-process
 *   transport; on RabbitMQ classic queues `2` means "redelivered at least once"). Closing a
 *   `serve` finishes running jobs, or hands them back with `onShutdown: "requeue"`.
 * - Jobs are persistent; broadcast copies too unless `broadcastDelivery: "transient"`.
 * - A job whose deadline has passed when a worker gets to it is acked and answered with a result
 *   of status `expired`; its handler does not run.
 * - Results travel on one durable queue `netwark.results`, not a per-dispatcher reply queue: any
 *   server replica can store any result, each result reaches exactly one of them, and results
 *   survive a dispatcher restart. Progress is live and goes to every replica: workers publish it
 *   (transient, confirmed, a failure only logged) to the `netwark.progress` fanout exchange, and
 *   each {@link Service.results} stream consumes its own exclusive, auto-deleted queue bound to
 *   it (capped at 10 000 ready messages, oldest dropped), merged with the shared results queue.
 *   Progress published while no `results()` stream is subscribed is lost; progress that workers
 *   of earlier versions still put on `netwark.results` is handed out as before (to one stream).
 *   Every message comes with an `ack`: ack after storing it (at-least-once); dedupe results with
 *   {@link Envelope.resultKey} or {@link Dedupe}.
 * - The results a process's workers finish in one event-loop turn travel as one message (an
 *   {@link Envelope.Batch}, within `maxMessageBytes`); a lone result travels alone, as before.
 *   A `results()` stream hands out each result of a batch with its own `ack`; the message is
 *   settled once all are: acked, or handed back whole if any was nacked (its other results come
 *   again, so dedupe). A bad result in a batch is dead-lettered alone. Collectors of earlier
 *   versions dead-letter a batch as `Malformed`: upgrade servers before their workers.
 * - Bad messages (over `maxMessageBytes`, not JSON, wrong schema or envelope version, or a job
 *   type the worker does not serve) are republished with the reason in the `x-netwark-reason`
 *   header to the `netwark.dead` exchange/queue, logged, and acked; the consumer keeps running.
 *   Should that republish fail, the message is rejected (`requeue: false`) to the same exchange
 *   through the queue's dead-letter setting.
 * - Presence: workers `announce` themselves (hello, heartbeats, goodbye) on the
 *   `netwark.presence` fanout exchange; each listener has its own exclusive queue. A listener
 *   that starts later sends a `probe` (fanout `netwark.presence.probe`), and every announced
 *   worker answers with a heartbeat at once.
 *
 * @module
 */
import type { Duration, Effect, Scope, Stream } from "effect"
import { Context } from "effect"
import type * as Envelope from "./Envelope.js"
import type * as Queues from "./Queues.js"
import type { TransportError } from "./TransportError.js"

/** What a dispatcher sends: one operation, fanned out to one job per target. */
export interface DispatchInput {
  readonly operationId: string
  /** The job type, e.g. `ping`. */
  readonly type: string
  readonly payload: unknown
  /** Epoch milliseconds; defaults to now + `timeout`. */
  readonly deadline?: number
  /** Used when `deadline` is absent; default 60 s. */
  readonly timeout?: Duration.DurationInput
  /**
   * Base of the job ids: the job for target `t` gets id `<jobId ?? operationId>/<t>`, so sending
   * the same operation again (e.g. from an outbox after a crash) reuses the ids and dedupes.
   */
  readonly jobId?: string
}

/** A message handed out with its acknowledgement hooks. */
export interface Delivery<A> {
  readonly message: A
  /** Remove the message from the queue (call after it is stored). */
  readonly ack: Effect.Effect<void>
  /** Hand the message back to the queue for another try. */
  readonly nack: Effect.Effect<void>
}

/** What a worker's handler gets besides the job. */
export interface JobContext {
  readonly workerId: string
  /** 1 for a first delivery, higher for a redelivery. */
  readonly attempt: number
  /**
   * Publish a progress message to every `results()` stream (confirmed; a failure is logged, not
   * raised).
   */
  readonly progress: (data: unknown) => Effect.Effect<void>
}

/** Runs one job; its success value becomes the result's `data`, its failure an `error` result. */
export type Handler = (job: Envelope.Job, context: JobContext) => Effect.Effect<unknown, unknown>

/** How a worker consumes. */
export interface ServeOptions {
  /** Stable and unique per worker; names its per-worker broadcast queues. */
  readonly workerId: string
  /** Public target names to consume (`netwark`, `netwark.broadcast`, configured queues). */
  readonly queues: ReadonlyArray<string>
  /** Jobs running at once (and prefetch per queue); default 4. */
  readonly concurrency?: number
  /**
   * Job types the handler serves. Absent: every type. On a direct target the worker consumes the
   * type queues of these types only (of {@link CommonOptions.jobTypes}), so jobs of the other
   * types go to the target's other workers. A direct job of another type that still reaches it
   * (a type without a queue of its own, or a job on the plain queue from an older dispatcher) is
   * answered with an error result (reason `UnknownType`, naming the types served); a broadcast
   * copy is dead-lettered.
   */
  readonly types?: ReadonlyArray<string>
  /**
   * What closing the scope does to running jobs: `finish` (default) waits for them and publishes
   * their results; `requeue` interrupts them and hands their messages back to the broker, without
   * a result, so that another worker (or this one after a restart) runs them again.
   */
  readonly onShutdown?: "finish" | "requeue"
}

/** A running `serve`. */
export interface Serving {
  /**
   * The first step of a graceful stop: cancel the consumers, so that the broker gives the jobs
   * of shared queues to the other workers at once, and let the running jobs go on. A job that
   * arrived but had not started, or that ends interrupted from now on, is handed back unanswered.
   * Broadcast copies wait in this worker's own queue for its restart, as they do after a stop.
   */
  readonly stopTaking: Effect.Effect<void>
}

/** How often a worker says it is alive. */
export interface AnnounceOptions {
  /** Heartbeat period; default 5 s. Listeners expire the worker after 3 periods of silence. */
  readonly interval?: Duration.DurationInput
}

/** The transport service. */
export interface Service {
  /**
   * Every target this transport routes (built-ins and configured queues); a direct one with the
   * `jobTypes` it routes to queues of their own.
   */
  readonly targets: ReadonlyArray<Queues.Target>
  /** Publish one job per target (confirmed); fails with `UnknownQueue` or `TooLarge` first. */
  readonly dispatch: (
    input: DispatchInput,
    targets: ReadonlyArray<string>,
  ) => Effect.Effect<ReadonlyArray<Envelope.Job>, TransportError>
  /**
   * Publish many dispatches at once (e.g. an outbox batch): all jobs are built and checked
   * first, then published together in one fiber; succeeds when every publish is confirmed.
   * On failure some jobs may be published already; sending the batch again is safe (same ids).
   */
  readonly dispatchMany: (
    items: ReadonlyArray<{
      readonly input: DispatchInput
      readonly targets: ReadonlyArray<string>
    }>,
  ) => Effect.Effect<ReadonlyArray<Envelope.Job>, TransportError>
  /**
   * Results from every worker (each result to one `results()` stream of all, across processes)
   * and their progress (to every stream subscribed when it is sent); ack each after storing it.
   * What arrived together comes as one chunk, followed by an empty one when the consumer pulls
   * again, so that the stream holds no batch its consumer is done with (a consumer of
   * `Stream.chunks` sees it).
   */
  readonly results: (options?: {
    readonly prefetch?: number
  }) => Stream.Stream<Delivery<Envelope.Reply>, TransportError>
  /**
   * Consume the given queues until the scope closes; resolves once every consumer is
   * registered (so broadcasts published afterwards reach this worker). Closing the scope stops
   * deliveries, then finishes or hands back the running jobs (`onShutdown`); `stopTaking` stops
   * the deliveries earlier, for a drain.
   */
  readonly serve: (
    options: ServeOptions,
    handler: Handler,
  ) => Effect.Effect<Serving, TransportError, Scope.Scope>
  /** Say hello now, heartbeat until the scope closes, then say goodbye. */
  readonly announce: (
    worker: Envelope.WorkerInfo,
    options?: AnnounceOptions,
  ) => Effect.Effect<void, TransportError, Scope.Scope>
  /**
   * Subscribe to presence: once this succeeds the subscription exists, and the stream yields
   * every presence message from then on (each subscriber gets all of them).
   */
  readonly presence: () => Effect.Effect<
    Stream.Stream<Envelope.Presence>,
    TransportError,
    Scope.Scope
  >
  /** Ask every announced worker to send a heartbeat now (for a listener that just started). */
  readonly probe: Effect.Effect<void, TransportError>
  /** Messages rejected to the dead-letter queue, with their reason (chunked as `results`). */
  readonly deadLetters: () => Stream.Stream<Delivery<Envelope.DeadLetter>, TransportError>
  /**
   * Publish arbitrary bytes to a target (a direct target's plain queue), or to the results queue
   * with {@link Queues.results}, bypassing encoding (for tests and tooling).
   */
  readonly publishRaw: (target: string, body: Uint8Array) => Effect.Effect<void, TransportError>
}

/** The transport service tag. */
export class Transport extends Context.Tag("@netwark/transport/Transport")<Transport, Service>() {}

/** Options both implementations accept. */
export interface CommonOptions {
  /** Configured location queues. */
  readonly queues?: ReadonlyArray<Queues.QueueConfig>
  /** Prefix of every broker name (`<namespace>.netwark`…), so that runs never collide. */
  readonly namespace?: string
  /**
   * The job types that get a queue of their own on each direct target (`netwark/ping`,
   * `berlin/mtr`); others travel the plain queue. Default: none, so every direct job travels the
   * plain queue. Give every dispatcher and worker of a namespace the same list: a dispatcher
   * sends a listed type's jobs to its queue, which a worker whose list lacks the type never
   * consumes. Each is 1-200 characters of `[a-zA-Z0-9-_.:]`.
   */
  readonly jobTypes?: ReadonlyArray<string>
  /** Cap on an encoded message; default 1 MiB. */
  readonly maxMessageBytes?: number
  /** How long a per-worker broadcast queue outlives its consumer; default 5 min. */
  readonly workerQueueExpiry?: Duration.DurationInput
  /** How long a publish keeps retrying through a broker outage; default 60 s. */
  readonly publishTimeout?: Duration.DurationInput
  /**
   * `persistent` (default): broadcast copies are written to disk like every job, and survive a
   * broker restart. `transient`: they stay in memory (each copy on 100 durable queues is 100
   * disk writes, a large share of a fan-out's latency); a broker restart then loses the copies
   * not yet acked, which the dispatcher sees as workers that never answered. Direct-queue jobs,
   * results and dead letters are always persistent.
   */
  readonly broadcastDelivery?: "persistent" | "transient"
}
