import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { createServer as createHttpServer } from "node:http"
import { createServer, type AddressInfo, type Server } from "node:net"
import { tmpdir } from "node:os"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { runCli } from "./support/cli.js"

const here = path.dirname(fileURLToPath(import.meta.url))
const fixture = (p: string) =>
  readFileSync(path.resolve(here, "../../tools/test/fixtures/whois", p), "utf8")
const mmdb = (name: string) =>
  path.resolve(here, "../../tools/test/fixtures/mmdb/test-data", `${name}.mmdb`)

const cli = (argv: ReadonlyArray<string>, env: Record<string, string> = {}, stdin = "") =>
  runCli(["whois", ...argv], { stdin, env })

/** A loopback WHOIS server answering from `answer(query)`. */
const replay = async (
  answer: (q: string) => string,
): Promise<{ address: string; queries: Array<string>; server: Server }> => {
  const queries: Array<string> = []
  const server = createServer((socket) => {
    let buf = ""
    socket.on("error", () => undefined)
    socket.on("data", (d) => {
      buf += d.toString("utf8")
      const nl = buf.indexOf("\r\n")
      if (nl < 0) return
      const q = buf.slice(0, nl)
      queries.push(q)
      socket.end(answer(q))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  return { address: `127.0.0.1:${(server.address() as AddressInfo).port}`, queries, server }
}

describe("netwark whois", () => {
  let registrar: Awaited<ReturnType<typeof replay>>
  let registry: Awaited<ReturnType<typeof replay>>
  let ripe: Awaited<ReturnType<typeof replay>>
  beforeAll(async () => {
    const registrarText = fixture("weppos/responses/whois.markmonitor.com/status_registered.txt")
    registrar = await replay((q) => (q === "google.com" ? registrarText : "No match\n"))
    // The recorded Verisign answer, with its registrar referral pointed at the local registrar.
    const registryText = fixture(
      "weppos/responses/whois.verisign-grs.com/com/status_registered.txt",
    ).replace(
      "Registrar WHOIS Server: whois.markmonitor.com",
      `Registrar WHOIS Server: ${registrar.address}`,
    )
    const available = fixture("weppos/responses/whois.verisign-grs.com/com/status_available.txt")
    registry = await replay((q) => (q === "google.com" ? registryText : available))
    const ripeText = fixture("ipwhois/ip-whois/ripencc-62.239.237.1.txt")
    ripe = await replay(() => ripeText)
  })
  afterAll(() => {
    for (const s of [registrar, registry, ripe]) s.server.close()
  })

  it("prints the normalized record as a table, then the server chain", async () => {
    const r = await cli(["google.com", "--server", registry.address, "--timeout", "5s"])
    expect(r.stderr).toBe("")
    expect(r.code).toBe(0)
    const rows = Object.fromEntries(
      r.stdout
        .split("\n\n")[0]!
        .split("\n")
        .map((l) => l.split(/\s{2,}/) as [string, string]),
    )
    expect(rows).toMatchObject({
      Query: "google.com",
      Source: "WHOIS",
      Domain: "google.com",
      Registrar: "MarkMonitor Inc.",
      Created: "1997-09-15T04:00:00Z",
      Expires: "2020-09-14T04:00:00Z",
      "Name servers": "ns1.google.com, ns2.google.com, ns3.google.com, ns4.google.com",
      "Abuse email": "compliance@markmonitor.com",
    })
    expect(r.stdout).toContain("Servers:\n")
    expect(r.stdout).toContain(`  1. whois ${registry.address}: `)
    expect(r.stdout).toContain(`refers to ${registrar.address}`)
    expect(r.stdout).toContain(`  2. whois ${registrar.address}: `)
  })

  it("--json gives record, chain and raw text", async () => {
    const r = await cli(["google.com", "--server", registry.address, "--json"])
    expect(r.code).toBe(0)
    const v = JSON.parse(r.stdout) as {
      record: { registrar: string }
      chain: Array<{ server: string; raw?: string }>
      raw: string
    }
    expect(v.record.registrar).toBe("MarkMonitor Inc.")
    expect(v.chain.map((s) => s.server)).toEqual([registry.address, registrar.address])
    expect(v.chain[0]?.raw).toBeUndefined()
    expect(v.raw).toContain("Registrar Abuse Contact Email")
  })

  it("--raw prints the raw answer", async () => {
    const r = await cli(["google.com", "--server", registry.address, "--raw"])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain("Domain Name: google.com")
  })

  it("reports an unregistered domain as available (exit 0)", async () => {
    const r = await cli(["u34jedzcq.com", "--server", registry.address, "--no-rdap"])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/Available\s+yes \(not registered\)/)
  })

  it("batch mode: one query per line in, JSON lines out, errors inline", async () => {
    const r = await cli(
      ["-", "--server", registry.address],
      {},
      "google.com\n# comment\n\n-x\nu34jedzcq.com\n",
    )
    expect(r.code).toBe(0)
    const out = r.stdout
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(out).toHaveLength(3)
    expect(out[0]).toMatchObject({
      query: "google.com",
      kind: "domain",
      record: { registrar: "MarkMonitor Inc." },
    })
    expect(out[1]).toMatchObject({ query: "-x", error: { reason: "InvalidInput", field: "query" } })
    expect(out[2]).toMatchObject({ query: "u34jedzcq.com", record: { available: true } })
  })

  it("enriches IP results from GeoIP databases (flags or env)", async () => {
    const r = await cli(["62.239.237.1", "--server", ripe.address, "--json"], {
      NETWARK_GEOIP_CITY: mmdb("GeoIP2-City-Test"),
      NETWARK_GEOIP_ASN: mmdb("GeoLite2-ASN-Test"),
    })
    expect(r.code).toBe(0)
    const v = JSON.parse(r.stdout) as {
      record: Record<string, unknown>
      geoip?: Record<string, unknown>
    }
    expect(v.record).toMatchObject({
      kind: "ip",
      netName: "BT-CORPORATE",
      country: "GB",
      reverseName: "1.237.239.62.in-addr.arpa",
    })
    // MaxMind's test databases do not know 62.239/16: no geoip key, nothing invented.
    expect(v.geoip).toBeUndefined()
    // 89.160.20.130 is in both test databases (the WHOIS answer is a replay; GeoIP is local).
    const geo = await cli(["89.160.20.130", "--server", ripe.address, "--json"], {
      NETWARK_GEOIP_CITY: mmdb("GeoIP2-City-Test"),
      NETWARK_GEOIP_ASN: mmdb("GeoLite2-ASN-Test"),
    })
    expect(JSON.parse(geo.stdout)).toMatchObject({
      geoip: { country: "SE", city: "Linköping", asn: 29518, asOrganization: "Bredband2 AB" },
    })
    const human = await cli([
      "89.160.20.130",
      "--server",
      ripe.address,
      "--geoip-city",
      mmdb("GeoIP2-City-Test"),
      "--geoip-asn",
      mmdb("GeoLite2-ASN-Test"),
    ])
    expect(human.code).toBe(0)
    expect(human.stdout).toMatch(/Net name\s+BT-CORPORATE/)
    expect(human.stdout).toMatch(/GeoIP country\s+SE\n/)
    expect(human.stdout).toMatch(/GeoIP city\s+Linköping\n/)
    expect(human.stdout).toMatch(/GeoIP AS\s+AS29518 Bredband2 AB\n/)
  })

  it("fails with exit 1 on an unreadable GeoIP path", async () => {
    const r = await cli([
      "62.239.237.1",
      "--server",
      ripe.address,
      "--geoip-city",
      "/nonexistent.mmdb",
    ])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/^netwark whois: cannot read \/nonexistent\.mmdb/)
  })

  it.each([
    [[""], /query is empty/],
    [["-x"], /Unknown option|starts with "-"/],
    [["--", "-x"], /starts with "-"/],
    [["AS99999999999"], /out of range/],
    [["a\u0007b.com"], /control characters/],
    [["google.com", "--timeout", "soon"], /--timeout "soon"/],
    [[], /give a domain/],
    [["a.com", "b.com"], /give one query/],
  ])("bad input %j exits 2 with the reason on stderr", async (argv, message) => {
    const r = await cli(argv)
    expect(r.code).toBe(2)
    expect(r.stdout).toBe("")
    expect(r.stderr).toMatch(/^netwark whois: /)
    expect(r.stderr).toMatch(message)
  })

  it("exits 1 when the server is unreachable", async () => {
    const closed = await replay(() => "")
    const address = closed.address
    await new Promise<void>((resolve) => closed.server.close(() => resolve()))
    const r = await cli(["google.com", "--server", address, "--timeout", "2s"])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/^netwark whois: WHOIS server 127\.0\.0\.1:\d+: /)
  })

  it("update-bootstrap fetches, validates and installs the four files", async () => {
    const http = createHttpServer((req, res) => {
      const name = (req.url ?? "").replace(/^\/rdap\//, "")
      try {
        res.end(fixture(`openrdap/bootstrap/${name}`))
      } catch {
        res.writeHead(404).end()
      }
    })
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve))
    const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}/rdap/`
    const dir = mkdtempSync(path.join(tmpdir(), "netwark-cli-rdap-"))
    try {
      const r = await cli(["update-bootstrap", "--base-url", base], { NETWARK_RDAP_DATA: dir })
      expect(r.stderr).toBe("")
      expect(r.code).toBe(0)
      expect(r.stdout).toMatch(/dns\.json\s+2017-03-15T21:26:24Z/)
      expect(readdirSync(path.join(dir, "current")).sort()).toEqual([
        "asn.json",
        "dns.json",
        "ipv4.json",
        "ipv6.json",
      ])
      const missing = await cli([
        "update-bootstrap",
        "--base-url",
        `${base}nope/`,
        "--rdap-data",
        dir,
      ])
      expect(missing.code).toBe(1)
      const noDir = await cli(["update-bootstrap"])
      expect(noDir.code).toBe(2)
    } finally {
      rmSync(dir, { recursive: true, force: true })
      http.close()
    }
  })
})
