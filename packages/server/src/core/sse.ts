/**
 * Server-Sent Events on the raw Node response, from an Effect stream.
 *
 * Nest's `@Sse()` turns each message into an RxJS emission, a promise, a `nextTick` and a pass
 * through a Transform stream: ~14 µs of CPU per event here, 1.4 ms for a 100-worker broadcast's
 * results, besides the write. Here each chunk of the stream (a broadcast's results arrive as a
 * few chunks) is formatted as one string and written at once.
 *
 * @module
 */
import type { OutgoingHttpHeaders, ServerResponse } from "node:http"
import { Cause, Chunk, Effect, Fiber, Option, Stream } from "effect"
import type { EffectRuntime } from "./runtime.js"

/** One event: its `event:` type, optional `id:`, and the data, sent as one line of JSON. */
export interface SseMessage {
  readonly type: string
  readonly id?: string
  readonly data: unknown
  /** The stream's last event: the response ends with it, in the same write. */
  readonly last?: boolean
}

/** The response headers of an event stream (as Nest's `@Sse()` sends them). */
export const sseHeaders: OutgoingHttpHeaders = {
  "content-type": "text/event-stream",
  connection: "keep-alive",
  // no cache anywhere, and no buffering in proxies (nginx's X-Accel-Buffering)
  "cache-control": "private, no-cache, no-store, must-revalidate, max-age=0, no-transform",
  pragma: "no-cache",
  expire: "0",
  "x-accel-buffering": "no",
}

// type and id come from this server, but a line break in them would start another field
const field = (value: string) => value.replace(/[\r\n]/g, "")

/** Messages in the SSE wire format; JSON has no raw line break, so `data` is one line. */
export const format = (messages: Iterable<SseMessage>): string => {
  let text = ""
  for (const m of messages) {
    text += `event: ${field(m.type)}\n`
    if (m.id !== undefined) text += `id: ${field(m.id)}\n`
    text += `data: ${JSON.stringify(m.data) ?? "null"}\n\n`
  }
  return text
}

/** How often a quiet stream sends a comment, so that proxies do not close it as idle. */
export const heartbeatMillis = 15_000

/**
 * Send `stream` as an event stream on `response`: the headers and a first blank line at once,
 * then one write per chunk (the writes of one event-loop turn leave in one packet; a full socket
 * is waited for), a comment line after each quiet heartbeat period, and the end of the response
 * with the message marked `last` (in its write), or when the stream ends. The client leaving
 * interrupts the stream; a failure after the headers ends the response (the status is sent).
 */
export const sendSse = <E, R>(
  runtime: EffectRuntime<R>,
  response: ServerResponse,
  stream: Stream.Stream<SseMessage, E, R>,
  options: {
    /** Headers to send too (those hooks set on the reply). */
    readonly headers?: Readonly<Record<string, number | string | ReadonlyArray<string> | undefined>>
    /** Default {@link heartbeatMillis}. */
    readonly heartbeatMillis?: number
  } = {},
): void => {
  response.writeHead(200, { ...(options.headers as OutgoingHttpHeaders), ...sseHeaders })
  response.write("\n")
  const socket = response.socket
  let corked = false
  let quiet = true
  const uncork = () => {
    corked = false
    socket?.uncork()
  }
  const heartbeat = setInterval(() => {
    if (quiet && !response.writableEnded) response.write(": keep-alive\n\n")
    quiet = true
  }, options.heartbeatMillis ?? heartbeatMillis).unref()
  const write = (chunk: Chunk.Chunk<SseMessage>) =>
    Effect.async<void>((resume) => {
      quiet = false
      const text = format(chunk)
      if (Chunk.last(chunk).pipe(Option.exists((m) => m.last === true))) {
        response.end(text)
        return resume(Effect.void)
      }
      if (socket !== null && !socket.destroyed && !corked) {
        corked = true
        socket.cork()
        setImmediate(uncork)
      }
      if (response.write(text)) return resume(Effect.void)
      const go = () => {
        response.off("drain", go)
        response.off("close", go)
        resume(Effect.void)
      }
      response.once("drain", go)
      response.once("close", go)
    })
  const fiber = runtime.managed.runFork(
    Stream.runForEachChunk(
      Stream.takeUntil(stream, (m) => m.last === true),
      write,
    ).pipe(
      Effect.catchAllCause((cause) =>
        Cause.isInterruptedOnly(cause)
          ? Effect.void
          : Effect.logWarning("sse: event stream failed", Cause.pretty(cause)),
      ),
    ),
  )
  fiber.addObserver(() => {
    clearInterval(heartbeat)
    if (!response.writableEnded) response.end()
  })
  // the client left (or the response ended): a stream still running stops
  response.once("close", () => {
    if (fiber.unsafePoll() === null) runtime.managed.runFork(Fiber.interrupt(fiber))
  })
}
