/**
 * An in-memory broker behind the same port as RabbitMQ: default-exchange routing to queues,
 * fanout exchanges, round-robin among consumers with prefetch, requeue, dead-lettering.
 *
 * @internal
 */
import { randomUUID } from "node:crypto"
import type {
  Declarations,
  Disposition,
  Port,
  PublishProps,
  QueueSpec,
  RawDelivery,
} from "./port.js"

interface Message {
  readonly body: Uint8Array
  readonly headers: Readonly<Record<string, string>>
  /** Previous deliveries of this message. */
  deliveries: number
}

interface Consumer {
  readonly prefetch: number
  readonly handler: (delivery: RawDelivery) => Promise<Disposition>
  inFlight: number
  /** Takes no more deliveries (paused or closed). */
  paused: boolean
  closed: boolean
  /**
   * Waiting for `inFlight` to reach 0 (a close). A count rather than a set of the deliveries'
   * promises: those (two promises and a set entry per message) were 5 % of what a server with
   * 100 in-process workers allocated in a fan-out (2,970 -> 2,815 MB over 1,100 rounds).
   */
  readonly idle: Array<() => void>
}

interface MemQueue {
  readonly name: string
  readonly deadLetterExchange: string | undefined
  readonly maxLength: number | undefined
  readonly ready: Array<Message>
  readonly consumers: Array<Consumer>
  next: number
  scheduled: boolean
}

/** Make an in-memory broker with the given fixed declarations. */
export const make = (declarations: Declarations): Port => {
  const queues = new Map<string, MemQueue>()
  const fanouts = new Map<string, Set<string>>()

  const declareQueue = (
    name: string,
    deadLetterExchange?: string,
    maxLength?: number,
  ): MemQueue => {
    const existing = queues.get(name)
    if (existing) return existing
    const queue: MemQueue = {
      name,
      deadLetterExchange,
      maxLength,
      ready: [],
      consumers: [],
      next: 0,
      scheduled: false,
    }
    queues.set(name, queue)
    return queue
  }
  const declareFanout = (name: string) => {
    if (!fanouts.has(name)) fanouts.set(name, new Set())
  }
  for (const name of declarations.fanouts) declareFanout(name)
  for (const queue of declarations.queues) declareQueue(queue.name, queue.deadLetterExchange)
  for (const binding of declarations.bindings) fanouts.get(binding.exchange)?.add(binding.queue)

  const schedule = (queue: MemQueue) => {
    if (queue.scheduled) return
    queue.scheduled = true
    queueMicrotask(() => {
      queue.scheduled = false
      pump(queue)
    })
  }

  const nextConsumer = (queue: MemQueue): Consumer | undefined => {
    const n = queue.consumers.length
    for (let i = 0; i < n; i++) {
      const index = (queue.next + i) % n
      const consumer = queue.consumers[index]
      if (consumer && !consumer.paused && consumer.inFlight < consumer.prefetch) {
        queue.next = (index + 1) % n
        return consumer
      }
    }
    return undefined
  }

  const pump = (queue: MemQueue) => {
    while (queue.ready.length > 0) {
      const consumer = nextConsumer(queue)
      if (!consumer) return
      const message = queue.ready.shift()!
      consumer.inFlight++
      void deliver(queue, consumer, message)
    }
  }

  const deliver = async (queue: MemQueue, consumer: Consumer, message: Message) => {
    let disposition: Disposition
    try {
      disposition = await consumer.handler({
        body: message.body,
        redelivered: message.deliveries > 0,
        deliveryCount: message.deliveries,
        headers: message.headers,
      })
    } catch {
      disposition = "requeue"
    }
    try {
      if (disposition === "requeue") {
        message.deliveries++
        queue.ready.unshift(message)
      } else if (disposition === "drop" && queue.deadLetterExchange !== undefined) {
        route(queue.deadLetterExchange, queue.name, {
          body: message.body,
          headers: { ...message.headers, "x-first-death-queue": queue.name },
          deliveries: 0,
        })
      }
    } finally {
      // also when dead-lettering throws: a close waiting for the count must not hang
      consumer.inFlight--
      if (consumer.inFlight === 0) for (const f of consumer.idle.splice(0)) f()
      schedule(queue)
    }
  }

  const enqueue = (name: string, message: Message) => {
    const queue = queues.get(name)
    if (!queue) return
    queue.ready.push(message)
    // like RabbitMQ's default overflow (drop-head): the oldest ready message goes
    if (queue.maxLength !== undefined && queue.ready.length > queue.maxLength) queue.ready.shift()
    schedule(queue)
  }

  const route = (exchange: string, routingKey: string, message: Message) => {
    if (exchange === "") return enqueue(routingKey, message)
    const bound = fanouts.get(exchange)
    if (!bound) throw new Error(`no exchange ${exchange}`)
    for (const name of bound) enqueue(name, { ...message, deliveries: 0 })
  }

  return {
    publish: (exchange: string, routingKey: string, body: Uint8Array, props: PublishProps) => {
      try {
        route(exchange, routingKey, { body, headers: props.headers ?? {}, deliveries: 0 })
        return Promise.resolve()
      } catch (cause) {
        return Promise.reject(cause instanceof Error ? cause : new Error(String(cause)))
      }
    },
    consume: (spec: QueueSpec, prefetch: number, handler) => {
      const name = spec.name === "" ? `amq.gen-${randomUUID()}` : spec.name
      const queue = declareQueue(name, spec.deadLetterExchange, spec.maxLength)
      if (spec.bindTo !== undefined) {
        declareFanout(spec.bindTo)
        fanouts.get(spec.bindTo)!.add(name)
      }
      const consumer: Consumer = {
        prefetch,
        handler,
        inFlight: 0,
        paused: false,
        closed: false,
        idle: [],
      }
      queue.consumers.push(consumer)
      schedule(queue)
      return Promise.resolve({
        pause: () => {
          consumer.paused = true
          return Promise.resolve()
        },
        close: async () => {
          if (consumer.closed) return
          consumer.closed = true
          consumer.paused = true
          if (consumer.inFlight > 0)
            await new Promise<void>((resolve) => consumer.idle.push(resolve))
          const index = queue.consumers.indexOf(consumer)
          if (index >= 0) queue.consumers.splice(index, 1)
          queue.next = 0
          if (spec.exclusive) {
            queues.delete(name)
            for (const bound of fanouts.values()) bound.delete(name)
          } else schedule(queue)
        },
      })
    },
    close: () => Promise.resolve(),
  }
}
