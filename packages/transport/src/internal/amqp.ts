/**
 * The broker port over `rabbitmq-client`: one connection with Nagle off, one confirming
 * publisher that re-declares the fixed topology after every reconnect, and consumers that share
 * one channel per prefetch value and re-declare their queue and binding after every reconnect.
 *
 * The client's `Consumer` gives each consumer its own channel and writes one ack frame per
 * message. Here the consumers of one prefetch value share a channel (a process serving 100
 * workers opens one, not 100), and the settlements of one event-loop turn go out as the fewest
 * safe frames (`basic.ack` with `multiple` over a settled run, see `acks.ts`), in the same write
 * as the turn's publishes.
 *
 * @internal
 */
import type { Socket } from "node:net"
import { Connection, type AsyncMessage, type Channel } from "rabbitmq-client"
import * as Acks from "./acks.js"
import type { Declarations, Disposition, Port, QueueSpec, RawDelivery } from "./port.js"

/** Connection settings of the port. */
export interface AmqpOptions {
  readonly url: string
  readonly connectionName?: string
  readonly connectTimeoutMs: number
  readonly retryLowMs: number
  readonly retryHighMs: number
  readonly onError: (where: string, error: unknown) => void
  /** The connection is back after a loss (the client logs only the first failed attempt). */
  readonly onReconnect?: () => void
}

/** Content type of every envelope; not `application/json`, so the client hands us raw bytes. */
export const contentType = "application/vnd.netwark+json"

const queueArguments = (deadLetterExchange?: string, expiresMs?: number, maxLength?: number) => ({
  ...(deadLetterExchange === undefined ? {} : { "x-dead-letter-exchange": deadLetterExchange }),
  ...(expiresMs === undefined ? {} : { "x-expires": expiresMs }),
  ...(maxLength === undefined ? {} : { "x-max-length": maxLength }),
})

const bodyBytes = (body: unknown): Uint8Array =>
  Buffer.isBuffer(body)
    ? body
    : typeof body === "string"
      ? Buffer.from(body, "utf8")
      : Buffer.from(JSON.stringify(body) ?? "", "utf8")

/** A consumer channel as of one (re)open: its delivery tags mean nothing on the next. */
interface Generation {
  readonly channel: Channel
  readonly acks: Acks.Tracker
}

/** The consumers sharing one channel (those with the same prefetch). */
interface Group {
  readonly prefetch: number
  readonly entries: Set<Entry>
  current: Generation | undefined
  opening: Promise<Generation> | undefined
}

/** One consumer of one queue. */
interface Entry {
  readonly spec: QueueSpec
  readonly group: Group
  readonly handler: (delivery: RawDelivery) => Promise<Disposition>
  /** Empty while not consuming. */
  consumerTag: string
  inFlight: number
  readonly idle: Array<() => void>
  /** Deliveries stopped (paused or stopping): a message that still arrives goes back. */
  closing: boolean
  stopped: boolean
  attempts: number
  setup: Promise<void> | undefined
  timer: ReturnType<typeof setTimeout> | undefined
  ready: ((error?: unknown) => void) | undefined
}

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
  // wrote once per message (~2 writes per fan-out copy). The socket stays corked until the next
  // check phase instead, which first writes the turn's settlements, so the publishes and acks of
  // every delivery of one socket read leave in one writev (a 100-worker round: ~200 write
  // syscalls -> ~25) at the cost of one non-blocking poll. `_socket` is the client's private
  // field (re-read: it changes on reconnect); Writable.end() flushes a corked socket, so a close
  // is never held up.
  const dirty = new Set<Group>()
  let turnScheduled = false
  let corkedSocket: Socket | undefined
  const endTurn = () => {
    turnScheduled = false
    for (const group of dirty) flushAcks(group)
    dirty.clear()
    const socket = corkedSocket
    corkedSocket = undefined
    socket?.uncork()
  }
  const turn = () => {
    if (corkedSocket === undefined) {
      const socket = (connection as unknown as { readonly _socket?: Socket })._socket
      if (socket !== undefined && socket.writable) {
        socket.cork()
        corkedSocket = socket
      }
    }
    if (!turnScheduled) {
      turnScheduled = true
      setImmediate(endTurn)
    }
  }

  try {
    await connection.onConnect(options.connectTimeoutMs)
  } catch (cause) {
    connection.unsafeDestroy()
    throw cause
  }
  // from here on every "connection" event is a reconnect
  connection.on("connection", () => options.onReconnect?.())
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

  // ------------------------------------------------------------------ settlements

  const flushAcks = (group: Group) => {
    const generation = group.current
    if (generation === undefined) return
    const { channel, acks } = generation
    for (const frame of acks.flush()) {
      // a closed channel throws: its open deliveries go back to their queues anyway
      try {
        if (frame.disposition === "ack")
          channel.basicAck({ deliveryTag: frame.tag, multiple: frame.multiple })
        else
          channel.basicNack({
            deliveryTag: frame.tag,
            multiple: false,
            requeue: frame.disposition === "requeue",
          })
      } catch (error) {
        if (channel.active) options.onError("ack", error)
        return
      }
    }
  }

  const settle = (group: Group, generation: Generation, tag: number, disposition: Disposition) => {
    // deliveries of a closed channel were requeued by the broker when it closed
    if (group.current !== generation || !generation.channel.active) return
    if (!generation.acks.settle(tag, disposition)) return
    dirty.add(group)
    turn()
  }

  const whenIdle = (entry: Entry): Promise<void> =>
    entry.inFlight === 0 ? Promise.resolve() : new Promise((resolve) => entry.idle.push(resolve))

  const onMessage = (entry: Entry, generation: Generation) => (message: AsyncMessage) => {
    const tag = message.deliveryTag
    generation.acks.delivered(tag)
    const { group } = entry
    // a message sent before the broker saw our cancel goes straight back
    if (entry.closing) return settle(group, generation, tag, "requeue")
    entry.inFlight++
    turn()
    const count = message.headers?.["x-delivery-count"]
    const done = (disposition: Disposition) => {
      settle(group, generation, tag, disposition)
      if (--entry.inFlight === 0) for (const resolve of entry.idle.splice(0)) resolve()
    }
    let result: Promise<Disposition>
    try {
      result = entry.handler({
        body: bodyBytes(message.body),
        redelivered: message.redelivered,
        ...(typeof count === "number" ? { deliveryCount: count } : {}),
        headers: message.headers ?? {},
      })
    } catch (error) {
      result = Promise.reject(error)
    }
    result.then(done, (error: unknown) => {
      options.onError(`consumer ${entry.spec.name}`, error)
      done("requeue")
    })
  }

  // ------------------------------------------------------------------ channels and consumers

  const groups = new Map<number, Group>()

  const openGroup = (group: Group): Promise<Generation> => {
    const current = group.current
    if (current !== undefined && current.channel.active) return Promise.resolve(current)
    if (group.opening !== undefined) return group.opening
    const opening = (async () => {
      const channel = await connection.acquire({ emitErrorsFromChannel: true })
      channel.on("error", (error) => options.onError(`consumer channel`, error))
      const generation: Generation = { channel, acks: Acks.make() }
      channel.once("close", () => {
        if (group.current !== generation) return
        group.current = undefined
        dirty.delete(group)
        for (const entry of group.entries) {
          entry.consumerTag = ""
          // an entry mid-setup notices the closed channel itself
          if (!entry.closing && entry.setup === undefined) retry(entry)
        }
      })
      channel.on("basic.cancel", (consumerTag: string, error: unknown) => {
        // the queue was deleted: declare it again and consume anew
        for (const entry of group.entries)
          if (entry.consumerTag === consumerTag) {
            entry.consumerTag = ""
            if (entry.closing) continue
            options.onError(`consumer ${entry.spec.name}`, error)
            if (entry.setup === undefined) retry(entry)
          }
      })
      try {
        await channel.basicQos({ prefetchCount: group.prefetch })
      } catch (error) {
        void channel.close()
        throw error
      }
      group.current = generation
      return generation
    })().finally(() => {
      group.opening = undefined
    })
    group.opening = opening
    return opening
  }

  /** Declare the entry's queue on the connection's own channel: a refused declaration closes that channel, not the one shared by the consumers. */
  const declare = async (spec: QueueSpec): Promise<string> => {
    const { queue } = await connection.queueDeclare({
      queue: spec.name,
      durable: !spec.exclusive,
      exclusive: spec.exclusive,
      autoDelete: spec.exclusive,
      arguments: queueArguments(spec.deadLetterExchange, spec.expiresMs, spec.maxLength),
    })
    if (spec.bindTo !== undefined) {
      await connection.exchangeDeclare({ exchange: spec.bindTo, type: "fanout", durable: true })
      await connection.queueBind({ queue, exchange: spec.bindTo })
    }
    return queue
  }

  const setup = async (entry: Entry) => {
    // jobs of a closed channel finish first: the broker redelivers them, and the prefetch bound
    // would not hold with the old ones still running
    await whenIdle(entry)
    if (entry.closing) return
    const queue = await declare(entry.spec)
    const generation = await openGroup(entry.group)
    if (entry.closing) return
    const { consumerTag } = await generation.channel.basicConsume(
      { queue },
      onMessage(entry, generation),
    )
    if (entry.group.current !== generation || !generation.channel.active)
      throw new Error(`channel closed while ${entry.spec.name} subscribed`)
    entry.consumerTag = consumerTag
    entry.attempts = 0
  }

  const start = (entry: Entry) => {
    entry.timer = undefined
    entry.setup = setup(entry).then(
      () => {
        entry.setup = undefined
        const ready = entry.ready
        entry.ready = undefined
        ready?.()
      },
      (error: unknown) => {
        entry.setup = undefined
        if (entry.closing) return
        if (entry.attempts === 0) options.onError(`consumer ${entry.spec.name}`, error)
        entry.ready?.(error)
        retry(entry)
      },
    )
  }

  const retry = (entry: Entry) => {
    if (entry.closing || entry.timer !== undefined || entry.setup !== undefined) return
    const attempts = ++entry.attempts
    const high = Math.min(options.retryHighMs, options.retryLowMs * 2 ** attempts)
    const delay = options.retryLowMs + Math.random() * Math.max(0, high - options.retryLowMs)
    entry.timer = setTimeout(() => start(entry), delay)
  }

  const cancel = async (entry: Entry) => {
    const generation = entry.group.current
    const consumerTag = entry.consumerTag
    entry.consumerTag = ""
    if (consumerTag === "" || generation === undefined || !generation.channel.active) return
    await generation.channel.basicCancel({ consumerTag }).catch(() => undefined)
  }

  /** Stop an entry's deliveries: no retry, cancel; its running handlers go on. */
  const pause = async (entry: Entry) => {
    entry.closing = true
    if (entry.timer !== undefined) clearTimeout(entry.timer)
    entry.timer = undefined
    await entry.setup
    await cancel(entry)
  }

  /** Stop an entry: cancel, let its running handlers settle, write their acks. */
  const stop = async (entry: Entry) => {
    if (entry.stopped) return
    entry.stopped = true
    await pause(entry)
    await whenIdle(entry)
    const { group } = entry
    group.entries.delete(entry)
    flushAcks(group)
    dirty.delete(group)
    if (group.entries.size === 0 && groups.get(group.prefetch) === group) {
      groups.delete(group.prefetch)
      await group.opening?.catch(() => undefined)
      await group.current?.channel.close()
    }
  }

  const consume: Port["consume"] = (spec, prefetch, handler) =>
    new Promise((resolve, reject) => {
      let group = groups.get(prefetch)
      if (group === undefined) {
        group = { prefetch, entries: new Set(), current: undefined, opening: undefined }
        groups.set(prefetch, group)
      }
      const entry: Entry = {
        spec,
        group,
        handler,
        consumerTag: "",
        inFlight: 0,
        idle: [],
        closing: false,
        stopped: false,
        attempts: 0,
        setup: undefined,
        timer: undefined,
        ready: undefined,
      }
      group.entries.add(entry)
      let lastError: unknown
      const timer = setTimeout(() => {
        entry.ready = undefined
        void stop(entry)
        reject(lastError ?? new Error(`consumer of ${spec.name} not ready in time`))
      }, options.connectTimeoutMs)
      // called with the error of each failed attempt (the retries go on) and once without
      entry.ready = (error) => {
        if (error !== undefined) lastError = error
        else {
          clearTimeout(timer)
          resolve({ pause: () => pause(entry), close: () => stop(entry) })
        }
      }
      start(entry)
    })

  return {
    publish: (exchange, routingKey, body, props) => {
      turn()
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
      await Promise.all([...groups.values()].flatMap((g) => [...g.entries].map(stop)))
      await publisher.close()
      await connection.close()
    },
  }
}
