import { connect } from "node:net"
import path from "node:path"
import { fileURLToPath } from "node:url"
import type { NestFastifyApplication } from "@nestjs/platform-fastify"
import fc from "fast-check"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { closedPort } from "./support/replay.js"
import { toolsApp, type ProblemJson } from "./support/toolsApp.js"

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures")

/** Text a caller might put in a path segment or a query value: odd, long, unicode, encoded. */
const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.fullUnicodeString({ maxLength: 20 }),
  fc.constantFrom(
    "",
    " ",
    "..",
    "%",
    "%00",
    "-1",
    "1e9",
    "0x10",
    "NaN",
    "Infinity",
    "10.0.0.0/33",
    "::ffff:1.2.3.4",
    "fe80::1%eth0",
    "a".repeat(2000),
    "__proto__",
    "constructor",
  ),
  fc.ipV4(),
  fc.ipV6(),
  fc.domain(),
  fc.integer().map(String),
)

const seg = (t: string) => encodeURIComponent(t)

const request = fc.oneof(
  fc.tuple(text).map(([a]) => ({ method: "GET" as const, url: `/api/v1/ip-calc/${seg(a)}` })),
  fc.tuple(text, text).map(([a, p]) => ({
    method: "GET" as const,
    url: `/api/v1/ip-calc/${seg(a)}/${seg(p)}`,
  })),
  fc.tuple(text, text, text, text, text).map(([a, p, n, o, l]) => ({
    method: "GET" as const,
    url: `/api/v1/ip-calc/${seg(a)}/${seg(p)}/subnets?newPrefix=${seg(n)}&offset=${seg(o)}&limit=${seg(l)}`,
  })),
  fc.tuple(text, text).map(([s, e]) => ({
    method: "GET" as const,
    url: `/api/v1/ip-calc/range/${seg(s)}/${seg(e)}`,
  })),
  fc.tuple(fc.constantFrom("aggregate", "contains"), fc.anything()).map(([op, body]) => ({
    method: "POST" as const,
    url: `/api/v1/ip-calc/${op}`,
    payload: JSON.stringify(body ?? null),
  })),
  fc
    .tuple(fc.array(text, { maxLength: 4 }), fc.array(text, { maxLength: 4 }))
    .map(([networks, addresses]) => ({
      method: "POST" as const,
      url: "/api/v1/ip-calc/contains",
      payload: JSON.stringify({ networks, addresses }),
    })),
  fc.tuple(text).map(([m]) => ({ method: "GET" as const, url: `/api/v1/mac-oui/${seg(m)}` })),
  fc.tuple(text, text, text).map(([s, o, l]) => ({
    method: "GET" as const,
    url: `/api/v1/mac-oui?search=${seg(s)}&offset=${seg(o)}&limit=${seg(l)}`,
  })),
  fc.tuple(text).map(([ip]) => ({ method: "GET" as const, url: `/api/v1/geoip/${seg(ip)}` })),
  fc.tuple(text, text).map(([r, s]) => ({
    method: "GET" as const,
    url: `/api/v1/whois/${seg(r)}?source=${seg(s)}`,
  })),
)

describe("tools routes under malformed input (property-based)", () => {
  let app: NestFastifyApplication
  beforeAll(async () => {
    // WHOIS/RDAP servers that refuse at once: a valid query may fail upstream (502), never 500.
    const port = await closedPort()
    app = await toolsApp({
      NETWARK_GEOIP_CITY: path.join(fixtures, "geoip/GeoLite2-City-Test.mmdb"),
      NETWARK_GEOIP_ASN: path.join(fixtures, "geoip/GeoLite2-ASN-Test.mmdb"),
      NETWARK_WHOIS_IANA_SERVER: `127.0.0.1:${port}`,
      NETWARK_WHOIS_SERVERS: [
        "whois.arin.net",
        "whois.ripe.net",
        "whois.apnic.net",
        "whois.afrinic.net",
        "whois.lacnic.net",
      ]
        .map((h) => `${h}=127.0.0.1:${port}`)
        .join(","),
      NETWARK_RDAP: "false",
      NETWARK_WHOIS_TIMEOUT_MS: "500",
    })
  })
  afterAll(async () => {
    await app?.close()
  })

  it("never answers 500, and names the field of every 400", async () => {
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const res = await app.inject({
          method: r.method,
          url: r.url,
          ...("payload" in r
            ? { payload: r.payload, headers: { "content-type": "application/json" } }
            : {}),
        })
        const upstream = r.url.startsWith("/api/v1/whois/") && [502, 504].includes(res.statusCode)
        expect(
          res.statusCode < 500 || upstream,
          `${r.method} ${r.url} -> ${res.statusCode} ${res.body}`,
        ).toBe(true)
        if (res.statusCode >= 400) {
          expect(res.headers["content-type"]).toContain("application/problem+json")
          const p = res.json() as ProblemJson
          expect(p.status).toBe(res.statusCode)
          if (res.statusCode === 400 && p.reason === "InvalidInput")
            expect(p.field, `${r.url} ${res.body}`).toBeTypeOf("string")
        }
      }),
      { numRuns: 1500 },
    )
  })

  it("a request body that is not application/json is a 415 saying what to send", async () => {
    const body = JSON.stringify({ networks: ["10.0.0.0/25", "10.0.0.128/25"] })
    // text/plain was read as one string (400 'Expected …, actual "{\"networks…"'); a form body, as
    // `curl -d` sends by default, as keys ('networks: is missing')
    for (const type of [
      "text/plain",
      "application/x-www-form-urlencoded",
      "application/xml",
      "multipart/form-data; boundary=x",
    ]) {
      const res = await app.inject({
        method: "POST",
        url: "/api/v1/ip-calc/aggregate",
        payload: body,
        headers: { "content-type": type },
      })
      expect(res.statusCode, type).toBe(415)
      expect(res.headers["content-type"]).toContain("application/problem+json")
      expect(res.json()).toMatchObject({
        status: 415,
        reason: "UnsupportedMediaType",
        field: "content-type",
        detail: `the request body must be JSON: send it with Content-Type: application/json (got ${JSON.stringify(type)})`,
      })
    }
    const untyped = await app.inject({
      method: "POST",
      url: "/api/v1/ip-calc/aggregate",
      payload: body,
      headers: { "content-type": undefined },
    })
    expect(untyped.statusCode).toBe(415)
    expect(untyped.json()).toMatchObject({
      field: "content-type",
      detail:
        "the request body must be JSON: send it with Content-Type: application/json (got none)",
    })
    for (const type of ["application/json", "Application/JSON; charset=utf-8"]) {
      const res = await app.inject({
        method: "POST",
        url: "/api/v1/ip-calc/aggregate",
        payload: body,
        headers: { "content-type": type },
      })
      expect(res.statusCode, type).toBe(200)
      expect(res.json()).toEqual({ networks: ["10.0.0.0/24"] })
    }
  })

  it("a method the path does not take is a 405 with Allow; OPTIONS lists the methods", async () => {
    // it was a 404 "Cannot PUT …", as if the resource did not exist
    const put = await app.inject({ method: "PUT", url: "/api/v1/ip-calc/10.0.0.0/24" })
    expect(put.statusCode).toBe(405)
    expect(put.headers["allow"]).toBe("GET, HEAD, OPTIONS")
    expect(put.headers["content-type"]).toContain("application/problem+json")
    expect(put.json()).toMatchObject({
      status: 405,
      reason: "MethodNotAllowed",
      detail: "PUT is not allowed here: use GET, HEAD",
    })
    const del = await app.inject({ method: "DELETE", url: "/api/v1/ip-calc/aggregate?x=1" })
    expect(del.statusCode).toBe(405)
    // POST /ip-calc/aggregate, and GET /ip-calc/{address} with "aggregate" as the address
    expect(del.headers["allow"]).toBe("GET, HEAD, POST, OPTIONS")
    const options = await app.inject({ method: "OPTIONS", url: "/api/v1/mac-oui/00:00:0c" })
    expect(options.statusCode).toBe(204)
    expect(options.headers["allow"]).toBe("GET, HEAD, OPTIONS")
    // a path no method takes is still a 404
    const none = await app.inject({ method: "PUT", url: "/api/v1/nothing-here" })
    expect(none.statusCode).toBe(404)
    expect(none.headers["allow"]).toBeUndefined()
  })

  it("a path the router refuses is a problem named by its status, not Fastify's code", async () => {
    const long = await app.inject({ method: "GET", url: `/api/v1/whois/${"a".repeat(2000)}` })
    expect(long.statusCode).toBe(414)
    expect(long.json()).toEqual({
      type: "https://netwark.dev/problems/URITooLong",
      title: "URI Too Long",
      status: 414,
      detail: "a path segment is too long (at most 1024 characters)",
      reason: "URITooLong",
      instance: `/api/v1/whois/${"a".repeat(2000)}`,
    })
    const bad = await app.inject({ method: "GET", url: "/api/v1/ip-calc/%zz" })
    expect(bad.statusCode).toBe(400)
    expect(bad.json()).toMatchObject({ title: "Bad Request", reason: "BadRequest" })
  })

  it("a request Node's HTTP parser refuses is a problem document too", async () => {
    await app.listen(0, "127.0.0.1")
    const { port } = app.getHttpServer().address() as { port: number }
    /** Sends raw bytes, returns the raw answer (the server closes the connection). */
    const raw = (request: string) =>
      new Promise<string>((resolve, reject) => {
        let answer = ""
        const socket = connect(port, "127.0.0.1", () => socket.write(request))
        socket.on("data", (d: Buffer) => (answer += d.toString()))
        socket.on("close", () => resolve(answer))
        socket.on("error", reject)
      })
    const big = await raw(
      `GET /api/v1/mac-oui/00000c HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`,
    )
    // it was Fastify's {"error":"Request Header Fields Too Large","message":…,"statusCode":431}
    expect(big).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/)
    expect(big).toContain("Content-Type: application/problem+json; charset=utf-8")
    expect(JSON.parse(big.slice(big.indexOf("\r\n\r\n") + 4))).toEqual({
      type: "https://netwark.dev/problems/RequestHeaderFieldsTooLarge",
      title: "Request Header Fields Too Large",
      status: 431,
      detail: "the request headers are too large",
      reason: "RequestHeaderFieldsTooLarge",
    })
    const garbage = await raw("NOT HTTP AT ALL\r\n\r\n")
    expect(garbage).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/)
    expect(garbage).toContain('"detail":"the request is not valid HTTP"')
  })
})
