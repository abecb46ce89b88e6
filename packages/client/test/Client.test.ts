import { createServer, type IncomingMessage, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ClientError, createClient, isClientError } from "../src/index.js"

interface Seen {
  readonly method: string
  readonly url: string
  readonly headers: IncomingMessage["headers"]
  readonly body: string
}

/** A loopback server that records requests and answers with `reply(request)`. */
const server = async (
  reply: (r: Seen) => { status: number; type?: string; body: string; delayMs?: number },
) => {
  const seen: Array<Seen> = []
  const s: Server = createServer((req, res) => {
    let body = ""
    req.on("data", (d: Buffer) => (body += d.toString()))
    req.on("end", () => {
      const r = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body }
      seen.push(r)
      const a = reply(r)
      const send = () => {
        res.writeHead(a.status, { "content-type": a.type ?? "application/json" })
        res.end(a.body)
      }
      if (a.delayMs === undefined) send()
      else setTimeout(send, a.delayMs)
    })
  })
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve))
  const port = (s.address() as AddressInfo).port
  return {
    base: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        s.closeAllConnections()
        s.close(() => resolve())
      }),
  }
}

const PROBLEM = {
  type: "https://netwark.dev/problems/InvalidInput",
  title: "Bad Request",
  status: 400,
  detail: "prefix 33 is out of range for IPv4",
  reason: "InvalidInput",
  field: "prefix",
  errors: [{ field: "prefix", message: "prefix 33 is out of range for IPv4" }],
}

describe("createClient against a loopback HTTP server", () => {
  let srv: Awaited<ReturnType<typeof server>>
  beforeAll(async () => {
    srv = await server((r) => {
      if (r.url.startsWith("/api/v1/ip-calc/10.0.0.0/33"))
        return { status: 400, type: "application/problem+json", body: JSON.stringify(PROBLEM) }
      if (r.url.startsWith("/api/v1/geoip/"))
        return { status: 502, type: "text/html", body: "<h1>Bad gateway</h1>" }
      if (r.url.startsWith("/api/v1/mac-oui/slow"))
        return { status: 200, body: "{}", delayMs: 2000 }
      if (/^\/api\/v1\/mac-oui(\/|\?search=)garbled/.test(r.url))
        return { status: 200, body: "{not json" }
      return { status: 200, body: JSON.stringify({ echo: r.url }) }
    })
  })
  afterAll(async () => {
    await srv?.close()
  })

  it("builds paths with every parameter percent-encoded", async () => {
    const api = createClient({ baseUrl: srv.base })
    await api.ipCalcNetwork("2001:db8::", 32)
    await api.ipCalcAddress("10.0.0.0/8")
    await api.macOuiLookup("00:1a:2b?x=1#y")
    await api.whoisLookup("bücher.example")
    expect(srv.seen.slice(-4).map((r) => r.url)).toEqual([
      "/api/v1/ip-calc/2001%3Adb8%3A%3A/32",
      "/api/v1/ip-calc/10.0.0.0%2F8",
      "/api/v1/mac-oui/00%3A1a%3A2b%3Fx%3D1%23y",
      "/api/v1/whois/b%C3%BCcher.example",
    ])
  })

  it("sends queries without absent values, and JSON bodies", async () => {
    const api = createClient({ baseUrl: `${srv.base}/api/v1/`, headers: { "x-trace": "t1" } })
    const r = await api.ipCalcSubnets("10.0.0.0", "24", { newPrefix: 26, limit: 2 })
    expect(r).toEqual({ echo: "/api/v1/ip-calc/10.0.0.0/24/subnets?newPrefix=26&limit=2" })
    await api.macOuiSearch({ search: "cisco systems" })
    expect(srv.seen.at(-1)?.url).toBe("/api/v1/mac-oui?search=cisco+systems")
    await api.ipCalcAggregate({ networks: ["10.0.0.0/25", "10.0.0.128/25"] })
    const post = srv.seen.at(-1)!
    expect(post.method).toBe("POST")
    expect(post.headers["content-type"]).toBe("application/json")
    expect(post.headers["x-trace"]).toBe("t1")
    expect(JSON.parse(post.body)).toEqual({ networks: ["10.0.0.0/25", "10.0.0.128/25"] })
  })

  it("throws a ClientError carrying the server's problem details", async () => {
    const api = createClient({ baseUrl: srv.base })
    const e = await api.ipCalcNetwork("10.0.0.0", 33).catch((x: unknown) => x)
    expect(e).toBeInstanceOf(ClientError)
    expect(isClientError(e)).toBe(true)
    const ce = e as ClientError
    expect(ce).toMatchObject({ reason: "Http", status: 400, field: "prefix", problem: PROBLEM })
    expect(ce.message).toContain("prefix 33 is out of range")
  })

  it("turns a non-JSON error page into problem details", async () => {
    const api = createClient({ baseUrl: srv.base })
    const e = (await api.geoIpLookup("1.1.1.1").catch((x: unknown) => x)) as ClientError
    expect(e).toMatchObject({ reason: "Http", status: 502 })
    expect(e.problem.detail).toBe("<h1>Bad gateway</h1>")
  })

  it("reports an unreadable answer as Decode", async () => {
    const api = createClient({ baseUrl: srv.base })
    const e = (await api.macOuiLookup("garbled").catch((x: unknown) => x)) as ClientError
    expect(e).toMatchObject({ reason: "Decode", status: 200 })
  })

  it("assembles a request's URL once: the URL fetched is the one its error names", async () => {
    const api = createClient({ baseUrl: srv.base })
    // a query value is turned into text each time the URL is assembled: count it
    let assembled = 0
    const search = { toString: () => `garbled-${++assembled}` } as unknown as string
    const e = (await api.macOuiSearch({ search }).catch((x: unknown) => x)) as ClientError
    expect(srv.seen.at(-1)?.url).toBe("/api/v1/mac-oui?search=garbled-1")
    expect(e).toMatchObject({
      reason: "Decode",
      url: `${srv.base}/api/v1/mac-oui?search=garbled-1`,
    })
    expect(assembled).toBe(1)
  })

  it("reports an abort as Aborted", async () => {
    const api = createClient({ baseUrl: srv.base })
    const ac = new AbortController()
    setTimeout(() => ac.abort(), 50)
    const e = (await api
      .macOuiLookup("slow", { signal: ac.signal })
      .catch((x: unknown) => x)) as ClientError
    expect(e).toMatchObject({ reason: "Aborted", status: 0 })
  })

  it("refuses an empty, '.' or '..' path parameter before sending, naming it", async () => {
    const api = createClient({ baseUrl: srv.base })
    const before = srv.seen.length
    const calls: Array<[Promise<unknown>, string, string]> = [
      [api.getOperation(""), "id", "id must not be empty"],
      [api.macOuiLookup(".."), "mac", 'mac must not be ".."'],
      [api.ipCalcNetwork("10.0.0.0", ""), "prefix", "prefix must not be empty"],
      [api.ipCalcRange("10.0.0.1", "."), "end", 'end must not be "."'],
    ]
    for (const [call, field, detail] of calls) {
      const e = (await call.catch((x: unknown) => x)) as ClientError
      expect(e).toBeInstanceOf(ClientError)
      expect(e).toMatchObject({ reason: "InvalidInput", status: 0, field, problem: { detail } })
      expect(e.message).toContain(detail)
    }
    const events = (async () => {
      for await (const _ of api.operationEvents("")) break
    })()
    expect(await events.catch((x: unknown) => x)).toMatchObject({ field: "id" })
    expect(srv.seen.length).toBe(before)
  })

  it("reports an abort while the metrics text downloads as an Aborted ClientError", async () => {
    const s = createServer((_, res) => {
      res.writeHead(200, { "content-type": "text/plain" })
      res.write("# HELP netwark_up 1\n")
    })
    await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve))
    try {
      const api = createClient({ baseUrl: `http://127.0.0.1:${(s.address() as AddressInfo).port}` })
      const e = await api.metrics({ signal: AbortSignal.timeout(200) }).catch((x: unknown) => x)
      expect(e).toBeInstanceOf(ClientError)
      expect(e).toMatchObject({ reason: "Aborted", status: 200, method: "GET" })
    } finally {
      s.closeAllConnections()
      await new Promise<void>((resolve) => s.close(() => resolve()))
    }
  })

  it("reports a refused connection as Network", async () => {
    const gone = await server(() => ({ status: 200, body: "{}" }))
    await gone.close()
    const api = createClient({ baseUrl: gone.base })
    const e = (await api.macOuiLookup("00:00:0c").catch((x: unknown) => x)) as ClientError
    expect(e).toMatchObject({ reason: "Network", status: 0 })
    // Node's fetch only says "fetch failed"; the reason a script needs is in the cause.
    expect(e.message).toMatch(/fetch failed: .*ECONNREFUSED 127\.0\.0\.1:\d+/)
    expect(e.problem.detail).toContain("ECONNREFUSED")
  })

  it("refuses a base URL without http(s) scheme at once, naming the URL to give", () => {
    expect(() => createClient({ baseUrl: "localhost:6543" })).toThrow(
      'baseUrl must be an http(s) URL such as http://localhost:6543, got "localhost:6543": give http://localhost:6543',
    )
    expect(() => createClient({ baseUrl: "10.0.0.5:6543" })).toThrow("give http://10.0.0.5:6543")
    expect(() => createClient({ baseUrl: "" })).toThrow(/^baseUrl must be an http\(s\) URL/)
    expect(() => createClient({ baseUrl: "ftp://example.net" })).toThrow(TypeError)
    expect(() => createClient({ baseUrl: "https://netwark.example/api/v1/" })).not.toThrow()
  })

  it("answers health() with the report also when the server says 503, but not a proxy's 503", async () => {
    const report = { status: "degraded", database: { status: "up" }, broker: { status: "down" } }
    let page = false
    const s = createServer((_, res) => {
      res.writeHead(503, { "content-type": page ? "text/html" : "application/json" })
      res.end(page ? "<h1>503 Service Unavailable</h1>" : JSON.stringify(report))
    })
    await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve))
    try {
      const api = createClient({ baseUrl: `http://127.0.0.1:${(s.address() as AddressInfo).port}` })
      expect(await api.health()).toEqual(report)
      page = true
      const e = await api.health().catch((x: unknown) => x)
      expect(e).toMatchObject({ reason: "Http", status: 503 })
    } finally {
      s.closeAllConnections()
      await new Promise<void>((resolve) => s.close(() => resolve()))
    }
  })

  it("sends listOperations' Date filters as ISO 8601", async () => {
    const urls: Array<string> = []
    const api = createClient({
      baseUrl: "http://netwark.test",
      fetch: async (input) => {
        urls.push(String(input))
        return new Response(JSON.stringify({ items: [], nextCursor: null }))
      },
    })
    await api.listOperations({
      since: new Date("2026-11-27T04:00:00Z"),
      until: "2026-11-27T05:00:00Z",
      type: "ping",
      limit: 5,
    })
    const q = new URL(urls[0]!).searchParams
    expect(q.get("since")).toBe("2026-11-27T04:00:00.000Z")
    expect(q.get("until")).toBe("2026-11-27T05:00:00Z")
    expect(q.get("type")).toBe("ping")
    expect(q.get("limit")).toBe("5")
  })

  it("uses the fetch it is given", async () => {
    const urls: Array<string> = []
    const api = createClient({
      baseUrl: "http://netwark.test",
      fetch: async (input) => {
        urls.push(String(input))
        return new Response(JSON.stringify({ contains: true }), {
          headers: { "content-type": "application/json" },
        })
      },
    })
    expect(await api.ipCalcContains({ networks: ["10.0.0.0/8"], addresses: ["10.1.1.1"] })).toEqual(
      {
        contains: true,
      },
    )
    expect(urls).toEqual(["http://netwark.test/api/v1/ip-calc/contains"])
  })
})
