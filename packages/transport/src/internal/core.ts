/**
 * The transport's rules, written once against the broker port: encoding and size caps, confirmed
 * publishes with retry, deadlines, ack after the result, dead-lettering, presence.
 *
 * @internal
 */
import { randomUUID } from "node:crypto"
import {
  Cause,
  Chunk,
  Duration,
  Effect,
  Either,
  Exit,
  Fiber,
  Queue,
  Runtime,
  Schedule,
  Scope,
  Stream,
} from "effect"
import * as Envelope from "../Envelope.js"
import * as Queues from "../Queues.js"
import type * as Transport from "../Transport.js"
import * as TransportError from "../TransportError.js"
import type { Disposition, Port, PublishProps, QueueSpec, RawDelivery } from "./port.js"
import * as Limiter from "./limiter.js"
import * as Topology from "./topology.js"

/** Header naming why a message was dead-lettered. */
export const reasonHeader = "x-netwark-reason"
/** Header with the human detail of a dead-letter reason. */
export const detailHeader = "x-netwark-detail"
/** Header naming the public queue a dead letter came from. */
export const queueHeader = "x-netwark-queue"

/**
 * Ready progress messages a `results()` consumer's own queue holds before the oldest are
 * dropped: a stalled consumer must not grow a queue without bound for messages that are only
 * worth anything live.
 */
export const progressBacklog = 10_000

/**
 * The messages one delivery carries (a worker's batch of results), settled as one: acked once
 * every item is acked, handed back if any item is, dropped if a refused item's dead-letter failed.
 */
class Several<A> {
  constructor(
    readonly items: ReadonlyArray<A>,
    /** How each refused item is settled on its own (dead-lettered). */
    readonly refused: ReadonlyArray<Effect.Effect<Disposition>>,
  ) {}
}

const errorMessage = (error: unknown): string => {
  if (error instanceof Error) return error.message
  if (typeof error === "object" && error !== null && "message" in error)
    return String((error as { message: unknown }).message)
  return String(error)
}

/** Resolve the common options into a topology and numbers. */
export const resolve = (options: Transport.CommonOptions) => {
  const queues: ReadonlyArray<Queues.QueueConfig> = options.queues ?? []
  return {
    queues,
    topology: Topology.make(
      queues,
      options.namespace ?? "",
      Duration.toMillis(options.workerQueueExpiry ?? "5 minutes"),
      options.jobTypes ?? [],
    ),
    maxBytes: options.maxMessageBytes ?? Envelope.defaultMaxBytes,
    publishTimeout: Duration.decode(options.publishTimeout ?? "60 seconds"),
  }
}

/** Check `jobTypes`: unique names a broker queue can end in (`<queue>/<type>`). */
const validateJobTypes = (
  jobTypes: ReadonlyArray<unknown>,
): Effect.Effect<void, TransportError.TransportError> => {
  const seen = new Set<string>()
  for (const [index, type] of jobTypes.entries()) {
    const problem =
      typeof type !== "string"
        ? "must be a string"
        : Either.isLeft(Queues.validateName(type))
          ? `${JSON.stringify(type)} must be 1-200 characters of [a-zA-Z0-9-_.:]`
          : seen.has(type)
            ? `${type} is listed twice`
            : undefined
    if (problem !== undefined)
      return Effect.fail(TransportError.make("InvalidConfig", `jobTypes[${index}] ${problem}`))
    seen.add(type as string)
  }
  return Effect.void
}

/** Check the options a layer gets: names, namespace, unique queues and job types, sizes. */
export const validate = (
  options: Transport.CommonOptions,
): Effect.Effect<void, TransportError.TransportError> =>
  Effect.gen(function* () {
    if (options.namespace !== undefined && options.namespace !== "")
      yield* Queues.validateName(options.namespace)
    yield* Queues.parseList(options.queues ?? [])
    // JavaScript callers and parsed configuration can hand over anything
    const jobTypes: unknown = options.jobTypes ?? []
    if (!Array.isArray(jobTypes))
      yield* Effect.fail(TransportError.make("InvalidConfig", "jobTypes must be a list"))
    else yield* validateJobTypes(jobTypes)
    const max = options.maxMessageBytes
    if (max !== undefined && !(Number.isInteger(max) && max > 0))
      yield* Effect.fail(
        TransportError.make("InvalidConfig", "maxMessageBytes must be a positive integer"),
      )
  })

/** Build the transport service over a port. */
export const make = (
  port: Port,
  options: Transport.CommonOptions,
): Effect.Effect<Transport.Service, never, Scope.Scope> =>
  Effect.gen(function* () {
    const { topology, maxBytes, publishTimeout } = resolve(options)
    const transientBroadcast = options.broadcastDelivery === "transient"
    const runtime = yield* Effect.runtime<never>()
    const runPromise = Runtime.runPromise(runtime)
    let closed = false
    yield* Effect.addFinalizer(() => Effect.sync(() => void (closed = true)))

    const retrySchedule = Schedule.exponential("50 millis").pipe(
      Schedule.union(Schedule.spaced("1 second")),
      Schedule.upTo(publishTimeout),
    )

    const publish = (
      exchange: string,
      routingKey: string,
      body: Uint8Array,
      props: PublishProps,
    ): Effect.Effect<void, TransportError.TransportError> => {
      const attempt = Effect.tryPromise({
        try: () => port.publish(exchange, routingKey, body, props),
        catch: (cause) =>
          TransportError.make(
            closed ? "Closed" : "Publish",
            `publish to ${exchange || routingKey} failed: ${errorMessage(cause)}`,
            cause,
          ),
      })
      // the retry machinery costs tens of microseconds, so only a failed first attempt pays it
      return Effect.catchAll(attempt, (first) =>
        closed
          ? Effect.fail(first)
          : attempt.pipe(
              Effect.retry({ schedule: retrySchedule, while: () => !closed }),
              Effect.mapError((last) =>
                last.reason === "Closed"
                  ? last
                  : TransportError.make(
                      "Timeout",
                      `publish to ${exchange || routingKey} not confirmed within ${Duration.format(publishTimeout)}: ${last.message}`,
                      last,
                    ),
              ),
            ),
      )
    }

    const deadLetter = (
      queue: string,
      reason: Envelope.DeadReason,
      detail: string,
      body: Uint8Array,
    ): Effect.Effect<Disposition> =>
      publish(topology.deadExchange, "", body, {
        persistent: true,
        headers: {
          [reasonHeader]: reason,
          [detailHeader]: detail.slice(0, 512),
          [queueHeader]: queue,
        },
      }).pipe(
        Effect.as("ack" as const),
        Effect.catchAll(() => Effect.succeed("drop" as const)),
        Effect.tap(() =>
          Effect.logWarning("transport: message dead-lettered").pipe(
            Effect.annotateLogs({ queue, reason, detail }),
          ),
        ),
      )

    const route = (target: string) => {
      const found = topology.routes.get(target)
      return found
        ? Effect.succeed(found)
        : Effect.fail(TransportError.make("UnknownQueue", `unknown queue ${target}`))
    }

    interface Prepared {
      readonly jobs: Array<Envelope.Job>
      readonly sends: Array<{
        readonly route: Topology.Route
        /** The type's queue on a `one` target. */
        readonly routingKey: string
        readonly body: Uint8Array
      }>
    }

    /** Build and encode the jobs of one dispatch, synchronously; fail before any publish. */
    const prepare = (
      input: Transport.DispatchInput,
      targets: ReadonlyArray<string>,
      into: Prepared,
    ): TransportError.TransportError | undefined => {
      const createdAt = Date.now()
      const deadline =
        input.deadline ?? createdAt + Duration.toMillis(input.timeout ?? "60 seconds")
      for (const target of targets) {
        const route = topology.routes.get(target)
        if (!route) return TransportError.make("UnknownQueue", `unknown queue ${target}`)
        const job: Envelope.Job = {
          v: Envelope.version,
          kind: "job",
          operationId: input.operationId,
          jobId: `${input.jobId ?? input.operationId}/${route.target.name}`,
          type: input.type,
          payload: input.payload,
          target: route.target.name,
          mode: route.target.mode,
          deadline,
          createdAt,
        }
        let body: Uint8Array
        try {
          body = Envelope.encode(job)
        } catch (cause) {
          const message = `job payload is not JSON: ${errorMessage(cause)}`
          return TransportError.make("Decode", message, cause)
        }
        if (body.byteLength > maxBytes) {
          const message = `job of ${body.byteLength} bytes exceeds the ${maxBytes}-byte cap`
          return TransportError.make("TooLarge", message)
        }
        into.jobs.push(job)
        into.sends.push({
          route,
          routingKey: route.typeKeys.get(input.type) ?? route.routingKey,
          body,
        })
      }
      return undefined
    }

    const jobProps = (route: Topology.Route, job: Envelope.Job): PublishProps => ({
      persistent: route.target.mode === "one" || !transientBroadcast,
      messageId: job.jobId,
      type: job.type,
    })

    const dispatch: Transport.Service["dispatch"] = (input, targets) =>
      Effect.suspend(() => {
        const prepared: Prepared = { jobs: [], sends: [] }
        const error = prepare(input, targets, prepared)
        if (error) return Effect.fail(error)
        const send = (i: number) => {
          const { route, routingKey, body } = prepared.sends[i]!
          return publish(route.exchange, routingKey, body, jobProps(route, prepared.jobs[i]!))
        }
        return Effect.as(
          prepared.sends.length === 1
            ? send(0)
            : Effect.forEach(prepared.sends.keys(), send, {
                concurrency: "unbounded",
                discard: true,
              }),
          prepared.jobs as ReadonlyArray<Envelope.Job>,
        )
      })

    /** A publish as a promise of its error, retrying like `publish` after a failed first try. */
    const publishOrError = (
      exchange: string,
      routingKey: string,
      body: Uint8Array,
      props: PublishProps,
    ): Promise<TransportError.TransportError | undefined> =>
      port.publish(exchange, routingKey, body, props).then(
        () => undefined,
        () =>
          runPromise(
            Effect.match(publish(exchange, routingKey, body, props), {
              onFailure: (e) => e,
              onSuccess: () => undefined,
            }),
          ),
      )

    const dispatchMany: Transport.Service["dispatchMany"] = (items) =>
      Effect.suspend(() => {
        const prepared: Prepared = { jobs: [], sends: [] }
        for (const item of items) {
          const error = prepare(item.input, item.targets, prepared)
          if (error) return Effect.fail(error)
        }
        return Effect.flatMap(
          Effect.promise(() =>
            Promise.all(
              prepared.sends.map(({ route, routingKey, body }, i) =>
                publishOrError(
                  route.exchange,
                  routingKey,
                  body,
                  jobProps(route, prepared.jobs[i]!),
                ),
              ),
            ),
          ),
          (errors) => {
            const error = errors.find((e) => e !== undefined)
            return error ? Effect.fail(error) : Effect.succeed(prepared.jobs)
          },
        )
      })

    const consume = (
      spec: QueueSpec,
      prefetch: number,
      handler: (delivery: RawDelivery) => Promise<Disposition>,
    ) =>
      Effect.acquireRelease(
        Effect.tryPromise({
          try: () => port.consume(spec, prefetch, handler),
          catch: (cause) =>
            TransportError.make(
              "Connection",
              `cannot consume ${spec.name}: ${errorMessage(cause)}`,
              cause,
            ),
        }),
        (subscription) => Effect.promise(() => subscription.close()),
      )

    /**
     * The hot path of a publish as a plain promise: one broker call, and the Effect retry
     * machinery only after a failure (it costs tens of microseconds per message otherwise).
     */
    const publishFast = (
      exchange: string,
      routingKey: string,
      body: Uint8Array,
      props: PublishProps,
    ): Promise<void> =>
      port
        .publish(exchange, routingKey, body, props)
        .catch(() => runPromise(publish(exchange, routingKey, body, props)))

    const replyBody = (reply: Envelope.Reply): Uint8Array => {
      let body: Uint8Array
      try {
        body = Envelope.encode(reply)
      } catch (cause) {
        if (reply.kind !== "result") throw cause
        const { data: _data, ...rest } = reply
        const message = `result data is not JSON: ${errorMessage(cause)}`
        return Envelope.encode({ ...rest, status: "error", error: { message } })
      }
      if (body.byteLength > maxBytes && reply.kind === "result") {
        const { data: _data, ...rest } = reply
        const message = `result of ${body.byteLength} bytes exceeds the ${maxBytes}-byte cap`
        return Envelope.encode({ ...rest, status: "error", error: { message } })
      }
      return body
    }

    // A result goes to the shared durable queue, where exactly one collector takes it. Progress
    // goes to a fanout that every `results()` consumer binds its own queue to, so that each
    // server replica relays it to its own live streams. Progress keeps the publisher's confirm
    // (its failure is still only logged): the handler waits for it, so the result is published
    // only after its progress sits in every consumer's queue (progress before result in
    // practice, though across two queues not guaranteed), and a chatty handler is slowed to the
    // broker's pace instead of filling the socket. Per message that is one pipelined round trip
    // on a channel that confirms anyway; a second, unconfirmed channel would save little.
    const sendReply = (reply: Envelope.Reply): Promise<void> =>
      reply.kind === "result"
        ? sendResult(replyBody(reply), `${reply.jobId}/${reply.workerId}/${reply.attempt}`)
        : publishFast(topology.progressExchange, "", replyBody(reply), {
            persistent: false,
            messageId: `${reply.jobId}/${reply.workerId}/${reply.attempt}/${reply.seq}`,
          })

    // The results that this transport's workers finish in one event-loop turn leave in the next
    // check phase as one message (an `Envelope.Batch`), up to `maxBytes`: the broker's CPU goes
    // per message (~110 µs for a persistent, confirmed one here, ~30 µs a result in fours), and
    // so do a publish, a delivery and an ack at both ends. A lone result goes as before. Each
    // result still waits for the confirm of the message that carries it, so a job is acked only
    // after its result is stored by the broker.
    interface Unsent {
      readonly results: Array<{ readonly body: Uint8Array; readonly messageId: string }>
      size: number
      /** What every result of the batch waits on: the publish of its message, once made. */
      readonly sent: Promise<void>
      readonly release: (publish: Promise<void>) => void
    }
    let unsent: Unsent | undefined
    const flushResults = () => {
      const batch = unsent
      if (batch === undefined) return
      unsent = undefined
      const { results } = batch
      const only = results.length === 1 ? results[0] : undefined
      batch.release(
        only
          ? publishFast("", topology.results, only.body, {
              persistent: true,
              messageId: only.messageId,
            })
          : publishFast("", topology.results, Envelope.encodeBatch(results.map((r) => r.body)), {
              persistent: true,
            }),
      )
    }
    const sendResult = (body: Uint8Array, messageId: string): Promise<void> => {
      if (
        unsent !== undefined &&
        Envelope.batchBytes(unsent.results.length + 1, unsent.size + body.byteLength) > maxBytes
      )
        flushResults()
      if (unsent === undefined) {
        let release: (publish: Promise<void>) => void = () => {}
        const sent = new Promise<void>((resolve) => (release = resolve))
        unsent = { results: [], size: 0, sent, release }
        setImmediate(flushResults)
      }
      unsent.results.push({ body, messageId })
      unsent.size += body.byteLength
      return unsent.sent
    }

    const serve: Transport.Service["serve"] = (serveOptions, handler) =>
      Effect.gen(function* () {
        yield* Queues.validateName(serveOptions.workerId)
        const routes = yield* Effect.forEach(serveOptions.queues, route)
        const concurrency = Math.max(1, serveOptions.concurrency ?? 4)
        const types = serveOptions.types ? new Set(serveOptions.types) : undefined
        const workerId = serveOptions.workerId
        // a direct target is several queues: its plain one and those of the types served
        const specs = routes.flatMap((r) =>
          r.consume(workerId, types).map((spec) => ({ spec, target: r.target.name })),
        )
        // prefetch already bounds a single queue; a shared limiter bounds several
        const limiter = specs.length > 1 ? Limiter.make(concurrency) : undefined
        const runFork = Runtime.runFork(runtime)
        const running = new Set<Fiber.RuntimeFiber<unknown, unknown>>()
        /** `stopTaking` ran: nothing new starts, and an interrupted job goes back. */
        let draining = false

        /** What every reply of this worker to a job carries. */
        const replyBase = (job: Envelope.Job, attempt: number) => ({
          v: Envelope.version,
          operationId: job.operationId,
          jobId: job.jobId,
          workerId,
          attempt,
          target: job.target,
          mode: job.mode,
        })

        const runJob = async (job: Envelope.Job, attempt: number): Promise<Disposition> => {
          const startedAt = Date.now()
          const base = replyBase(job, attempt)
          if (startedAt > job.deadline) {
            await sendReply({
              ...base,
              kind: "result",
              status: "expired",
              startedAt,
              finishedAt: startedAt,
            })
            return "ack"
          }
          let seq = 0
          const progress = (data: unknown) =>
            Effect.tryPromise(() =>
              sendReply({ ...base, kind: "progress", seq: seq++, at: Date.now(), data }),
            ).pipe(
              Effect.catchAllCause((cause) =>
                Effect.logWarning("transport: progress not published", cause),
              ),
            )
          const fiber = runFork(handler(job, { workerId, attempt, progress }))
          // runFork starts the fiber at once: a handler that finished synchronously needs no wait
          let exit = fiber.unsafePoll()
          if (exit === null) {
            running.add(fiber)
            exit = await new Promise<Exit.Exit<unknown, unknown>>((resolve) =>
              fiber.addObserver(resolve),
            )
            running.delete(fiber)
          }
          // interrupted by a "requeue" shutdown or while draining (a "requeue" shutdown drains
          // first): no result; the broker hands the job to another consumer
          if (draining && Exit.isInterrupted(exit)) return "requeue"
          const finishedAt = Date.now()
          await sendReply(
            Exit.isSuccess(exit)
              ? { ...base, kind: "result", status: "ok", startedAt, finishedAt, data: exit.value }
              : {
                  ...base,
                  kind: "result",
                  status: "error",
                  startedAt,
                  finishedAt,
                  error: Cause.isFailType(exit.cause)
                    ? Envelope.resultError(exit.cause.error)
                    : { message: Cause.pretty(exit.cause) },
                },
          )
          return "ack"
        }

        const onDelivery =
          (queueName: string) =>
          async (delivery: RawDelivery): Promise<Disposition> => {
            const decoded = Envelope.decodeJob(delivery.body, maxBytes)
            if (Either.isLeft(decoded))
              return runPromise(
                deadLetter(
                  queueName,
                  decoded.left.reason,
                  decoded.left.error.message,
                  delivery.body,
                ),
              )
            const job = decoded.right
            const attempt =
              delivery.deliveryCount !== undefined
                ? delivery.deliveryCount + 1
                : delivery.redelivered
                  ? 2
                  : 1
            if (types !== undefined && !types.has(job.type)) {
              // a direct job of a type without a queue of its own, or one that an older
              // dispatcher put on the plain queue, is this worker's to answer (its queue's other
              // workers never see it): say why at once, or the operation waits for its deadline.
              // A broadcast copy was not expected of a worker that does not run the type: set
              // aside.
              if (job.mode !== "one")
                return runPromise(
                  deadLetter(
                    queueName,
                    "UnknownType",
                    `job type ${job.type} is not served by worker ${workerId}`,
                    delivery.body,
                  ),
                )
              const now = Date.now()
              try {
                await sendReply({
                  ...replyBase(job, attempt),
                  kind: "result",
                  status: "error",
                  startedAt: now,
                  finishedAt: now,
                  error: {
                    message: `worker ${workerId} does not run ${job.type} jobs (it runs ${[...types].join(", ") || "none"}): every worker on a shared queue should run the types sent to it`,
                    reason: "UnknownType",
                  },
                })
                return "ack"
              } catch (cause) {
                await runPromise(Effect.logError("transport: job not answered, requeued", cause))
                return "requeue"
              }
            }
            if (draining) return "requeue"
            if (limiter) await limiter.acquire()
            try {
              // it may have waited for a slot while the worker began to stop
              if (draining) return "requeue"
              return await runJob(job, attempt)
            } catch (cause) {
              await runPromise(Effect.logError("transport: job not completed, requeued", cause))
              return "requeue"
            } finally {
              limiter?.release()
            }
          }

        const subscriptions = yield* Effect.forEach(
          specs,
          ({ spec, target }) => consume(spec, concurrency, onDelivery(target)),
          { concurrency: "unbounded" },
        )
        const serving: Transport.Serving = {
          stopTaking: Effect.suspend(() => {
            draining = true
            return Effect.forEach(subscriptions, (s) => Effect.promise(() => s.pause()), {
              concurrency: "unbounded",
              discard: true,
            })
          }),
        }
        // registered after the consumers, so it runs before their close waits for running jobs.
        // The consumers stop first: a job handed back while its consumer still takes deliveries
        // could come straight back to it (a direct target is several consumers, which close one
        // by one), and a job that waited for a slot must not start once the others are stopped.
        if (serveOptions.onShutdown === "requeue")
          yield* Effect.addFinalizer(() =>
            Effect.zipRight(
              serving.stopTaking,
              Effect.suspend(() => Fiber.interruptAll(running)),
            ),
          )
        return serving
      })

    /** Where subscriptions put their deliveries: one stream, one chunk per event-loop turn. */
    interface Sink<A> {
      readonly queue: Queue.Queue<Chunk.Chunk<Transport.Delivery<A>>>
      readonly push: (delivery: Transport.Delivery<A>) => void
    }

    // The broker's client hands over one message per setImmediate, and a stream that wakes per
    // element costs ~50 µs a wake-up here (a Queue element per message was a quarter of the
    // dispatcher's CPU in a 100-worker fan-out). The messages of one event-loop turn go to the
    // stream as one chunk instead (~1 µs per element), one check phase later. Several queues
    // may share a sink, so that their messages reach the stream in the order they arrived.
    const makeSink = <A>(): Effect.Effect<Sink<A>> =>
      Effect.map(Queue.unbounded<Chunk.Chunk<Transport.Delivery<A>>>(), (queue) => {
        let batch: Array<Transport.Delivery<A>> = []
        const offerBatch = () => {
          const chunk = Chunk.unsafeFromArray(batch)
          batch = []
          Queue.unsafeOffer(queue, chunk)
        }
        return {
          queue,
          push: (delivery) => {
            if (batch.length === 0) setImmediate(offerBatch)
            batch.push(delivery)
          },
        }
      })

    /**
     * The sink's deliveries as a stream: all the chunks queued when the consumer pulls, as one
     * chunk. A consumer that fell behind (storing a batch of results) catches up in one step
     * rather than one event-loop turn's chunk at a time, and one that keeps up gets each turn's
     * chunk at once, with no timer (`groupedWithin(256, 2 ms)` cost a lone result ~0.7-1 ms of
     * CPU and 2.6 ms of latency).
     */
    const drain = <A>(queue: Queue.Queue<Chunk.Chunk<A>>): Stream.Stream<A> => {
      // Each chunk is followed by an empty one, as soon as the consumer pulls again: a stream's
      // channel keeps the last chunk it emitted until it emits another, so a batch of results,
      // stored and acked, stayed reachable until the next batch came (a broadcast later) and was
      // promoted to the old space, whose collections made the slowest broadcasts
      let emitted = false
      return Stream.repeatEffectChunk(
        Effect.suspend(() => {
          if (emitted) {
            emitted = false
            return Effect.succeed(Chunk.empty<A>())
          }
          emitted = true
          return Effect.map(Queue.takeBetween(queue, 1, Number.MAX_SAFE_INTEGER), (chunks) =>
            Chunk.size(chunks) === 1 ? Chunk.unsafeHead(chunks) : Chunk.flatten(chunks),
          )
        }),
      )
    }

    /** Consume a queue into a sink (ready on success); each delivery carries its ack. */
    const subscribeInto = <A>(
      sink: Sink<A>,
      spec: QueueSpec,
      prefetch: number,
      /** Right: hand the message out; Left: settle it without the stream (e.g. dead-letter). */
      decode: (delivery: RawDelivery) => Either.Either<A | Several<A>, Effect.Effect<Disposition>>,
    ): Effect.Effect<void, TransportError.TransportError, Scope.Scope> =>
      Effect.gen(function* () {
        const pending = new Set<(d: Disposition) => void>()
        let closing = false

        /** Push one message to the stream; `settle` gets its outcome once. */
        const handOut = (message: A, settle: (d: Disposition) => void) => {
          let done = false
          const once = (d: Disposition) => {
            if (done) return
            done = true
            pending.delete(once)
            settle(d)
          }
          pending.add(once)
          sink.push({
            message,
            ack: Effect.sync(() => once("ack")),
            nack: Effect.sync(() => once("requeue")),
          })
        }

        const several = (value: Several<A>): Promise<Disposition> => {
          let left = value.items.length + value.refused.length
          let outcome: Disposition = "ack"
          let settle: (d: Disposition) => void = () => {}
          const promise = new Promise<Disposition>((r) => (settle = r))
          const settleOne = (d: Disposition) => {
            // handing back wins (a refused item is refused again), then a failed dead-letter
            if (d === "requeue" || (d === "drop" && outcome === "ack")) outcome = d
            if (--left === 0) settle(outcome)
          }
          for (const refused of value.refused) void runPromise(refused).then(settleOne)
          for (const message of value.items) handOut(message, settleOne)
          return promise
        }

        yield* consume(spec, prefetch, (delivery) => {
          // a message arriving while the stream closes goes back at once, or close would wait on it
          if (closing) return Promise.resolve("requeue" as const)
          // decoding is synchronous, so the hot path starts no fiber per message
          const decoded = decode(delivery)
          if (Either.isLeft(decoded)) return runPromise(decoded.left)
          if (decoded.right instanceof Several) return several(decoded.right)
          let settle: (d: Disposition) => void = () => {}
          const promise = new Promise<Disposition>((r) => (settle = r))
          handOut(decoded.right as A, settle)
          return promise
        })
        // registered after the consumer, so it runs before the consumer's close
        yield* Effect.addFinalizer(() =>
          Effect.sync(() => {
            closing = true
            for (const settle of pending) settle("requeue")
          }),
        )
      })

    /**
     * Decode a delivery of a listener's own queue, or log a bad one and ack it: each listener has
     * a copy, so dead-lettering would file one bad message once per listener.
     */
    const decodeOrIgnore =
      <A>(
        what: string,
        decode: (bytes: Uint8Array, maxBytes: number) => Either.Either<A, Envelope.DecodeFailure>,
      ) =>
      (delivery: RawDelivery): Either.Either<A, Effect.Effect<Disposition>> => {
        const decoded = decode(delivery.body, maxBytes)
        return Either.isRight(decoded)
          ? Either.right(decoded.right)
          : Either.left(
              Effect.logWarning(`transport: bad ${what} message ignored`).pipe(
                Effect.annotateLogs({ detail: decoded.left.error.message }),
                Effect.as("ack" as const),
              ),
            )
      }

    /** Subscribe to a queue (ready on success); the stream's elements carry their ack. */
    const ackedSubscription = <A>(
      spec: QueueSpec,
      prefetch: number,
      decode: (delivery: RawDelivery) => Either.Either<A, Effect.Effect<Disposition>>,
    ): Effect.Effect<
      Stream.Stream<Transport.Delivery<A>>,
      TransportError.TransportError,
      Scope.Scope
    > =>
      Effect.gen(function* () {
        const sink = yield* makeSink<A>()
        yield* subscribeInto(sink, spec, prefetch, decode)
        return drain(sink.queue)
      })

    /** A stream over a queue whose elements are acked by the consumer of the stream. */
    const ackedStream = <A>(
      spec: QueueSpec,
      prefetch: number,
      decode: (delivery: RawDelivery) => Either.Either<A, Effect.Effect<Disposition>>,
    ): Stream.Stream<Transport.Delivery<A>, TransportError.TransportError> =>
      Stream.unwrapScoped(ackedSubscription(spec, prefetch, decode))

    const results: Transport.Service["results"] = (resultOptions) =>
      Stream.unwrapScoped(
        Effect.gen(function* () {
          const prefetch = resultOptions?.prefetch ?? 256
          const sink = yield* makeSink<Envelope.Reply>()
          // this consumer's own copy of every worker's progress; subscribed before the shared
          // queue, so a consumer that takes a result already hears the progress that follows
          yield* subscribeInto(
            sink,
            {
              name: `${topology.progressExchange}.listener.${randomUUID()}`,
              exclusive: true,
              bindTo: topology.progressExchange,
              maxLength: progressBacklog,
            },
            prefetch,
            decodeOrIgnore("progress", Envelope.decodeReply),
          )
          // results, and progress from workers that still publish it here (earlier versions)
          yield* subscribeInto(
            sink,
            { name: topology.results, exclusive: false, deadLetterExchange: topology.deadExchange },
            prefetch,
            (delivery) => {
              const decoded = Envelope.decodeReplies(delivery.body, maxBytes)
              if (Either.isLeft(decoded))
                return Either.left(
                  deadLetter(
                    Queues.results,
                    decoded.left.reason,
                    decoded.left.error.message,
                    delivery.body,
                  ),
                )
              const value = decoded.right
              if (value.kind !== "results") return Either.right(value)
              const items: Array<Envelope.Reply> = []
              const refused: Array<Effect.Effect<Disposition>> = []
              for (const result of value.results) {
                if (Either.isRight(result)) items.push(result.right)
                else {
                  const { reason, error, bytes } = result.left
                  refused.push(deadLetter(Queues.results, reason, error.message, bytes))
                }
              }
              return Either.right(new Several(items, refused))
            },
          )
          return drain(sink.queue)
        }),
      )

    const deadLetters: Transport.Service["deadLetters"] = () =>
      ackedStream({ name: topology.deadQueue, exclusive: false }, 64, (delivery) => {
        const header = (key: string) => {
          const value = delivery.headers[key]
          return typeof value === "string" ? value : undefined
        }
        const reason = header(reasonHeader)
        const known = ["TooLarge", "Malformed", "UnknownType", "UnknownVersion"]
        return Either.right({
          queue: topology.publicName(header(queueHeader) ?? header("x-first-death-queue") ?? ""),
          reason:
            reason !== undefined && known.includes(reason)
              ? (reason as Envelope.DeadReason)
              : "Broker",
          detail: header(detailHeader) ?? header("x-first-death-reason") ?? "rejected",
          body: delivery.body,
        })
      })

    const presence: Transport.Service["presence"] = () =>
      Effect.map(
        ackedSubscription(
          {
            name: `${topology.presenceExchange}.listener.${randomUUID()}`,
            exclusive: true,
            bindTo: topology.presenceExchange,
          },
          256,
          decodeOrIgnore("presence", Envelope.decodePresence),
        ),
        Stream.map((delivery) => {
          Effect.runSync(delivery.ack)
          return delivery.message
        }),
      )

    const probe: Transport.Service["probe"] = publish(
      topology.probeExchange,
      "",
      new Uint8Array(0),
      { persistent: false },
    )

    const announce: Transport.Service["announce"] = (worker, announceOptions) =>
      Effect.gen(function* () {
        const interval = Duration.decode(announceOptions?.interval ?? "5 seconds")
        const ttlMs = Duration.toMillis(interval) * 3
        const say = (event: Envelope.Presence["event"]) =>
          publish(
            topology.presenceExchange,
            "",
            Envelope.encode({
              v: Envelope.version,
              kind: "presence",
              event,
              at: Date.now(),
              ttlMs,
              worker,
            }),
            { persistent: false },
          )
        // a listener that starts later asks for a hello on the probe exchange
        yield* consume(
          {
            name: `${topology.probeExchange}.${worker.id}.${randomUUID()}`,
            exclusive: true,
            bindTo: topology.probeExchange,
          },
          16,
          () =>
            runPromise(
              say("heartbeat").pipe(
                Effect.catchAll((e) => Effect.logWarning("transport: probe not answered", e)),
                Effect.as("ack" as const),
              ),
            ),
        )
        yield* say("hello")
        const scope = yield* Effect.scope
        yield* Effect.addFinalizer(() =>
          say("goodbye").pipe(Effect.timeout("2 seconds"), Effect.ignore),
        )
        yield* say("heartbeat").pipe(
          Effect.catchAll((e) => Effect.logWarning("transport: heartbeat not published", e)),
          Effect.repeat(Schedule.spaced(interval)),
          Effect.delay(interval),
          Effect.forkIn(scope),
        )
      })

    const publishRaw: Transport.Service["publishRaw"] = (target, body) =>
      target === Queues.results
        ? publish("", topology.results, body, { persistent: true })
        : Effect.flatMap(route(target), (r) =>
            publish(r.exchange, r.routingKey, body, { persistent: true }),
          )

    return {
      targets: [...topology.routes.values()].map((r) => r.target),
      dispatch,
      dispatchMany,
      results,
      serve,
      announce,
      presence,
      probe,
      deadLetters,
      publishRaw,
    } satisfies Transport.Service
  })
