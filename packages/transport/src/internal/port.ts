/**
 * The small broker surface both transports are written against, so that the in-process and the
 * RabbitMQ transport share every rule above it (deadlines, acks, dead-lettering, dedupe keys).
 *
 * @internal
 */

/** A queue to declare and consume (names already namespaced). */
export interface QueueSpec {
  /** Empty: a broker-named, exclusive, auto-deleted queue. */
  readonly name: string
  /** Exclusive to this connection and deleted with it (presence listeners). */
  readonly exclusive: boolean
  /** Per-worker queues expire after this long without consumers. */
  readonly expiresMs?: number
  readonly deadLetterExchange?: string
  /** Cap on ready messages; past it the oldest are dropped (`x-max-length`, drop-head). */
  readonly maxLength?: number
  /** A fanout exchange to bind the queue to. */
  readonly bindTo?: string
}

/** Properties of one publish. */
export interface PublishProps {
  readonly persistent: boolean
  readonly headers?: Readonly<Record<string, string>>
  readonly messageId?: string
  readonly type?: string
}

/** One delivered message. */
export interface RawDelivery {
  readonly body: Uint8Array
  readonly redelivered: boolean
  /** Exact delivery count where the broker knows it (quorum queues, in-process). */
  readonly deliveryCount?: number
  readonly headers: Readonly<Record<string, unknown>>
}

/** What to do with a delivered message once the handler is done. */
export type Disposition = "ack" | "requeue" | "drop"

/** A running consumer; `close` stops deliveries and waits for in-flight handlers. */
export interface Subscription {
  /**
   * Stop deliveries (the broker's consumer is cancelled) and leave the in-flight handlers
   * running: a message they hand back goes to another consumer of the queue, not this one.
   */
  readonly pause: () => Promise<void>
  readonly close: () => Promise<void>
}

/** The broker as the transport sees it. */
export interface Port {
  /** Publish and wait for the broker's confirm; exchange `""` routes to the queue named by the key. */
  readonly publish: (
    exchange: string,
    routingKey: string,
    body: Uint8Array,
    props: PublishProps,
  ) => Promise<void>
  /** Declare, bind, consume; resolves once the consumer is registered with the broker. */
  readonly consume: (
    queue: QueueSpec,
    prefetch: number,
    handler: (delivery: RawDelivery) => Promise<Disposition>,
  ) => Promise<Subscription>
  readonly close: () => Promise<void>
}

/** The fixed topology a port declares before publishing and again after every reconnect. */
export interface Declarations {
  readonly fanouts: ReadonlyArray<string>
  readonly queues: ReadonlyArray<{ readonly name: string; readonly deadLetterExchange?: string }>
  readonly bindings: ReadonlyArray<{ readonly queue: string; readonly exchange: string }>
}
