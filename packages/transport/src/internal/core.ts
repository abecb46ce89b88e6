/**
 * The transport's rules, written once against the broker port: encoding and size caps, confirmed
 * publishes with retry, deadlines, ack after the result, dead-lettering, presence.
 *
 * @internal
 */
import { randomUUID } from "node:crypto"
import {
  Cause,
  Duration,
  Effect,
  Either,
  Exit,
  Queue,
  Runtime,
  Schedule,
  Scope,
  Stream,
} from "effect"
import * as Envelope from "../Envelope.js"
import type * as Queues from "../Queues.js"
import type * as Transport from "../Transport.js"
import * as TransportError from "../TransportError.js"
import type { Disposition, Port, PublishProps, QueueSpec, RawDelivery } from "./port.js"
import * as Topology from "./topology.js"

/** Header naming why a message was dead-lettered. */
export const reasonHeader = "x-netwark-reason"
/** Header with the human detail of a dead-letter reason. */
export const detailHeader = "x-netwark-detail"
/** Header naming the public queue a dead letter came from. */
export const queueHeader = "x-netwark-queue"

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
    ),
    maxBytes: options.maxMessageBytes ?? Envelope.defaultMaxBytes,
    publishTimeout: Duration.decode(options.publishTimeout ?? "60 seconds"),
  }
}

/** Build the transport service over a port. */
export const make = (
  port: Port,
  options: Transport.CommonOptions,
): Effect.Effect<Transport.Service, never, Scope.Scope> =>
  Effect.gen(function* () {
    const { topology, maxBytes, publishTimeout } = resolve(options)
    const runtime = yield* Effect.runtime<never>()
    const runPromise = Runtime.runPromise(runtime)
    let closed = false
    yield* Effect.addFinalizer(() => Effect.sync(() => void (closed = true)))

    const publish = (
      exchange: string,
      routingKey: string,
      body: Uint8Array,
      props: PublishProps,
    ): Effect.Effect<void, TransportError.TransportError> =>
      Effect.tryPromise({
        try: () => port.publish(exchange, routingKey, body, props),
        catch: (cause) =>
          TransportError.make(
            closed ? "Closed" : "Publish",
            `publish to ${exchange || routingKey} failed: ${errorMessage(cause)}`,
            cause,
          ),
      }).pipe(
        Effect.retry({
          schedule: Schedule.exponential("50 millis").pipe(
            Schedule.union(Schedule.spaced("1 second")),
          ),
          while: () => !closed,
        }),
        Effect.timeoutFail({
          duration: publishTimeout,
          onTimeout: () =>
            TransportError.make(
              "Timeout",
              `publish to ${exchange || routingKey} not confirmed within ${Duration.format(publishTimeout)}`,
            ),
        }),
      )

    const publishReply = (reply: Envelope.Reply) =>
      Effect.gen(function* () {
        let body = Envelope.encode(reply)
        if (body.byteLength > maxBytes && reply.kind === "result") {
          const { data: _data, ...rest } = reply
          const message = `result of ${body.byteLength} bytes exceeds the ${maxBytes}-byte cap`
          body = Envelope.encode({ ...rest, status: "error", error: { message } })
        }
        yield* publish("", topology.results, body, {
          persistent: reply.kind === "result",
          messageId: `${reply.jobId}/${reply.workerId}/${reply.attempt}`,
        })
      })

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

    const dispatch: Transport.Service["dispatch"] = (input, targets) =>
      Effect.gen(function* () {
        const routes = yield* Effect.forEach(targets, route)
        const createdAt = Date.now()
        const deadline =
          input.deadline ?? createdAt + Duration.toMillis(input.timeout ?? "60 seconds")
        const jobs = routes.map((r): Envelope.Job => ({
          v: Envelope.version,
          kind: "job",
          operationId: input.operationId,
          jobId: `${input.jobId ?? input.operationId}/${r.target.name}`,
          type: input.type,
          payload: input.payload,
          target: r.target.name,
          mode: r.target.mode,
          deadline,
          createdAt,
        }))
        const bodies = yield* Effect.forEach(jobs, (job) =>
          Effect.try({
            try: () => Envelope.encode(job),
            catch: (cause) =>
              TransportError.make(
                "Decode",
                `job payload is not JSON: ${errorMessage(cause)}`,
                cause,
              ),
          }).pipe(
            Effect.filterOrFail(
              (body) => body.byteLength <= maxBytes,
              (body) =>
                TransportError.make(
                  "TooLarge",
                  `job of ${body.byteLength} bytes exceeds the ${maxBytes}-byte cap`,
                ),
            ),
          ),
        )
        yield* Effect.forEach(
          routes,
          (r, i) =>
            publish(r.exchange, r.routingKey, bodies[i]!, {
              persistent: true,
              messageId: jobs[i]!.jobId,
              type: input.type,
            }),
          { concurrency: "unbounded", discard: true },
        )
        return jobs
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

    const serve: Transport.Service["serve"] = (serveOptions, handler) =>
      Effect.gen(function* () {
        const routes = yield* Effect.forEach(serveOptions.queues, route)
        const concurrency = Math.max(1, serveOptions.concurrency ?? 4)
        const semaphore = yield* Effect.makeSemaphore(concurrency)
        const types = serveOptions.types ? new Set(serveOptions.types) : undefined
        const workerId = serveOptions.workerId

        const runJob = (job: Envelope.Job, attempt: number) =>
          Effect.gen(function* () {
            const startedAt = Date.now()
            const base = {
              v: Envelope.version,
              operationId: job.operationId,
              jobId: job.jobId,
              workerId,
              attempt,
              target: job.target,
              mode: job.mode,
            }
            if (startedAt > job.deadline) {
              yield* publishReply({
                ...base,
                kind: "result",
                status: "expired",
                startedAt,
                finishedAt: startedAt,
              })
              return "ack" as const
            }
            let seq = 0
            const progress = (data: unknown) =>
              Effect.suspend(() =>
                publishReply({ ...base, kind: "progress", seq: seq++, at: Date.now(), data }),
              ).pipe(
                Effect.catchAllCause((cause) =>
                  Effect.logWarning("transport: progress not published", cause),
                ),
              )
            const exit = yield* Effect.exit(handler(job, { workerId, attempt, progress }))
            const finishedAt = Date.now()
            const result: Envelope.Result = Exit.isSuccess(exit)
              ? { ...base, kind: "result", status: "ok", startedAt, finishedAt, data: exit.value }
              : {
                  ...base,
                  kind: "result",
                  status: "error",
                  startedAt,
                  finishedAt,
                  error: {
                    message: Cause.isFailType(exit.cause)
                      ? errorMessage(exit.cause.error)
                      : Cause.pretty(exit.cause),
                  },
                }
            yield* publishReply(result).pipe(
              Effect.catchIf(
                (e) => e.reason === "Decode",
                () => publishReply({ ...result, status: "error", data: undefined }),
              ),
            )
            return "ack" as const
          })

        const onDelivery =
          (queueName: string) =>
          (delivery: RawDelivery): Promise<Disposition> =>
            runPromise(
              Effect.gen(function* () {
                const decoded = Envelope.decodeJob(delivery.body, maxBytes)
                if (Either.isLeft(decoded))
                  return yield* deadLetter(
                    queueName,
                    decoded.left.reason,
                    decoded.left.error.message,
                    delivery.body,
                  )
                const job = decoded.right
                if (types !== undefined && !types.has(job.type))
                  return yield* deadLetter(
                    queueName,
                    "UnknownType",
                    `job type ${job.type} is not served by worker ${workerId}`,
                    delivery.body,
                  )
                const attempt =
                  delivery.deliveryCount !== undefined
                    ? delivery.deliveryCount + 1
                    : delivery.redelivered
                      ? 2
                      : 1
                return yield* semaphore.withPermits(1)(runJob(job, attempt))
              }).pipe(
                Effect.catchAllCause((cause) =>
                  Effect.logError("transport: job not completed, requeued", cause).pipe(
                    Effect.as("requeue" as const),
                  ),
                ),
              ),
            )

        yield* Effect.forEach(
          routes,
          (r) => consume(r.consume(workerId), concurrency, onDelivery(r.target.name)),
          { concurrency: "unbounded", discard: true },
        )
      })

    /** A stream over a queue whose elements are acked by the consumer of the stream. */
    const ackedStream = <A>(
      spec: QueueSpec,
      prefetch: number,
      decode: (delivery: RawDelivery) => Effect.Effect<Either.Either<A, Disposition>>,
    ): Stream.Stream<Transport.Delivery<A>, TransportError.TransportError> =>
      Stream.unwrapScoped(
        Effect.gen(function* () {
          const queue = yield* Queue.unbounded<Transport.Delivery<A>>()
          const pending = new Set<(d: Disposition) => void>()
          yield* Effect.addFinalizer(() =>
            Effect.sync(() => {
              for (const settle of pending) settle("requeue")
            }),
          )
          yield* consume(spec, prefetch, (delivery) =>
            runPromise(decode(delivery)).then((decoded) => {
              if (Either.isLeft(decoded)) return decoded.left
              let settle: (d: Disposition) => void = () => {}
              const promise = new Promise<Disposition>((r) => (settle = r))
              let done = false
              const once = (d: Disposition) => {
                if (done) return
                done = true
                pending.delete(once)
                settle(d)
              }
              pending.add(once)
              Queue.unsafeOffer(queue, {
                message: decoded.right,
                ack: Effect.sync(() => once("ack")),
                nack: Effect.sync(() => once("requeue")),
              })
              return promise
            }),
          )
          return Stream.fromQueue(queue)
        }),
      )

    const results: Transport.Service["results"] = (resultOptions) =>
      ackedStream(
        { name: topology.results, exclusive: false, deadLetterExchange: topology.deadExchange },
        resultOptions?.prefetch ?? 256,
        (delivery) => {
          const decoded = Envelope.decodeReply(delivery.body, maxBytes)
          return Either.isRight(decoded)
            ? Effect.succeed(Either.right(decoded.right))
            : Effect.map(
                deadLetter(
                  "netwark.results",
                  decoded.left.reason,
                  decoded.left.error.message,
                  delivery.body,
                ),
                Either.left,
              )
        },
      )

    const deadLetters: Transport.Service["deadLetters"] = () =>
      ackedStream({ name: topology.deadQueue, exclusive: false }, 64, (delivery) => {
        const header = (key: string) => {
          const value = delivery.headers[key]
          return typeof value === "string" ? value : undefined
        }
        const reason = header(reasonHeader)
        const known = ["TooLarge", "Malformed", "UnknownType", "UnknownVersion"]
        return Effect.succeed(
          Either.right({
            queue: topology.publicName(header(queueHeader) ?? header("x-first-death-queue") ?? ""),
            reason:
              reason !== undefined && known.includes(reason)
                ? (reason as Envelope.DeadReason)
                : "Broker",
            detail: header(detailHeader) ?? header("x-first-death-reason") ?? "rejected",
            body: delivery.body,
          }),
        )
      })

    const presence: Transport.Service["presence"] = () =>
      Stream.map(
        ackedStream(
          {
            name: `${topology.presenceExchange}.listener.${randomUUID()}`,
            exclusive: true,
            bindTo: topology.presenceExchange,
          },
          256,
          (delivery) => {
            const decoded = Envelope.decodePresence(delivery.body, maxBytes)
            return Either.isRight(decoded)
              ? Effect.succeed(Either.right(decoded.right))
              : Effect.logWarning("transport: bad presence message ignored").pipe(
                  Effect.annotateLogs({ detail: decoded.left.error.message }),
                  Effect.as(Either.left("ack" as const)),
                )
          },
        ),
        (delivery) => {
          Effect.runSync(delivery.ack)
          return delivery.message
        },
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
      Effect.flatMap(route(target), (r) =>
        publish(r.exchange, r.routingKey, body, { persistent: true }),
      )

    return {
      targets: [...topology.routes.values()].map((r) => r.target),
      dispatch,
      results,
      serve,
      announce,
      presence,
      deadLetters,
      publishRaw,
    } satisfies Transport.Service
  })
