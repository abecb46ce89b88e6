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
