import { readFileSync } from "node:fs"
import { createServer, type IncomingHttpHeaders, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ClientError, createClient, type OperationEvent } from "../src/index.js"

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures")
const SESSION = readFileSync(path.join(fixtures, "ping-127.0.0.1.events.txt"), "utf8")
const DETAIL = JSON.parse(
  readFileSync(path.join(fixtures, "ping-127.0.0.1.detail.json"), "utf8"),
) as {
  id: string
}
const ID = DETAIL.id

/** Replays the recorded stream one event at a time, `gapMs` apart, as the server sent it. */
const replay = async (gapMs: number) => {
  const requests: Array<IncomingHttpHeaders> = []
  let cancelled = 0
  const blocks = SESSION.split(/(?<=\n\n)/)
  const s: Server = createServer((req, res) => {
    requests.push(req.headers)
    if (req.url !== `/api/v1/operations/${ID}/events`) {
      res.writeHead(404, { "content-type": "application/problem+json" })
      res.end(
        JSON.stringify({
          status: 404,
          title: "Not Found",
          detail: "no such operation",
          reason: "NotFound",
        }),
      )
      return
    }
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" })
    let i = 0
    const timer = setInterval(() => {
      const block = blocks[i++]
      if (block === undefined) {
        clearInterval(timer)
        res.end()
        return
      }
      res.write(block)
    }, gapMs)
    res.on("close", () => {
      if (i <= blocks.length) cancelled++
      clearInterval(timer)
    })
  })
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve))
  return {
    base: `http://127.0.0.1:${(s.address() as AddressInfo).port}`,
    requests,
    cancelled: () => cancelled,
    close: () =>
      new Promise<void>((resolve) => {
        s.closeAllConnections()
        s.close(() => resolve())
      }),
  }
}

describe("operationEvents over a recorded server session", () => {
  let srv: Awaited<ReturnType<typeof replay>>
  beforeAll(async () => {
    srv = await replay(20)
  })
  afterAll(async () => {
    await srv?.close()
  })

  it("yields snapshot, progress, result and status as typed events, and ends with the stream", async () => {
    const api = createClient({ baseUrl: srv.base })
    const seen: Array<OperationEvent> = []
    const at: Array<number> = []
    for await (const e of api.operationEvents(ID)) {
      seen.push(e)
      at.push(Date.now())
    }
    expect(seen.map((e) => e.type)).toEqual([
      "snapshot",
      "progress",
      "progress",
      "result",
      "status",
    ])
    expect(seen.map((e) => e.id)).toEqual(["1", "2", "3", "4", "5"])
    const [snapshot, progress, , result, status] = seen
    expect(snapshot?.type === "snapshot" && snapshot.data).toMatchObject({
      id: ID,
      status: "running",
    })
    expect(progress?.type === "progress" && progress.data).toMatchObject({
      workerId: "local-vm",
      data: { type: "ping", event: { type: "reply", sequence: 2 } },
    })
    expect(result?.type === "result" && result.data).toMatchObject({
      status: "ok",
      result: { summary: { transmitted: 3, received: 3 } },
    })
    expect(status?.type === "status" && status.data).toEqual({ id: ID, status: "done" })
    // Events come as the server sends them, not all at the end.
    expect(at.at(-1)! - at[0]!).toBeGreaterThanOrEqual(50)
    expect(srv.requests.at(-1)?.accept).toBe("text/event-stream")
  })

  it("stops when the signal aborts and closes the connection", async () => {
    const slow = await replay(200)
    try {
      const api = createClient({ baseUrl: slow.base })
      const ac = new AbortController()
      const seen: Array<string> = []
      for await (const e of api.operationEvents(ID, { signal: ac.signal })) {
        seen.push(e.type)
        if (e.type === "progress") ac.abort()
      }
      expect(seen).toEqual(["snapshot", "progress"])
      await new Promise((r) => setTimeout(r, 100))
      expect(slow.cancelled()).toBe(1)
    } finally {
      await slow.close()
    }
  })

  it("ends quietly when the signal aborts before the server answered, and closes the socket", async () => {
    let closed = false
    const s: Server = createServer((req, res) => {
      res.on("close", () => (closed = true))
      setTimeout(() => res.writeHead(200, { "content-type": "text/event-stream" }), 5_000)
    })
    await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve))
    try {
      const api = createClient({ baseUrl: `http://127.0.0.1:${(s.address() as AddressInfo).port}` })
      const seen: Array<string> = []
      const started = Date.now()
      for await (const e of api.operationEvents(ID, { signal: AbortSignal.timeout(100) }))
        seen.push(e.type)
      expect(seen).toEqual([])
      expect(Date.now() - started).toBeLessThan(2_000)
      await new Promise((r) => setTimeout(r, 100))
      expect(closed).toBe(true)
    } finally {
      s.closeAllConnections()
      await new Promise<void>((resolve) => s.close(() => resolve()))
    }
  })

  it("closes the connection when the loop is left early", async () => {
    const slow = await replay(200)
    try {
      const api = createClient({ baseUrl: slow.base })
      for await (const e of api.operationEvents(ID)) if (e.type === "snapshot") break
      await new Promise((r) => setTimeout(r, 100))
      expect(slow.cancelled()).toBe(1)
    } finally {
      await slow.close()
    }
  })

  it("sends Last-Event-ID to resume", async () => {
    const api = createClient({ baseUrl: srv.base })
    for await (const _ of api.operationEvents(ID, { lastEventId: "3" })) break
    expect(srv.requests.at(-1)?.["last-event-id"]).toBe("3")
  })

  it("throws a ClientError with the problem for an unknown operation", async () => {
    const api = createClient({ baseUrl: srv.base })
    const e = await (async () => {
      for await (const _ of api.operationEvents("00000000-0000-4000-8000-000000000000")) break
    })().catch((x: unknown) => x)
    expect(e).toBeInstanceOf(ClientError)
    expect(e).toMatchObject({ status: 404, problem: { reason: "NotFound" } })
  })
})

/**
 * A server whose n-th connection sends `blocks(n)` of the recorded session and then closes the
 * stream cleanly (`end`) or drops the socket (`destroy`), like a restarted server or a proxy's
 * idle timeout.
 */
const flaky = async (
  plan: (n: number) => {
    readonly blocks: ReadonlyArray<string>
    readonly close: "end" | "destroy"
  },
) => {
  const requests: Array<IncomingHttpHeaders> = []
  const s: Server = createServer((req, res) => {
    const p = plan(requests.length)
    requests.push(req.headers)
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" })
    // A short reconnection delay, as a server may ask for; set with the first event.
    res.write(`retry: 10\n${p.blocks.join("")}`)
    setTimeout(() => (p.close === "end" ? res.end() : res.socket?.destroy()), 20)
  })
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve))
  return {
    base: `http://127.0.0.1:${(s.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        s.closeAllConnections()
        s.close(() => resolve())
      }),
  }
}

describe("operationEvents when the connection is lost before the operation ends", () => {
  // snapshot (running), progress 2, progress 3, result 4, status 5 (done)
  const blocks = SESSION.split(/(?<=\n\n)/).filter((b) => b.trim() !== "")
  const snapshot = blocks[0]!

  for (const close of ["destroy", "end"] as const) {
    it(`reconnects with Last-Event-ID after the stream is ${close === "end" ? "closed" : "dropped"}`, async () => {
      const srv = await flaky((n) =>
        n === 0
          ? { blocks: blocks.slice(0, 3), close }
          : { blocks: [snapshot, ...blocks.slice(3)], close: "end" },
      )
      try {
        const api = createClient({ baseUrl: srv.base })
        const seen: Array<string> = []
        for await (const e of api.operationEvents(ID)) seen.push(`${e.type} ${e.id}`)
        expect(seen).toEqual([
          "snapshot 1",
          "progress 2",
          "progress 3",
          "snapshot 1",
          "result 4",
          "status 5",
        ])
        expect(srv.requests.map((h) => h["last-event-id"])).toEqual([undefined, "3"])
      } finally {
        await srv.close()
      }
    })
  }

  it("throws a Network ClientError when the reconnects run out", async () => {
    const srv = await flaky(() => ({ blocks: [snapshot], close: "end" }))
    try {
      const api = createClient({ baseUrl: srv.base })
      const seen: Array<string> = []
      const e = await (async () => {
        for await (const ev of api.operationEvents(ID, { reconnect: 2 })) seen.push(ev.type)
      })().catch((x: unknown) => x)
      expect(e).toBeInstanceOf(ClientError)
      expect(e).toMatchObject({ reason: "Network", problem: { title: "Event stream broken" } })
      expect(seen).toEqual(["snapshot", "snapshot", "snapshot"])
      expect(srv.requests).toHaveLength(3)
    } finally {
      await srv.close()
    }
  })

  it("stops waiting to reconnect when the signal aborts", async () => {
    const srv = await flaky(() => ({
      blocks: [snapshot.replace("id: 1", "retry: 60000\nid: 1")],
      close: "end",
    }))
    try {
      const api = createClient({ baseUrl: srv.base })
      const ac = new AbortController()
      const started = Date.now()
      setTimeout(() => ac.abort(), 200)
      const seen: Array<string> = []
      for await (const e of api.operationEvents(ID, { signal: ac.signal })) seen.push(e.type)
      expect(seen).toEqual(["snapshot"])
      expect(Date.now() - started).toBeLessThan(5000)
      expect(srv.requests).toHaveLength(1)
    } finally {
      await srv.close()
    }
  })

  it("ends without reconnecting once the snapshot says the operation is over", async () => {
    const done = snapshot.replace('"status":"running"', '"status":"done"')
    const srv = await flaky(() => ({ blocks: [done, blocks[1]!], close: "end" }))
    try {
      const api = createClient({ baseUrl: srv.base })
      const seen: Array<string> = []
      for await (const e of api.operationEvents(ID)) seen.push(e.type)
      expect(seen).toEqual(["snapshot", "progress"])
      expect(srv.requests).toHaveLength(1)
    } finally {
      await srv.close()
    }
  })
})
