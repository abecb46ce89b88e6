/**
 * A `text/event-stream` reader over any byte stream (a `fetch` response body), so live results
 * work the same in Node and browsers without `EventSource` (which cannot send headers or be
 * aborted with a signal). Follows the WHATWG event-stream parsing rules.
 *
 * @module
 */

/** One dispatched Server-Sent Event. */
export interface ServerSentEvent {
  /** The `event:` field, `"message"` when the server sent none. */
  readonly event: string
  /** The `data:` lines joined with `\n`. */
  readonly data: string
  /** The last event id seen on the stream (it carries over to later events, as in `EventSource`). */
  readonly id: string | undefined
  /**
   * The reconnection delay the server last asked for on the stream, in milliseconds. Like `id`
   * it carries over to later events, and a `retry:` in a block without data still counts (the
   * spec applies it when the field is read).
   */
  readonly retry: number | undefined
}

/** Incremental parser state: feed it decoded text, it returns the events each chunk completed. */
export class Parser {
  /**
   * The unfinished line, as the chunks that brought it: joined once when its line break comes. A
   * line sent in many chunks (a large snapshot) was appended to one string and searched from its
   * start at every chunk, in time squared in its length (a 4 MB line in 16 KB chunks: 3.4 s).
   */
  private pending: Array<string> = []
  private data: Array<string> = []
  private event = ""
  private id: string | undefined = undefined
  private retry: number | undefined = undefined
  private pendingCr = false
  private first = true

  /** Feeds a chunk of decoded text; returns the events it completed, in order. */
  push(chunk: string): Array<ServerSentEvent> {
    let text = chunk
    if (this.first && text.length > 0) {
      this.first = false
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
    }
    // A CR ending one chunk and an LF starting the next are one line break, not two.
    if (this.pendingCr && text.startsWith("\n")) text = text.slice(1)
    this.pendingCr = false
    const out: Array<ServerSentEvent> = []
    let start = 0
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i)
      if (c !== 10 && c !== 13) continue
      let line = text.slice(start, i)
      if (this.pending.length > 0) {
        this.pending.push(line)
        line = this.pending.join("")
        this.pending = []
      }
      this.line(line, out)
      if (c === 13) {
        if (i + 1 === text.length) this.pendingCr = true
        else if (text.charCodeAt(i + 1) === 10) i++
      }
      start = i + 1
    }
    if (start < text.length) this.pending.push(text.slice(start))
    return out
  }

  /** Ends the stream: an event not followed by a blank line is discarded, as the spec says. */
  end(): Array<ServerSentEvent> {
    this.pending = []
    this.data = []
    this.event = ""
    return []
  }

  private line(line: string, out: Array<ServerSentEvent>): void {
    if (line === "") {
      if (this.data.length > 0) {
        out.push({
          event: this.event === "" ? "message" : this.event,
          data: this.data.join("\n"),
          id: this.id,
          retry: this.retry,
        })
      }
      this.data = []
      this.event = ""
      return
    }
    if (line.startsWith(":")) return
    const colon = line.indexOf(":")
    const field = colon < 0 ? line : line.slice(0, colon)
    let value = colon < 0 ? "" : line.slice(colon + 1)
    if (value.startsWith(" ")) value = value.slice(1)
    switch (field) {
      case "data":
        this.data.push(value)
        break
      case "event":
        this.event = value
        break
      case "id":
        if (!value.includes("\0")) this.id = value
        break
      case "retry":
        if (/^\d+$/.test(value)) this.retry = Number(value)
        break
    }
  }
}

/** Reads Server-Sent Events from a byte stream until it ends or `signal` aborts. */
export async function* read(
  body: ReadableStream<Uint8Array>,
  signal?: AbortSignal,
): AsyncGenerator<ServerSentEvent, void, undefined> {
  const reader = body.getReader()
  const decoder = new TextDecoder("utf-8")
  const parser = new Parser()
  const onAbort = () => void reader.cancel(signal?.reason).catch(() => undefined)
  signal?.addEventListener("abort", onAbort, { once: true })
  try {
    for (;;) {
      if (signal?.aborted === true) return
      const { done, value } = await reader.read()
      if (done) {
        yield* parser.push(decoder.decode())
        parser.end()
        return
      }
      yield* parser.push(decoder.decode(value, { stream: true }))
    }
  } finally {
    signal?.removeEventListener("abort", onAbort)
    // Stops the download when the consumer leaves the loop early (break, throw, return).
    await reader.cancel().catch(() => undefined)
    reader.releaseLock()
  }
}
