import { readFileSync } from "node:fs"
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import { fileURLToPath } from "node:url"
import type { NestFastifyApplication } from "@nestjs/platform-fastify"
import { Rdap } from "@netwark/tools"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest"
import { closedPort, rdapServer, whoisServer, type Local } from "../../test/support/replay.js"
import { conforms, toolsApp, type ProblemJson } from "../../test/support/toolsApp.js"
import type { GeoIpService } from "../geoip/geoip.service.js"
import { Lookup } from "./whois.dto.js"
import { whoisOptionsFromEnv, WhoisConfigError, WhoisService } from "./whois.service.js"

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../test/fixtures")
const read = (name: string) => readFileSync(path.join(fixtures, name), "utf8")

describe("whois route against loopback replay servers", () => {
  let app: NestFastifyApplication
  let iana: Local
  let verisign: Local
  let markmonitor: Local
  let ripe: Local
  let rdap: Local

  beforeAll(async () => {
    iana = await whoisServer((q) =>
      q === "google.com" ? read("whois/iana-com.txt") : "% This query returned 0 objects.\n",
    )
    verisign = await whoisServer((q) =>
      q === "google.com" ? read("whois/verisign-google.com.txt") : 'No match for "X".\n',
    )
    markmonitor = await whoisServer(() => "No match\n")
    // The recorded RIPE answer is for 62.239.237.1; the replay gives it to any address.
    ripe = await whoisServer(() => read("whois/ripe-62.239.237.1.txt"))
    rdap = await rdapServer({
      "/ip/62.239.237.1": [200, read("whois/rdap-ripe-62.239.237.1.json")],
      "/ip/81.2.69.160": [503, "overloaded"],
    })
    // Every RDAP base URL of the bundled bootstrap goes to the local RDAP server.
    const b = await Effect.runPromise(Rdap.loadBootstrap())
    const rdapServers = Object.fromEntries(
      [...b.dns.services, ...b.ipv4.services, ...b.ipv6.services, ...b.asn.services]
        .flatMap(([, urls]) => urls)
        .map((u) => [u.endsWith("/") ? u : `${u}/`, rdap.address]),
    )
    app = await toolsApp({
      NETWARK_WHOIS_IANA_SERVER: iana.address,
      NETWARK_WHOIS_SERVERS: [
        `whois.verisign-grs.com=${verisign.address}`,
        `whois.markmonitor.com=${markmonitor.address}`,
        `whois.ripe.net=${ripe.address}`,
        `whois.arin.net=${ripe.address}`,
      ].join(","),
      NETWARK_RDAP_SERVERS: JSON.stringify(rdapServers),
      NETWARK_WHOIS_TIMEOUT_MS: "3000",
      NETWARK_GEOIP_CITY: path.join(fixtures, "geoip/GeoLite2-City-Test.mmdb"),
      NETWARK_GEOIP_ASN: path.join(fixtures, "geoip/GeoLite2-ASN-Test.mmdb"),
    })
  })
  afterAll(async () => {
    await app?.close()
    for (const s of [iana, verisign, markmonitor, ripe, rdap]) await s?.close()
  })

  const get = (url: string) => app.inject({ method: "GET", url })

  it("looks a domain up over WHOIS: IANA, then the registry", async () => {
    const res = await get("/api/v1/whois/GOOGLE.com?source=whois")
    expect(res.statusCode).toBe(200)
    const body = conforms(Lookup, res.json()) as { chain: Array<{ server: string }> }
    expect(body).toMatchObject({
      query: "GOOGLE.com",
      normalized: "google.com",
      kind: "domain",
      source: "whois",
      status: "ok",
      record: {
        kind: "domain",
        registrar: "MarkMonitor Inc.",
        created: "1997-09-15T04:00:00Z",
        nameServers: ["ns1.google.com", "ns2.google.com", "ns3.google.com", "ns4.google.com"],
      },
    })
    expect(body.chain.map((s) => s.server)).toEqual([
      `${iana.address}`,
      "whois.verisign-grs.com:43",
      "whois.markmonitor.com:43",
    ])
    expect(verisign.seen).toContain("google.com")
    expect(body).not.toHaveProperty("geoip")
  })

  it("prefers RDAP for an IP, and adds GeoIP (none for this address)", async () => {
    const res = await get("/api/v1/whois/62.239.237.1")
    expect(res.statusCode).toBe(200)
    expect(conforms(Lookup, res.json())).toMatchObject({
      kind: "ip",
      source: "rdap",
      record: { kind: "ip", netName: "BT-CORPORATE", country: "GB", rir: "ripe" },
      geoip: null,
    })
    expect(rdap.seen).toContain("/ip/62.239.237.1")
  })

  it("falls back to WHOIS when RDAP fails, with GeoIP of the address", async () => {
    const res = await get("/api/v1/whois/81.2.69.160")
    expect(res.statusCode).toBe(200)
    const body = conforms(Lookup, res.json()) as { chain: Array<{ protocol: string }> }
    expect(body).toMatchObject({
      kind: "ip",
      source: "whois",
      record: { kind: "ip", netName: "BT-CORPORATE" },
      geoip: { ip: "81.2.69.160", city: { name: "London" }, country: { isoCode: "GB" } },
    })
    expect(body.chain[0]?.protocol).toBe("rdap")
    expect(ripe.seen).toContain("81.2.69.160")
  })

  it("source=rdap: 404 when no RDAP server is known, 502 when it fails, never WHOIS", async () => {
    const before = iana.seen.length
    const unknown = await get("/api/v1/whois/example.invalid?source=rdap")
    expect(unknown.statusCode).toBe(404)
    expect(unknown.headers["content-type"]).toContain("application/problem+json")
    expect((unknown.json() as ProblemJson).detail).toMatch(/no RDAP server/)
    const failing = await get("/api/v1/whois/81.2.69.160?source=rdap")
    expect(failing.statusCode).toBe(502)
    expect(failing.json()).toMatchObject({ reason: "Network" })
    expect(iana.seen.length).toBe(before)
  })

  it("answers 400 on field resource for text that is no domain, IP or ASN", async () => {
    for (const r of ["not a domain", "-rf", "a..b", "x".repeat(300), "AS99999999999"]) {
      const res = await get(`/api/v1/whois/${encodeURIComponent(r)}`)
      expect(res.statusCode, r).toBe(400)
      expect((res.json() as ProblemJson).field, r).toBe("resource")
    }
  })

  it("answers 400 on field source for an unknown source", async () => {
    const res = await get("/api/v1/whois/google.com?source=gopher")
    expect(res.statusCode).toBe(400)
    expect((res.json() as ProblemJson).field).toBe("source")
  })
})

describe("whois route when the server is unreachable", () => {
  let app: NestFastifyApplication
  beforeAll(async () => {
    app = await toolsApp({
      NETWARK_WHOIS_IANA_SERVER: `127.0.0.1:${await closedPort()}`,
      NETWARK_RDAP: "false",
      NETWARK_WHOIS_TIMEOUT_MS: "2000",
    })
  })
  afterAll(async () => {
    await app?.close()
  })

  it("answers 502 with reason Network, not 500", async () => {
    const res = await app.inject({ method: "GET", url: "/api/v1/whois/example.com" })
    expect(res.statusCode).toBe(502)
    expect(res.json()).toMatchObject({ reason: "Network" })
  })
})

describe("whois route when the caller goes away", () => {
  let app: NestFastifyApplication
  let silent: Local
  let base: string
  beforeAll(async () => {
    silent = await whoisServer(() => undefined)
    app = await toolsApp({
      NETWARK_WHOIS_IANA_SERVER: silent.address,
      NETWARK_RDAP: "false",
      NETWARK_WHOIS_TIMEOUT_MS: "20000",
    })
    await app.listen(0, "127.0.0.1")
    base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`
  })
  afterAll(async () => {
    await app?.close()
    await silent?.close()
  })

  it("stops the lookup and closes its WHOIS connection", async () => {
    const caller = new AbortController()
    const pending = fetch(`${base}/api/v1/whois/example.com`, { signal: caller.signal }).catch(
      () => "aborted",
    )
    for (let i = 0; i < 100 && silent.open() === 0; i++) await new Promise((r) => setTimeout(r, 20))
    expect(silent.open()).toBe(1)
    caller.abort()
    expect(await pending).toBe("aborted")
    for (let i = 0; i < 100 && silent.open() > 0; i++) await new Promise((r) => setTimeout(r, 20))
    // Well before the 20 s WHOIS deadline.
    expect(silent.open()).toBe(0)
  })
})

describe("RDAP bootstrap of a running server", () => {
  // The recorded IANA files the tools tests use: `bootstrap` knows 3 TLDs (ar, cz, br),
  // `bootstrap_complex`'s dns.json also knows com.
  const openrdap = path.resolve(fixtures, "../../../tools/test/fixtures/whois/openrdap")
  const file = (set: string, name: string) => readFileSync(path.join(openrdap, set, name), "utf8")
  let http: Local
  let rdap: Local
  let dataDir: string
  beforeAll(async () => {
    const routes: Record<string, readonly [number, string]> = {}
    for (const name of ["dns.json", "ipv4.json", "ipv6.json", "asn.json"]) {
      routes[`/old/${name}`] = [200, file("bootstrap", name)]
      routes[`/new/${name}`] = [
        200,
        file(name === "dns.json" ? "bootstrap_complex" : "bootstrap", name),
      ]
    }
    http = await rdapServer(routes)
    rdap = await rdapServer({ "/domain/google.com": [404, JSON.stringify({ errorCode: 404 })] })
    dataDir = await mkdtemp(path.join(tmpdir(), "netwark-rdap-"))
  })
  afterAll(async () => {
    await http?.close()
    await rdap?.close()
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true })
  })

  const update = (set: string) =>
    Effect.runPromise(Rdap.updateBootstrap({ baseUrl: `${http.address}${set}/`, dataDir }))
  const noGeoIp = { available: async () => false } as unknown as GeoIpService
  const lookup = (service: WhoisService) =>
    service.lookup("google.com", { source: "rdap" }).then(
      (r) => r.source,
      (e: unknown) => (e instanceof Error ? e.message : String(e)),
    )

  it("reads an updated data dir once the loaded one is older than the max age; a failed read keeps it", async () => {
    await update("old")
    const service = new WhoisService(
      { rdap: { dataDir, servers: { "https://example.com/": rdap.address } } },
      noGeoIp,
      "300 millis",
    )
    expect(await lookup(service)).toMatch(/no RDAP server is known for google.com/)
    await update("new")
    // younger than the max age: the loaded bootstrap is still used
    expect(await lookup(service)).toMatch(/no RDAP server is known/)
    await new Promise((r) => setTimeout(r, 350))
    // the lookup that finds it old starts the reload without waiting for it
    expect(await lookup(service)).toMatch(/no RDAP server is known/)
    await vi.waitFor(async () => expect(await lookup(service)).toBe("rdap"), { timeout: 2000 })
    expect(rdap.seen).toContain("/domain/google.com")

    // a data dir that no longer reads (a broken file): the loaded bootstrap stays, and it is logged
    const warn = vi.spyOn(service["logger"], "warn").mockImplementation(() => undefined)
    await writeFile(path.join(dataDir, "current", "dns.json"), "{ not json")
    await new Promise((r) => setTimeout(r, 350))
    expect(await lookup(service)).toBe("rdap")
    await vi.waitFor(() => expect(warn).toHaveBeenCalledOnce(), { timeout: 2000 })
    expect(warn.mock.calls[0]?.[0]).toMatch(/not reloaded from .*keeping the one loaded.*dns\.json/)
    expect(await lookup(service)).toBe("rdap")
  })
})

describe("whoisOptionsFromEnv", () => {
  it("reads redirects as pairs or JSON, and the RDAP switch", () => {
    expect(
      whoisOptionsFromEnv({
        NETWARK_WHOIS_SERVERS: "whois.iana.org=127.0.0.1:4300, whois.ripe.net=127.0.0.1:4301",
        NETWARK_RDAP_SERVERS: '{"https://rdap.db.ripe.net/":"http://127.0.0.1:8080/"}',
        NETWARK_WHOIS_TIMEOUT_MS: "1500",
      }),
    ).toEqual({
      servers: { "whois.iana.org": "127.0.0.1:4300", "whois.ripe.net": "127.0.0.1:4301" },
      timeout: 1500,
      rdap: { servers: { "https://rdap.db.ripe.net/": "http://127.0.0.1:8080/" }, timeout: 1500 },
    })
    expect(whoisOptionsFromEnv({ NETWARK_RDAP: "off" }).rdap).toBe(false)
  })

  it("refuses unusable values", () => {
    expect(() => whoisOptionsFromEnv({ NETWARK_WHOIS_SERVERS: "nope" })).toThrow(WhoisConfigError)
    expect(() => whoisOptionsFromEnv({ NETWARK_RDAP_SERVERS: "{bad" })).toThrow(WhoisConfigError)
    expect(() => whoisOptionsFromEnv({ NETWARK_WHOIS_TIMEOUT_MS: "-1" })).toThrow(WhoisConfigError)
  })
})
