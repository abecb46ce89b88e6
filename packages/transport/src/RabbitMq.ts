/**
 * The transport over RabbitMQ (`rabbitmq-client`, AMQP 0-9-1).
 *
 * Broker objects (all durable; names prefixed by `namespace.` when a namespace is set):
 * queue `netwark` and one queue per non-broadcast configured queue (competing consumers);
 * fanout exchanges `netwark.broadcast` and one per broadcast configured queue, each worker
 * consuming `<exchange>.worker.<workerId>` (expires after `workerQueueExpiry` unused); queue
 * `netwark.results`; fanout exchange `netwark.progress` with one exclusive queue per `results()`
 * stream; fanout exchange and queue `netwark.dead` (also every job queue's dead-letter
 * exchange); fanout exchange `netwark.presence` with one exclusive queue per listener.
 *
 * The socket runs with `noDelay` (Nagle's algorithm adds ~40 ms to one-at-a-time messages on
 * loopback). After a broker restart the client reconnects with exponential backoff, and the
 * publisher and every consumer declare their queues, exchanges and bindings again; publishes
 * made meanwhile wait and retry (see {@link Transport}).
 *
 * @module
 */
import { Effect, Layer, Redacted, Runtime } from "effect"
import * as Amqp from "./internal/amqp.js"
import * as Core from "./internal/core.js"
import * as Transport from "./Transport.js"
import * as TransportError from "./TransportError.js"

/** Options of the RabbitMQ transport. */
export interface Options extends Transport.CommonOptions {
  /** `amqp://user:pass@host:5672/vhost`. */
  readonly url: string | Redacted.Redacted<string>
  /** Shown in the management UI. */
  readonly connectionName?: string
  /** How long to wait for the first connection; default 10 s. */
  readonly connectTimeout?: number
}

/** Connect (scoped): the connection closes with the scope. */
export const make = (options: Options) =>
  Effect.gen(function* () {
    yield* Core.validate(options)
    const runtime = yield* Effect.runtime<never>()
    const { topology } = Core.resolve(options)
    const url = Redacted.isRedacted(options.url) ? Redacted.value(options.url) : options.url
    const connectTimeout = options.connectTimeout ?? 10_000
    const port = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () =>
          Amqp.make(
            {
              url,
              connectTimeoutMs: connectTimeout,
              retryLowMs: 100,
              retryHighMs: 5_000,
              ...(options.connectionName === undefined
                ? {}
                : { connectionName: options.connectionName }),
              onError: (where, error) =>
                void Runtime.runFork(runtime)(
                  Effect.logWarning(`transport: rabbitmq ${where}: ${String(error)}`),
                ),
              onReconnect: () =>
                void Runtime.runFork(runtime)(
                  Effect.logInfo("transport: rabbitmq connection restored"),
                ),
            },
            topology.declarations,
          ),
        // the client's timeout error keeps the last failure (refused, login, vhost) as its cause
        catch: (cause) =>
          TransportError.make(
            "Connection",
            `cannot connect to RabbitMQ: ${
              cause instanceof Error && cause.cause !== undefined
                ? `no connection within ${connectTimeout / 1000} s, last error: ${String(cause.cause)}`
                : String(cause)
            }`,
            cause,
          ),
      }),
      (port) => Effect.promise(() => port.close()),
    )
    return yield* Core.make(port, options)
  })

/** The RabbitMQ transport as a layer. */
export const layer = (
  options: Options,
): Layer.Layer<Transport.Transport, TransportError.TransportError> =>
  Layer.scoped(Transport.Transport, make(options))
