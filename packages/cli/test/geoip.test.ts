import { execFile } from "node:child_process"
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { rows, runCli } from "./support/cli.js"

const here = path.dirname(fileURLToPath(import.meta.url))
const mmdb = (name: string) =>
  path.resolve(here, "../../tools/test/fixtures/mmdb/test-data", `${name}.mmdb`)
const CITY = mmdb("GeoIP2-City-Test")
const ASN = mmdb("GeoLite2-ASN-Test")

const cli = (argv: ReadonlyArray<string>, env: Record<string, string> = {}, stdin = "") =>
  runCli(["geoip", ...argv], { stdin, env })

describe("netwark geoip <ip>", () => {
  it("prints a key/value table merging City and ASN", async () => {
    const r = await cli(["89.160.20.130", "--city", CITY, "--asn", ASN])
    expect(r).toMatchObject({ code: 0, stderr: "" })
    const table = rows(r.stdout)
    expect(table).toMatchObject({
      IP: "89.160.20.130",
      Network: "89.160.20.128/25",
      Country: "SE (Sweden)",
      Continent: "EU (Europe)",
      Subdivisions: "E (Östergötland County)",
      City: "Linköping",
      "Time zone": "Europe/Stockholm",
      ASN: "AS29518 Bredband2 AB",
      "ASN network": "89.160.0.0/17",
    })
    expect(table["Location"]).toMatch(/^58\.4167, 15\.6167 \(±\d+ km\)$/)
  })

  it("reads the paths from NETWARK_GEOIP_CITY / NETWARK_GEOIP_ASN and prints JSON with --json", async () => {
    const r = await cli(["2001:218::1", "--json"], {
      NETWARK_GEOIP_CITY: CITY,
      NETWARK_GEOIP_ASN: ASN,
    })
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout) as Record<string, unknown>
    expect(out).toMatchObject({
      found: true,
      ip: "2001:218::1",
      network: "2001:218::/32",
      country: { isoCode: "JP" },
    })
    expect(out["raw"]).toHaveProperty("city")
  })

  it("batch mode `-` writes one JSON line per input line, errors included", async () => {
    const r = await cli(
      ["-", "--city", CITY],
      {},
      "2.125.160.216\n# comment\n\n10.0.0.1\nnot-an-ip\n::ffff:81.2.69.160\n",
    )
    expect(r.code).toBe(0)
    const out = r.stdout
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(out).toHaveLength(4)
    expect(out[0]).toMatchObject({ found: true, ip: "2.125.160.216", city: { name: "Boxford" } })
    expect(out[1]).toEqual({ ip: "10.0.0.1", found: false })
    expect(out[2]).toMatchObject({
      ip: "not-an-ip",
      error: { reason: "InvalidInput", field: "ip" },
    })
    expect(out[3]).toMatchObject({ found: true, city: { name: "London" } })
  })

  it("bad input exits 2 with the reason on stderr", async () => {
    const bad = await cli(["999.1.1.1", "--city", CITY])
    expect(bad).toMatchObject({ code: 2, stdout: "" })
    expect(bad.stderr).toBe('netwark geoip: "999.1.1.1" is not an IPv4 or IPv6 address\n')
    expect((await cli(["--city", CITY])).code).toBe(2)
    expect((await cli(["1.1.1.1", "2.2.2.2", "--city", CITY])).code).toBe(2)
    expect((await cli(["1.1.1.1", "--bogus"])).code).toBe(2)
    const wrongKind = await cli(["1.1.1.1", "--city", ASN])
    expect(wrongKind.code).toBe(2)
    expect(wrongKind.stderr).toMatch(/is a GeoLite2-ASN database, not a City\/Country one/)
  })

  it("says clearly when no database is configured (exit 2)", async () => {
    const r = await cli(["1.1.1.1"])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/no GeoIP database configured: pass --city PATH and\/or --asn PATH/)
  })

  it("exits 1 for an address in no database, and for a missing or corrupt file", async () => {
    const none = await cli(["10.0.0.1", "--city", CITY])
    expect(none).toMatchObject({ code: 1, stdout: "" })
    expect(none.stderr).toMatch(/10\.0\.0\.1 is not in the configured databases/)
    const missing = await cli(["1.1.1.1", "--city", "/nonexistent/City.mmdb"])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toMatch(/cannot read .*City\.mmdb: ENOENT/)
    const corrupt = await cli(["1.1.1.1", "--city", mmdb("GeoIP2-City-Test-Broken-Double-Format")])
    expect(corrupt.code).toBe(1)
    expect(corrupt.stderr).toMatch(/corrupt data record/)
  })

  it("`info` lists the databases' metadata", async () => {
    const r = await cli(["info", "--city", CITY, "--asn", ASN])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^DB\s+Type\s+Built\s+IP\s+Nodes\s+Path\n/)
    expect(r.stdout).toMatch(/city\s+GeoIP2-City\s+2026-02-04T22:49:29\.000Z\s+IPv6\s+1547\s/)
    expect(r.stdout).toMatch(/asn\s+GeoLite2-ASN\s+/)
    const j = JSON.parse((await cli(["info", "--asn", ASN, "--json"])).stdout) as Record<
      string,
      unknown
    >
    expect(j).toMatchObject({ asn: { metadata: { databaseType: "GeoLite2-ASN", ipVersion: 6 } } })
  })
})

describe("netwark geoip update", () => {
  const KEY = "cli-k3y-secret"
  let work = ""
  let server: Server
  let origin = ""
  let tgz: Buffer

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), "netwark-cli-geoip-"))
    await mkdir(path.join(work, "src/GeoLite2-ASN_20260204"), { recursive: true })
    await copyFile(ASN, path.join(work, "src/GeoLite2-ASN_20260204/GeoLite2-ASN.mmdb"))
    await promisify(execFile)("tar", [
      "czf",
      path.join(work, "asn.tar.gz"),
      "-C",
      path.join(work, "src"),
      "GeoLite2-ASN_20260204",
    ])
    tgz = await readFile(path.join(work, "asn.tar.gz"))
    server = createServer((req, res) => {
      const ok =
        req.headers.authorization === `Basic ${Buffer.from(`42:${KEY}`).toString("base64")}`
      if (!ok) return void res.writeHead(401).end("Invalid license key")
      if (req.url !== "/geoip/databases/GeoLite2-ASN/download?suffix=tar.gz")
        return void res.writeHead(404).end()
      res.writeHead(200, { "content-type": "application/gzip" }).end(tgz)
    })
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve))
    await rm(work, { recursive: true, force: true })
  })

  it("downloads into --dir with the key from MAXMIND_LICENSE_KEY, then the DB answers lookups", async () => {
    const dir = path.join(work, "db")
    const r = await cli(
      [
        "update",
        "--account-id",
        "42",
        "--edition",
        "GeoLite2-ASN",
        "--base-url",
        origin,
        "--dir",
        dir,
      ],
      { MAXMIND_LICENSE_KEY: KEY },
    )
    expect(r.stderr).toBe("")
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(
      /GeoLite2-ASN\s+2026-02-04T22:49:29\.000Z\s+1341\s+.*GeoLite2-ASN\.mmdb/,
    )
    expect(await readdir(dir)).toEqual(["GeoLite2-ASN.mmdb"])
    const look = await cli(["1.128.0.1", "--json"], {
      NETWARK_GEOIP_ASN: path.join(dir, "GeoLite2-ASN.mmdb"),
    })
    expect(JSON.parse(look.stdout)).toMatchObject({ asn: { number: 1221 } })
  })

  it("a refused key exits 2 without printing the key; a missing key is a usage error", async () => {
    const wrong = "wr0ng-k3y"
    const r = await cli([
      "update",
      "--license-key",
      wrong,
      "--account-id",
      "42",
      "--edition",
      "GeoLite2-ASN",
      "--base-url",
      origin,
      "--dir",
      path.join(work, "db2"),
    ])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/MaxMind refused the licence key \(HTTP 401\)/)
    expect(r.stderr + r.stdout).not.toContain(wrong)
    const missing = await cli(["update", "--dir", work])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/MAXMIND_LICENSE_KEY/)
  })
})
