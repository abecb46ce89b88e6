import { createServer, request, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { afterEach, describe, expect, it } from "vitest"
import { format, openSse, type SseSink } from "./sse.js"

let server: Server | undefined
afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined))
  server = undefined
})

/** Serve an event stream driven by `drive` on a loopback port; its URL. */
const serve = async (drive: (sink: SseSink) => void, heartbeatMillis?: number): Promise<string> => {
  server = createServer((_req, res) =>
    drive(
      openSse(res, {
        headers: { "x-hook": "set" },
        ...(heartbeatMillis === undefined ? {} : { heartbeatMillis }),
      }),
    ),
  )
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve))
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}/`
}

describe("SSE", () => {
  it("formats events: type, id, one JSON data line; line breaks in type or id dropped", () => {
    expect(
      format([
        { type: "result", id: "e-1", data: { text: "a\nb" } },
        { type: "st\r\natus", data: null },
      ]),
    ).toBe('event: result\nid: e-1\ndata: {"text":"a\\nb"}\n\nevent: status\ndata: null\n\n')
  })

  it("sends the headers and a blank line, each batch in one write, and ends the response with the last", async () => {
    const url = await serve((sink) => {
      sink.send([{ type: "snapshot", id: "1", data: { n: 1 } }])
      // later turns, as live events come
      setTimeout(() => {
        sink.send([{ type: "result", data: 2 }])
        setTimeout(() => sink.send([{ type: "status", data: "done", last: true }]), 5)
      }, 5)
    })
    const res = await fetch(url)
    expect(res.status).toBe(200)
    expect(res.headers.get("content-type")).toBe("text/event-stream")
    expect(res.headers.get("cache-control")).toContain("no-cache")
    expect(res.headers.get("x-hook")).toBe("set")
    expect(await res.text()).toBe(
      '\nevent: snapshot\nid: 1\ndata: {"n":1}\n\nevent: result\ndata: 2\n\nevent: status\ndata: "done"\n\n',
    )
  })

  it("ends the response with the message marked last, in its write, and sends nothing after it", async () => {
    let closedAfterLast = false
    const url = await serve((sink) => {
      sink.send([
        { type: "result", data: 1 },
        { type: "status", data: "done", last: true },
        // nothing after `last` is sent, in its batch or later
        { type: "late", data: 0 },
      ])
      closedAfterLast = sink.closed()
      sink.send([{ type: "later", data: 0 }])
    })
    expect(await (await fetch(url)).text()).toBe(
      '\nevent: result\ndata: 1\n\nevent: status\ndata: "done"\n\n',
    )
    expect(closedAfterLast).toBe(true)
  })

  it("is closed at once when the client left before it opened", async () => {
    let closedAtOpen: boolean | undefined
    let told = false
    server = createServer((req, res) => {
      // the client is gone before the stream opens (its feed was still reading a snapshot)
      req.socket.destroy()
      setImmediate(() => {
        const sink = openSse(res)
        closedAtOpen = sink.closed()
        sink.onClose(() => void (told = true))
        sink.send([{ type: "late", data: 0 }])
      })
    })
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
    await fetch(url).catch(() => undefined)
    const until = Date.now() + 5_000
    while (closedAtOpen === undefined && Date.now() < until)
      await new Promise((r) => setTimeout(r, 10))
    expect(closedAtOpen).toBe(true)
    expect(told).toBe(true)
  })

  it("sends a comment when the stream is quiet, and tells its feed when the client leaves", async () => {
    let stopped = false
    const url = await serve((sink) => sink.onClose(() => void (stopped = true)), 50)
    const text = await new Promise<string>((resolve, reject) => {
      const req = request(url, (res) => {
        let body = ""
        res.setEncoding("utf8")
        res.on("data", (d: string) => {
          body += d
          if (body.includes(": keep-alive\n\n")) {
            resolve(body)
            req.destroy()
          }
        })
      })
      req.once("error", reject)
      req.end()
    })
    expect(text).toBe("\n: keep-alive\n\n")
    const until = Date.now() + 5_000
    while (!stopped && Date.now() < until) await new Promise((r) => setTimeout(r, 10))
    expect(stopped).toBe(true)
  })
})
