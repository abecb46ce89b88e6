/**
 * The broker port over `rabbitmq-client`: one connection with Nagle off, one confirming
 * publisher that re-declares the fixed topology after every reconnect, and one consumer (own
 * channel, own prefetch) per queue that re-declares its queue and binding after every reconnect.
 *
 * @internal
 */
import type { Socket } from "node:net"
import { Connection, ConsumerStatus, type AsyncMessage } from "rabbitmq-client"
import type { Declarations, Disposition, Port, QueueSpec } from "./port.js"

/** Connection settings of the port. */
export interface AmqpOptions {
  readonly url: string
  readonly connectionName?: string
  readonly connectTimeoutMs: number
  readonly retryLowMs: number
  readonly retryHighMs: number
  readonly onError: (where: string, error: unknown) => void
}

/** Content type of every envelope; not `application/json`, so the client hands us raw bytes. */
export const contentType = "application/vnd.netwark+json"

const queueArguments = (deadLetterExchange?: string, expiresMs?: number) => ({
  ...(deadLetterExchange === undefined ? {} : { "x-dead-letter-exchange": deadLetterExchange }),
  ...(expiresMs === undefined ? {} : { "x-expires": expiresMs }),
})

const bodyBytes = (body: unknown): Uint8Array =>
  Buffer.isBuffer(body)
    ? body
    : typeof body === "string"
      ? Buffer.from(body, "utf8")
      : Buffer.from(JSON.stringify(body) ?? "", "utf8")

const status = (disposition: Disposition): ConsumerStatus =>
  disposition === "ack"
    ? ConsumerStatus.ACK
    : disposition === "requeue"
      ? ConsumerStatus.REQUEUE
      : ConsumerStatus.DROP

/** Connect and declare; rejects when the broker cannot be reached within the timeout. */
export const make = async (options: AmqpOptions, declarations: Declarations): Promise<Port> => {
  const connection = new Connection({
    url: options.url,
    noDelay: true,
    retryLow: options.retryLowMs,
    retryHigh: options.retryHighMs,
    connectionTimeout: options.connectTimeoutMs,
    ...(options.connectionName === undefined ? {} : { connectionName: options.connectionName }),
  })
  connection.on("error", (error) => options.onError("connection", error))

  // With noDelay every frame write is its own syscall (the client corks per message only), and
  // syscalls dominate the CPU of a busy worker. The client hands each delivery to its handler in
  // its own setImmediate, and Node drains nextTicks between immediates, so a per-tick cork still
  // wrote once per message (~2 writes per fan-out copy). Uncorking on the next check phase
  // instead coalesces the publishes and acks of every delivery of one socket read into one
  // writev (a 100-worker round: ~200 write syscalls -> ~25, CPU ~34 -> ~25 ms) at the cost of
  // one non-blocking poll. `_socket` is the client's private field (re-read: it changes on
  // reconnect); Writable.end() flushes a corked socket, so a close is never held up.
  let corked = false
  const corkTurn = () => {
    const socket = (connection as unknown as { readonly _socket?: Socket })._socket
    if (corked || socket === undefined || !socket.writable) return
    corked = true
    socket.cork()
    setImmediate(() => {
      corked = false
      socket.uncork()
    })
  }
  try {
    await connection.onConnect(options.connectTimeoutMs)
  } catch (cause) {
    connection.unsafeDestroy()
    throw cause
  }
  const exchanges = declarations.fanouts.map((exchange) => ({
    exchange,
    type: "fanout",
    durable: true,
  }))
  const publisher = connection.createPublisher({
    confirm: true,
    maxAttempts: 3,
    exchanges,
    queues: declarations.queues.map((q) => ({
      queue: q.name,
      durable: true,
      arguments: queueArguments(q.deadLetterExchange),
    })),
    queueBindings: declarations.bindings.map((b) => ({ queue: b.queue, exchange: b.exchange })),
  })
  publisher.on("retry", (error) => options.onError("publish retry", error))

  const consume: Port["consume"] = (spec: QueueSpec, prefetch, handler) =>
    new Promise((resolve, reject) => {
      const consumer = connection.createConsumer(
        {
          queue: spec.name,
          queueOptions: {
            durable: !spec.exclusive,
            exclusive: spec.exclusive,
            autoDelete: spec.exclusive,
            arguments: queueArguments(spec.deadLetterExchange, spec.expiresMs),
          },
          qos: { prefetchCount: prefetch },
          concurrency: prefetch,
          requeue: true,
          ...(spec.bindTo === undefined
            ? {}
            : {
                exchanges: [{ exchange: spec.bindTo, type: "fanout", durable: true }],
                queueBindings: [{ queue: spec.name, exchange: spec.bindTo }],
              }),
        },
        async (message: AsyncMessage) => {
          corkTurn()
          const count = message.headers?.["x-delivery-count"]
          const disposition = await handler({
            body: bodyBytes(message.body),
            redelivered: message.redelivered,
            ...(typeof count === "number" ? { deliveryCount: count } : {}),
            headers: message.headers ?? {},
          })
          // the ack is written right after this returns, before the corked socket flushes
          corkTurn()
          return status(disposition)
        },
      )
      let lastError: unknown
      const timer = setTimeout(() => {
        void consumer.close()
        reject(lastError ?? new Error(`consumer of ${spec.name} not ready in time`))
      }, options.connectTimeoutMs)
      consumer.on("error", (error) => {
        lastError = error
        options.onError(`consumer ${spec.name}`, error)
      })
      consumer.once("ready", () => {
        clearTimeout(timer)
        resolve({ close: () => consumer.close() })
      })
    })

  return {
    publish: (exchange, routingKey, body, props) => {
      corkTurn()
      return publisher.send(
        {
          exchange,
          routingKey,
          durable: props.persistent,
          contentType,
          ...(props.headers === undefined ? {} : { headers: { ...props.headers } }),
          ...(props.messageId === undefined ? {} : { messageId: props.messageId }),
          ...(props.type === undefined ? {} : { type: props.type }),
        },
        Buffer.from(body.buffer, body.byteOffset, body.byteLength),
      )
    },
    consume,
    close: async () => {
      await publisher.close()
      await connection.close()
    },
  }
}
