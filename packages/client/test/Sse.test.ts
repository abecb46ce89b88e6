import { describe, expect, it } from "vitest"
import * as Sse from "../src/Sse.js"

const stream = (chunks: ReadonlyArray<string | Uint8Array>): ReadableStream<Uint8Array> => {
  const enc = new TextEncoder()
  return new ReadableStream({
    start(controller) {
      for (const c of chunks) controller.enqueue(typeof c === "string" ? enc.encode(c) : c)
      controller.close()
    },
  })
}

const all = async (body: ReadableStream<Uint8Array>, signal?: AbortSignal) => {
  const out: Array<Sse.ServerSentEvent> = []
  for await (const e of Sse.read(body, signal)) out.push(e)
  return out
}

const SESSION =
  ': hello\n\nid: 1\nevent: operation\ndata: {"status":"pending"}\n\n' +
  'id: 2\nevent: result\ndata: {"a":1,\ndata: "b":2}\n\n' +
  "retry: 1500\ndata: plain\n\n"

describe("Sse.read", () => {
  it("reads events, names, ids, multi-line data and retry", async () => {
    expect(await all(stream([SESSION]))).toEqual([
      { event: "operation", data: '{"status":"pending"}', id: "1", retry: undefined },
      { event: "result", data: '{"a":1,\n"b":2}', id: "2", retry: undefined },
      { event: "message", data: "plain", id: "2", retry: 1500 },
    ])
  })

  it("gives the same events whatever the chunk boundaries", async () => {
    const whole = await all(stream([SESSION]))
    for (let size = 1; size <= 7; size++) {
      const chunks: Array<string> = []
      for (let i = 0; i < SESSION.length; i += size) chunks.push(SESSION.slice(i, i + size))
      expect(await all(stream(chunks))).toEqual(whole)
    }
  })

  it("reads a 4 MB line sent in 16 KB chunks (a large snapshot), with CRLF across chunks", async () => {
    // searched from its start at every chunk, this line took 3.4 s; read once, ~50 ms
    const value = `{"raw":"${"x".repeat(4 * 1024 * 1024)}"}`
    const text = `event: snapshot\r\ndata: ${value}\r\n\r\ndata: next\r\n\r\n`
    const chunks: Array<string> = []
    for (let i = 0; i < text.length; i += 16_384) chunks.push(text.slice(i, i + 16_384))
    chunks.splice(-1, 1, ...text.slice((chunks.length - 1) * 16_384).split(/(?<=\r)/))
    const events = await all(stream(chunks))
    expect(events.map((e) => [e.event, e.data.length])).toEqual([
      ["snapshot", value.length],
      ["message", 4],
    ])
    expect(events[0]!.data).toBe(value)
  })

  it("accepts CRLF and lone CR line ends, also split across chunks", async () => {
    const crlf = SESSION.replaceAll("\n", "\r\n")
    const cr = SESSION.replaceAll("\n", "\r")
    const whole = await all(stream([SESSION]))
    expect(await all(stream([crlf]))).toEqual(whole)
    expect(await all(stream([cr]))).toEqual(whole)
    expect(await all(stream(crlf.split(/(?<=\r)/)))).toEqual(whole)
  })

  it("decodes UTF-8 split inside a character and drops a leading BOM", async () => {
    const bytes = new TextEncoder().encode("\uFEFFdata: Zürich ✓\n\n")
    const parts = [bytes.slice(0, 10), bytes.slice(10, 11), bytes.slice(11)]
    expect(await all(stream(parts))).toEqual([
      { event: "message", data: "Zürich ✓", id: undefined, retry: undefined },
    ])
  })

  it("discards an event the stream cut off before its blank line", async () => {
    expect(await all(stream(["data: done\n\ndata: cut"]))).toHaveLength(1)
  })

  it("keeps a retry delay sent in a block without data for the events after it", async () => {
    const events = await all(stream(["retry: 250\n\n", "id: 7\ndata: a\n\ndata: b\n\n"]))
    expect(events).toEqual([
      { event: "message", data: "a", id: "7", retry: 250 },
      { event: "message", data: "b", id: "7", retry: 250 },
    ])
  })

  it("ignores unknown fields, bad retry values and ids with NUL", async () => {
    const events = await all(stream(["foo: bar\nretry: soon\nid: a\0b\ndata\n\n"]))
    expect(events).toEqual([{ event: "message", data: "", id: undefined, retry: undefined }])
  })

  it("stops when the signal aborts, and cancels the body", async () => {
    let cancelled = false
    const enc = new TextEncoder()
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(enc.encode("data: one\n\n"))
      },
      cancel() {
        cancelled = true
      },
    })
    const ac = new AbortController()
    const seen: Array<string> = []
    for await (const e of Sse.read(body, ac.signal)) {
      seen.push(e.data)
      setTimeout(() => ac.abort(), 10)
    }
    expect(seen).toEqual(["one"])
    expect(cancelled).toBe(true)
  })

  it("cancels the body when the consumer breaks out", async () => {
    let cancelled = false
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode("data: one\n\ndata: two\n\n"))
      },
      cancel() {
        cancelled = true
      },
    })
    for await (const _ of Sse.read(body)) break
    expect(cancelled).toBe(true)
  })
})
