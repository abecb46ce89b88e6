import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { Effect, Either } from "effect"
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest"
import { Rdap, Whois } from "../src/index.js"
import * as Special from "../src/internal/whois/special.js"
import type { ToolError } from "../src/ToolError.js"
import * as A from "./support/agreement.js"
import { replayServer, type Replay } from "./support/servers.js"

// The real check, counted: a lookup should classify its address once, not once per protocol.
vi.mock("../src/internal/whois/special.js", async (actual) => {
  const real = await actual<typeof import("../src/internal/whois/special.js")>()
  return { ...real, notRegistered: vi.fn(real.notRegistered) }
})
const checks = vi.mocked(Special.notRegistered)

const FIX = join(import.meta.dirname, "fixtures", "whois")
const read = (p: string): string => readFileSync(join(FIX, p), "utf8")
const run = <A>(e: Effect.Effect<A, ToolError>) => Effect.runPromise(Effect.either(e))

const invalid = (input: string): ToolError => {
  const r = Whois.parseQuery(input)
  if (Either.isRight(r)) throw new Error(`expected ${JSON.stringify(input)} to be rejected`)
  return r.left
}

describe("Whois.parseQuery", () => {
  it("classifies domains, IPs and AS numbers", () => {
    expect(Whois.parseQuery("Example.COM")).toEqual(
      Either.right({ kind: "domain", input: "Example.COM", value: "example.com" }),
    )
    expect(Either.getOrThrow(Whois.parseQuery("192.0.2.1")).kind).toBe("ip")
    expect(Either.getOrThrow(Whois.parseQuery("2001:DB8::1"))).toMatchObject({
      kind: "ip",
      value: "2001:db8::1",
      version: 6,
    })
    // A zone id names a local interface, not a registry object: accepted, not sent.
    expect(Either.getOrThrow(Whois.parseQuery("FE80::1%eth0"))).toMatchObject({
      kind: "ip",
      value: "fe80::1",
      version: 6,
    })
    expect(Either.isLeft(Whois.parseQuery("192.0.2.1%eth0"))).toBe(true)
    expect(Either.getOrThrow(Whois.reverseName("fe80::1%eth0"))).toMatch(
      /^1\.0\.0\.0\..*\.ip6\.arpa$/,
    )
    expect(Either.getOrThrow(Whois.parseQuery("AS64500"))).toMatchObject({
      kind: "asn",
      asn: 64500,
      value: "AS64500",
    })
    expect(Either.getOrThrow(Whois.parseQuery("64500"))).toMatchObject({ kind: "asn", asn: 64500 })
    expect(Either.getOrThrow(Whois.parseQuery("as4294967295"))).toMatchObject({ asn: 4294967295 })
  })

  it("converts IDN domains to punycode", () => {
    expect(Either.getOrThrow(Whois.parseQuery("bücher.de")).value).toBe("xn--bcher-kva.de")
    expect(Either.getOrThrow(Whois.parseQuery("例え.jp")).value).toBe("xn--r8jz45g.jp")
  })

  it.each([
    ["", "empty"],
    ["   ", "empty"],
    ["-x", "flag"],
    ["-B example.com", "flag"],
    ["example.com\r\nhelp", "control"],
    ["exa\u0000mple.com", "control"],
    ["AS99999999999", "out of range"],
    ["4294967296", "out of range"],
    ["not a domain", "spaces"],
    ["bad_label-.com!", "not a domain"],
    // the URL host parser stopped at '/' and looked up "192.0.2.0" or "example.com" as a name
    ["192.0.2.0/33", "not a network"],
    ["192.0.2.0/abc", "not a domain name, IP address, network"],
    ["example.com/x", "not a domain name, IP address, network"],
    ["https://example.com", "not a domain name, IP address, network"],
    ["1.2.3", "last label is numeric"],
    ["0x7f.1", "last label is numeric"],
  ])("rejects %j (%s) as InvalidInput on field query", (input, why) => {
    const e = invalid(input)
    expect(e.reason).toBe("InvalidInput")
    expect(e.field).toBe("query")
    expect(e.message).toContain(why)
  })

  it("reads a network as the address the registries look it up by", () => {
    expect(Either.getOrThrow(Whois.parseQuery("192.0.2.0/24"))).toMatchObject({
      kind: "ip",
      value: "192.0.2.0",
      version: 4,
    })
    expect(Either.getOrThrow(Whois.parseQuery("2001:DB8::/32"))).toMatchObject({
      kind: "ip",
      value: "2001:db8::",
      version: 6,
    })
  })
})

describe("addresses no registry holds", () => {
  // nothing listens on port 1: a lookup that tried the network would fail with Network instead
  const nowhere: Whois.Options = {
    ianaServer: "127.0.0.1:1",
    // every registry's server, so that nothing leaves loopback
    servers: Object.fromEntries(Object.values(Whois.RIR_SERVERS).map((h) => [h, "127.0.0.1:1"])),
    connectTimeout: "500 millis",
    timeout: "500 millis",
    rdap: { server: "http://127.0.0.1:1" },
  }

  it.each([
    ["127.0.0.1", "127.0.0.0/8, Loopback (RFC 1122"],
    ["::1", "::1/128, Loopback Address (RFC 4291"],
    ["10.1.2.3", "10.0.0.0/8, Private-Use (RFC 1918"],
    ["192.168.1.0/24", "192.168.0.0/16, Private-Use"],
    ["100.64.1.1", "Shared Address Space (RFC 6598"],
    ["fe80::1%eth0", "fe80::/10, Link-Local"],
    ["fd12:3456::1", "fc00::/7, Unique-Local (RFC 4193"],
  ])(
    "%s is answered NotFound at once, from the IANA registry, by WHOIS and RDAP",
    async (q, what) => {
      for (const lookup of [Whois.lookup(q, nowhere), Whois.query(q, nowhere)]) {
        const r = await run(lookup)
        if (Either.isRight(r)) throw new Error("answered")
        expect(r.left).toMatchObject({ reason: "NotFound", field: "query" })
        expect(r.left.message).toContain(what)
        expect(r.left.message).toContain("no WHOIS or RDAP server holds it")
      }
    },
  )

  it("every entry point refuses a reserved address, checking it once per lookup", async () => {
    const q = Either.getOrThrow(Whois.parseQuery("10.1.2.3"))
    for (const lookup of [
      Whois.lookup("10.1.2.3", nowhere),
      Whois.query("10.1.2.3", nowhere),
      Whois.queryValidated(q, nowhere),
      Rdap.lookup("10.1.2.3", { server: "http://127.0.0.1:1" }),
      Rdap.lookupQuery(q, { server: "http://127.0.0.1:1" }),
    ]) {
      checks.mockClear()
      const r = await run(lookup)
      expect(Either.isLeft(r) && r.left).toMatchObject({ reason: "NotFound", field: "query" })
      expect(checks).toHaveBeenCalledTimes(1)
    }
  })

  it("a lookup that tries RDAP, then WHOIS, checks the address once", async () => {
    checks.mockClear()
    // RDAP and WHOIS both fail on port 1: both protocols ran
    const r = await run(Whois.lookup("192.0.2.1", nowhere))
    expect(Either.isLeft(r) && r.left.reason).toBe("Network")
    expect(checks).toHaveBeenCalledTimes(1)
  })

  it("leaves documentation and global addresses to the registries", async () => {
    for (const q of ["192.0.2.1", "2001:db8::1", "8.8.8.8"]) {
      const r = await run(Whois.query(q, nowhere))
      expect(Either.isLeft(r) && r.left.reason).toBe("Network")
    }
  })
})

describe("Whois.reverseName", () => {
  it("builds in-addr.arpa and ip6.arpa names", () => {
    expect(Whois.reverseName("62.239.237.1")).toEqual(Either.right("1.237.239.62.in-addr.arpa"))
    expect(Either.getOrThrow(Whois.reverseName("2001:db8::1"))).toBe(
      "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa",
    )
    expect(Either.isLeft(Whois.reverseName("example.com"))).toBe(true)
  })
})

describe("Whois.normalizeDate", () => {
  it.each([
    ["2012-03-07T00:00:00Z", "2012-03-07T00:00:00Z"],
    ["2012-03-07T10:20:30.123+02:00", "2012-03-07T08:20:30Z"],
    ["2011-07-20T16:55:31-0700", "2011-07-20T23:55:31Z"],
    ["07-Mar-2012", "2012-03-07T00:00:00Z"],
    ["07-mar-2012 10:22:33 UTC", "2012-03-07T10:22:33Z"],
    ["2012.03.07", "2012-03-07T00:00:00Z"],
    ["2012.03.07 12:00:00", "2012-03-07T12:00:00Z"],
    ["20120307", "2012-03-07T00:00:00Z"],
    ["19990521 #12345", "1999-05-21T00:00:00Z"],
    ["07/03/2012", "2012-03-07T00:00:00Z"],
    ["07.03.2012", "2012-03-07T00:00:00Z"],
    ["2012/03/07", "2012-03-07T00:00:00Z"],
    ["2013/06/01 01:05:07 (JST)", "2013-05-31T16:05:07Z"],
    ["2014-05-31 16:06:04 (UTC+9:00)", "2014-05-31T07:06:04Z"],
    ["2012. 03. 07.", "2012-03-07T00:00:00Z"],
    ["Wed Mar 07 12:00:00 GMT 2012", "2012-03-07T12:00:00Z"],
    ["Thu Aug 03 2006", "2006-08-03T00:00:00Z"],
    ["Friday 7th November 2003", "2003-11-07T00:00:00Z"],
    ["2001-Aug-23.", "2001-08-23T00:00:00Z"],
    ["March 7, 2012", "2012-03-07T00:00:00Z"],
  ])("%s → %s", (input, iso) => {
    expect(Whois.normalizeDate(input)).toBe(iso)
  })

  it.each(["", "before Aug-1996", "2012-02-30", "soon", "31/31/2012"])("rejects %j", (input) => {
    expect(Whois.normalizeDate(input)).toBeUndefined()
  })
})

// Per-source agreement with the expected parses of four other WHOIS parsers. Floors sit a little
// under the rates measured when the parser was written, so a regression fails the build.
const SOURCES = [
  {
    name: "weppos",
    score: () => A.scoreWeppos(join(FIX, "weppos")),
    floor: {
      available: 96,
      registrar: 91,
      created: 96,
      updated: 93,
      expires: 94,
      nameServers: 92,
      status: 0,
      dnssec: 0,
    },
  },
  {
    name: "likexian",
    score: () => A.scoreLikexian(join(FIX, "likexian")),
    floor: {
      available: 98,
      registrar: 92,
      created: 98,
      updated: 98,
      expires: 96,
      nameServers: 98,
      status: 95,
      dnssec: 0,
    },
  },
  {
    name: "richardpenman",
    score: () => A.scorePenman(join(FIX, "richardpenman")),
    floor: {
      available: 98,
      registrar: 85,
      created: 88,
      updated: 93,
      expires: 97,
      nameServers: 0,
      status: 89,
      dnssec: 0,
    },
  },
  {
    name: "php-whois",
    score: () => A.scorePhp(join(FIX, "php-whois")),
    floor: {
      available: 95,
      registrar: 88,
      created: 96,
      updated: 98,
      expires: 96,
      nameServers: 96,
      status: 93,
      dnssec: 95,
    },
  },
] as const

describe("Whois.parseDomain agreement with other parsers' expected results", () => {
  for (const source of SOURCES) {
    const s = source.score()
    describe(`${source.name}: ${A.summary(s)}`, () => {
      for (const field of A.FIELDS) {
        if (s.total[field] === 0) continue
        it(`${field} agrees on ${A.rate(s, field)}% (floor ${source.floor[field]}%)`, () => {
          expect(A.rate(s, field)).toBeGreaterThanOrEqual(source.floor[field])
        })
      }
    })
  }
})

// The big registries must be exactly right on every scored field.
describe("Whois.parseDomain on the big registries", () => {
  const big: ReadonlyArray<readonly [string, string]> = [
    ["com (Verisign)", "whois.verisign-grs.com/com/status_registered"],
    ["net (Verisign)", "whois.verisign-grs.com/net/status_registered"],
    ["org (PIR)", "whois.pir.org/org/status_registered"],
    ["de (DENIC)", "whois.denic.de/de/status_registered"],
    ["uk (Nominet)", "whois.nic.uk/uk/status_registered"],
    ["fr (AFNIC)", "whois.nic.fr/fr/status_registered"],
    ["jp (JPRS)", "whois.jprs.jp/jp/status_registered"],
    ["io", "whois.nic.io/io/status_registered"],
    ["eu (EURid)", "whois.eu/eu/status_registered"],
    ["ru (TCI)", "whois.tcinet.ru/ru/status_registered"],
    ["br (registro.br)", "whois.registro.br/br/status_registered"],
    ["it", "whois.nic.it/it/status_registered"],
    ["nl", "whois.domain-registry.nl/nl/status_registered"],
    ["cn (CNNIC)", "whois.cnnic.cn/cn/status_registered"],
  ]
  const all = A.scoreWeppos(join(FIX, "weppos"))
  it.each(big)("%s: dates, name servers and availability match weppos", (_label, file) => {
    expect(existsSync(join(FIX, "weppos", "responses", `${file}.txt`))).toBe(true)
    // DENIC/.it registrar naming differs between parsers (contact vs. handle), so not scored here.
    const misses = all.misses.filter((m) => m.file.startsWith(file) && m.field !== "registrar")
    expect(all.perFile.get(`${file}.expected.json`) ?? 0).toBeGreaterThanOrEqual(3)
    expect(misses).toEqual([])
  })

  it("reads google.com from Verisign completely", () => {
    const r = Whois.parseDomain(
      read("weppos/responses/whois.verisign-grs.com/com/status_registered.txt"),
    )
    expect(r.status).toBe("ok")
    expect(r.record).toMatchObject({
      domain: "google.com",
      available: false,
      registrar: "MarkMonitor Inc.",
      whoisServer: "whois.markmonitor.com",
      created: "1997-09-15T04:00:00Z",
      expires: "2020-09-14T04:00:00Z",
      nameServers: ["ns1.google.com", "ns2.google.com", "ns3.google.com", "ns4.google.com"],
    })
  })

  it("reads Nominet's indented sections (.uk)", () => {
    const r = Whois.parseDomain(
      read("weppos/responses/whois.nic.uk/uk/status_registered.txt"),
    ).record
    expect(r).toMatchObject({
      domain: "google.co.uk",
      registrar: "Markmonitor Inc. t/a Markmonitor",
      created: "1999-02-14T00:00:00Z",
      expires: "2015-02-14T00:00:00Z",
      updated: "2014-01-13T00:00:00Z",
      nameServers: ["ns1.google.com", "ns2.google.com", "ns3.google.com", "ns4.google.com"],
      status: ["Registered until expiry date."],
    })
  })

  it("reads JPRS bracket keys and JST times (.jp)", () => {
    const r = Whois.parseDomain(
      read("weppos/responses/whois.jprs.jp/jp/status_registered.txt"),
    ).record
    expect(r).toMatchObject({
      domain: "google.jp",
      created: "2005-05-30T00:00:00Z",
      expires: "2014-05-31T00:00:00Z",
      updated: "2013-05-31T16:05:07Z",
      status: ["Active"],
    })
  })

  it("reads abuse contact, registrant and DNSSEC from an ICANN-format registrar answer", () => {
    const r = Whois.parseDomain(
      read("weppos/responses/whois.markmonitor.com/status_registered.txt"),
    ).record
    expect(r.abuse).toEqual({ email: "compliance@markmonitor.com", phone: "+1.2083895740" })
    expect(r.registrant).toEqual({ organization: "Google Inc.", country: "US" })
  })

  it("says available for not-found answers and never throws on junk", () => {
    expect(
      Whois.parseDomain(read("weppos/responses/whois.verisign-grs.com/com/status_available.txt"))
        .record.available,
    ).toBe(true)
    for (const junk of [
      "",
      "\u0000\u0001",
      ":::",
      "[]\n[",
      "a:\n  b\n\n  :c",
      "x".repeat(100_000),
    ]) {
      const r = Whois.parseDomain(junk)
      expect(r.raw).toBe(junk)
      expect(r.record.available).toBe(false)
    }
    expect(Whois.parseDomain("").status).toBe("empty")
  })
})

/**
 * A WHOIS answer is the remote server's to write, and the parsers run on the API server's event
 * loop. These answers held it: the first ones for 195 s at 6 KB (two `\s*` across lines), the
 * others for seconds to minutes at these sizes (work squared in the length). Read now in well
 * under the test timeout; a regression times the test out. Lines are also cut at 1,024
 * characters (`readable`), a backstop for any such pattern not found yet.
 */
describe("Whois parsers on hostile answers", () => {
  const parsers = [Whois.parseDomain, Whois.parseIp, Whois.parseAsn] as const
  const answers: ReadonlyArray<readonly [string, string]> = [
    ["64 KB of blank lines", "\n".repeat(64_000) + "x"],
    ["64 KB of CRLF blank lines", "\r\n".repeat(32_000) + "x"],
    ["64 KB of space-and-newline lines", " \n".repeat(32_000) + "x"],
    ["512 KB of continuation lines", "Registrar:\n ".repeat(40_000)],
    [
      "a value with a 256 KB blank run",
      `Registrar: a${" ".repeat(256_000)}b\nNetRange: 10.0.0.0 - 10.0.0.255\n` +
        `CIDR: 10.0.0.0/24${" ".repeat(256_000)}x\nOrganization: Acme${" ".repeat(256_000)}y\n` +
        `RegDate: 2001-01-01${" ".repeat(256_000)}z\n`,
    ],
    [
      "1,000 lines of 1 KB that each tried a pattern from every place",
      `NetRange: 10.0.0.0 - 10.0.0.255\nOrgAbusePhone: +1${" ".repeat(1_000)}x\n` +
        `inetnum: 10.0.0.0 - 10.0.0.255\nremarks: ${"abuse ".repeat(170)}\n`.repeat(1_000),
    ],
  ]
  it("cuts a line at 1,024 characters, and still reads the abuse contact as before", () => {
    const arin = Whois.parseIp(
      `NetRange: 10.0.0.0 - 10.0.0.255\nOrgName: Acme ${"x".repeat(5_000)}\n` +
        "OrgAbuseEmail: abuse@example.net\nOrgAbusePhone:   +1-555-0100  \n",
    )
    expect(arin.record).toMatchObject({
      organization: `Acme ${"x".repeat(1_024 - "OrgName: Acme ".length)}`,
      abuse: { email: "abuse@example.net", phone: "+1-555-0100" },
    })
    expect(arin.raw).toContain("x".repeat(5_000))
    const ripe = Whois.parseIp(
      "inetnum: 10.0.0.0 - 10.0.0.255\nnetname: X\nremarks: send abuse reports to noc@example.net\n",
    )
    expect(ripe.record).toMatchObject({ abuse: { email: "noc@example.net" } })
    // lines that end in CR alone are lines too (they were once read as one, cut at 1,024)
    const cr = Whois.parseDomain(
      "Domain Name: example.com\r" +
        "Note: filler text here\r".repeat(100) +
        "Registrar: Acme Registrar\rCreation Date: 2001-01-01T00:00:00Z\r",
    )
    expect(cr.record).toMatchObject({
      domain: "example.com",
      registrar: "Acme Registrar",
      created: "2001-01-01T00:00:00Z",
    })
  })

  for (const [name, text] of answers)
    it(`reads ${name}`, () => {
      for (const parse of parsers) {
        const parsed = parse(text)
        expect(parsed.raw).toBe(text)
        expect(["ok", "notFound", "empty", "partial"]).toContain(parsed.status)
      }
    })
})

interface IpIndex {
  readonly ip: string
  readonly registry: string
  readonly asn_data?: {
    readonly asn_country_code: string
    readonly asn: string
    readonly asn_cidr: string
  }
  readonly whois_file?: string
  readonly rdap_file?: string
}

const RIR_NAMES: Record<string, string> = {
  ripencc: "ripe",
  arin: "arin",
  apnic: "apnic",
  afrinic: "afrinic",
  lacnic: "lacnic",
}

const inCidrs = (
  ip: string,
  cidrs: ReadonlyArray<string>,
  range?: { start: string; end: string },
): boolean => {
  // Compare via the record's own range: start <= ip <= end, numerically.
  const toN = (s: string): bigint => {
    if (s.includes(":")) {
      const [h = "", t] = s.split("::")
      const hp = h === "" ? [] : h.split(":")
      const tp = t === undefined || t === "" ? [] : t.split(":")
      const g = [...hp, ...Array<string>(8 - hp.length - tp.length).fill("0"), ...tp]
      return g.reduce((a, x) => (a << 16n) | BigInt(parseInt(x, 16)), 0n)
    }
    return s.split(".").reduce((a, x) => (a << 8n) | BigInt(Number(x)), 0n)
  }
  if (range === undefined || cidrs.length === 0) return false
  const n = toN(ip)
  return toN(range.start) <= n && n <= toN(range.end)
}

describe("Whois.parseIp on the five RIRs (ipwhois index.json as truth)", () => {
  const index = (JSON.parse(read("ipwhois/index.json")) as Array<IpIndex>).filter(
    (e) => e.whois_file !== undefined,
  )
  it("covers all five RIRs", () => {
    expect(new Set(index.map((e) => e.registry))).toEqual(
      new Set(["arin", "ripencc", "apnic", "afrinic", "lacnic"]),
    )
  })
  it.each(index.map((e) => [e.registry, e.ip, e] as const))(
    "%s %s: registry, country, range, reverse name",
    (_r, ip, e) => {
      const p = Whois.parseIp(read(`ipwhois/${e.whois_file}`), ip)
      expect(p.status).toBe("ok")
      expect(p.record.rir).toBe(RIR_NAMES[e.registry])
      expect(p.record.country).toBe(e.asn_data?.asn_country_code)
      expect(inCidrs(ip, p.record.cidrs, p.record.range)).toBe(true)
      expect(p.record.reverseName).toBe(Either.getOrThrow(Whois.reverseName(ip)))
      expect(p.record.organization).toBeTruthy()
    },
  )

  it("reads ARIN's net, org and abuse contact", () => {
    const r = Whois.parseIp(
      read("ipwhois/ip-whois/arin-74.125.225.229.txt"),
      "74.125.225.229",
    ).record
    expect(r).toMatchObject({
      range: { start: "74.125.0.0", end: "74.125.255.255" },
      cidrs: ["74.125.0.0/16"],
      netName: "GOOGLE",
      handle: "NET-74-125-0-0-1",
      organization: "Google Inc.",
      parent: "NET-74-0-0-0-0",
      abuse: { email: "arin-contact@google.com", phone: "+1-650-253-0000" },
      reverseName: "229.225.125.74.in-addr.arpa",
    })
  })

  it("reads RIPE's abuse comment, organisation and route origin", () => {
    const r = Whois.parseIp(
      read("ipwhois/ip-whois/ripencc-62.239.237.1.txt"),
      "62.239.237.1",
    ).record
    expect(r).toMatchObject({
      netName: "BT-CORPORATE",
      rir: "ripe",
      country: "GB",
      abuse: { email: "protect@bt.com" },
      asn: 2856,
    })
  })

  it("splits a non-aligned range into CIDRs (AFRINIC)", () => {
    const r = Whois.parseIp(read("ipwhois/ip-whois/afrinic-196.11.240.215.txt")).record
    expect(r.cidrs).toEqual([
      "196.11.239.0/24",
      "196.11.240.0/22",
      "196.11.244.0/23",
      "196.11.246.0/24",
    ])
  })

  it("expands LACNIC's abbreviated prefixes", () => {
    const r = Whois.parseIp(read("ipwhois/ip-whois/lacnic-200.57.141.161.txt")).record
    expect(r).toMatchObject({
      range: { start: "200.57.128.0", end: "200.57.159.255" },
      cidrs: ["200.57.128.0/19"],
      rir: "lacnic",
    })
  })
})

describe("Whois.parseAsn", () => {
  interface AsnCase {
    readonly query: string
    readonly input: string
    readonly expected: string | null
  }
  const cases = JSON.parse(read("php-whois/asn_cases.json")) as Array<AsnCase>
  it.each(cases.filter((c) => c.expected !== null).map((c) => [c.input, c] as const))(
    "php-whois %s: AS number and route set",
    (_i, c) => {
      const asn = Number(c.query.replace(/^AS/, ""))
      const expected = JSON.parse(read(`php-whois/${c.expected}`)) as {
        asn: string
        routes: Array<{ route: string; route6: string }>
      }
      const r = Whois.parseAsn(read(`php-whois/${c.input}`), asn).record
      expect(`AS${r.asn}`).toBe(expected.asn)
      expect(new Set(r.routes)).toEqual(new Set(expected.routes.map((x) => x.route || x.route6)))
    },
  )

  it.each(cases.filter((c) => c.expected === null).map((c) => [c.input, c] as const))(
    "php-whois %s: no record means notFound",
    (_i, c) => {
      const r = Whois.parseAsn(read(`php-whois/${c.input}`), Number(c.query.replace(/^AS/, "")))
      expect(r.status).toBe("notFound")
      expect(r.record.routes).toEqual([])
    },
  )

  it.each(["AS15169", "AS2856", "AS3786", "AS37578", "AS2497", "AS19373"])(
    "RADB dump %s: origin AS and routes",
    (as) => {
      const r = Whois.parseAsn(read(`ipwhois/asn-radb/${as}.txt`), Number(as.slice(2)))
      expect(r.status).toBe("ok")
      expect(r.record.asn).toBe(Number(as.slice(2)))
      expect(r.record.routes.length).toBeGreaterThan(0)
    },
  )

  it("reads an RPSL aut-num with its organisation", () => {
    const raw = [
      "aut-num:        AS64500",
      "as-name:        EXAMPLE-AS",
      "org:            ORG-EX1-RIPE",
      "source:         RIPE",
      "",
      "organisation:   ORG-EX1-RIPE",
      "org-name:       Example Networks B.V.",
      "country:        NL",
      "source:         RIPE",
    ].join("\n")
    expect(Whois.parseAsn(raw).record).toMatchObject({
      asn: 64500,
      name: "EXAMPLE-AS",
      organization: "Example Networks B.V.",
      country: "NL",
      rir: "ripe",
    })
  })

  it("reads ARIN's ASNumber record", () => {
    const raw =
      "ASNumber:       15169\nASName:         GOOGLE\nASHandle:       AS15169\nOrganization:   Google LLC (GOGL)\n\nOrgName: Google LLC\nCountry:        US\n"
    expect(Whois.parseAsn(raw).record).toMatchObject({
      asn: 15169,
      name: "GOOGLE",
      organization: "Google LLC",
      country: "US",
      rir: "arin",
    })
  })
})

describe("Whois.findReferral on recorded referrals", () => {
  it.each([
    ["arin_referral_whois.txt", "whois.ripe.net:43"],
    ["arin_referral_apnic.txt", "whois.apnic.net"],
    ["afilias.bz.txt", "whois.belizenic.bz"],
    ["crsnic.com_referral.txt", "whois.godaddy.com"],
  ])("%s → %s", (file, server) => {
    expect(Whois.findReferral(read(`weppos/referrals/${file}`)).server).toBe(server)
  })

  it("does not follow rwhois, and finds nothing where nothing is given", () => {
    expect(Whois.findReferral(read("weppos/referrals/arin_referral_rwhois.txt"))).toEqual({
      unsupported: "rwhois://rwhois.servernap.net:4321",
      via: "arin",
    })
    expect(
      Whois.findReferral(read("weppos/referrals/arin_referral_missing.txt")).server,
    ).toBeUndefined()
    expect(
      Whois.findReferral(read("weppos/referrals/crsnic.com_referral_not_defined.txt")).server,
    ).toBeUndefined()
  })

  it("picks the queried name's block when a thin registry lists several matches", () => {
    const raw = read("weppos/referrals/crsnic.com_referral_multiple.txt")
    const names = [
      ...raw.matchAll(/Domain Name:\s*(\S+)\s*\n\s*Registrar:.*\n\s*Whois Server:\s*(\S+)/g),
    ]
    const target = names[names.length - 1]
    expect(target).toBeDefined()
    expect(Whois.findReferral(raw, target?.[1]?.toLowerCase()).server).toBe(
      target?.[2]?.toLowerCase(),
    )
  })

  it("reads IANA's refer: and whois: lines", () => {
    expect(Whois.findReferral(read("likexian/noterror/com_com")).server).toBe(
      "whois.verisign-grs.com",
    )
    expect(Whois.findReferral(read("richardpenman/whois/nic.live")).server).toBe("whois.nic.live")
  })
})

describe("Whois.query against local replay servers", () => {
  let iana: Replay
  let verisign: Replay
  let markmonitor: Replay
  let arin: Replay
  let ripe: Replay
  let silent: Replay
  let loopA: Replay
  let loopB: Replay
  const servers = (): Record<string, string> => ({
    "whois.verisign-grs.com": verisign.address,
    "whois.markmonitor.com": markmonitor.address,
    "whois.arin.net": arin.address,
    "whois.ripe.net": ripe.address,
  })

  beforeAll(async () => {
    const ianaCom = read("likexian/noterror/com_com")
    iana = await replayServer((q) =>
      q.endsWith(".com") ? ianaCom : "% This query returned 0 objects.\n",
    )
    const registry = read("weppos/responses/whois.verisign-grs.com/com/status_registered.txt")
    const noMatch = read("weppos/responses/whois.verisign-grs.com/com/status_available.txt")
    verisign = await replayServer((q) => (q === "google.com" ? registry : noMatch))
    const registrar = read("weppos/responses/whois.markmonitor.com/status_registered.txt")
    markmonitor = await replayServer((q) => (q === "google.com" ? registrar : "No match\n"))
    const arinAnswer = read("weppos/referrals/arin_referral_whois.txt")
    const arinGoogle = read("ipwhois/ip-whois/arin-74.125.225.229.txt")
    arin = await replayServer((q) =>
      q === "n + 130.66.76.222"
        ? arinAnswer
        : q === "n + 74.125.225.229"
          ? arinGoogle
          : "No match found\n",
    )
    const ripeAnswer = read("weppos/referrals/arin_referral_ripe.txt")
    ripe = await replayServer((q) =>
      q === "130.66.76.222" ? ripeAnswer : "%ERROR:101: no entries found\n",
    )
    silent = await replayServer(() => undefined)
    loopA = await replayServer(() => `refer: 127.0.0.1:${loopB.port}\n`)
    loopB = await replayServer(() => `refer: 127.0.0.1:${loopA.port}\n`)
  })
  afterAll(async () => {
    for (const s of [iana, verisign, markmonitor, arin, ripe, silent, loopA, loopB]) await s.close()
  })

  it("follows IANA → registry → registrar and merges the answers", async () => {
    const r = await run(Whois.query("GOOGLE.com", { ianaServer: iana.address, servers: servers() }))
    const v = Either.getOrThrow(r)
    expect(v.chain.map((s) => s.server)).toEqual([
      "127.0.0.1:" + iana.port,
      "whois.verisign-grs.com:43",
      "whois.markmonitor.com:43",
    ])
    expect(v.chain.map((s) => s.address)).toEqual([
      undefined,
      verisign.address,
      markmonitor.address,
    ])
    expect(v.chain[0]?.referral).toBe("whois.verisign-grs.com")
    expect(iana.queries.at(-1)).toBe("google.com")
    expect(v.source).toBe("whois")
    expect(v.record).toMatchObject({
      kind: "domain",
      domain: "google.com",
      registrar: "MarkMonitor Inc.",
      created: "1997-09-15T04:00:00Z",
      expires: "2020-09-14T04:00:00Z",
      abuse: { email: "compliance@markmonitor.com" },
      registrant: { organization: "Google Inc.", country: "US" },
    })
    expect(v.raw).toContain("MarkMonitor")
  })

  it("does not pass IANA's TLD record off as the domain's when no registry is named", async () => {
    const v = Either.getOrThrow(
      await run(Whois.query("example.invalid", { ianaServer: iana.address })),
    )
    expect(v.chain).toHaveLength(1)
    expect(v.status).toBe("notFound")
    expect(v.record).toMatchObject({
      kind: "domain",
      domain: "example.invalid",
      available: false,
      nameServers: [],
    })
  })

  it("reports available when the registry has no match", async () => {
    const v = Either.getOrThrow(
      await run(Whois.query("u34jedzcq.com", { ianaServer: iana.address, servers: servers() })),
    )
    expect(v.record).toMatchObject({ kind: "domain", available: true })
    expect(v.status).toBe("notFound")
    expect(v.chain).toHaveLength(2)
  })

  it("follows ARIN's ReferralServer to RIPE, asking ARIN with `n +`", async () => {
    const v = Either.getOrThrow(await run(Whois.query("130.66.76.222", { servers: servers() })))
    expect(arin.queries).toContain("n + 130.66.76.222")
    expect(ripe.queries).toContain("130.66.76.222")
    expect(v.chain.map((s) => s.server)).toEqual(["whois.arin.net:43", "whois.ripe.net:43"])
    expect(v.record).toMatchObject({
      kind: "ip",
      rir: "ripe",
      netName: "BOUYGTEL-ISP-CABLE",
      country: "FR",
    })
  })

  it("goes straight to the RIR the bootstrap names, ARIN for 74.125/16", async () => {
    const v = Either.getOrThrow(await run(Whois.query("74.125.225.229", { servers: servers() })))
    expect(v.chain).toHaveLength(1)
    expect(v.record).toMatchObject({
      kind: "ip",
      rir: "arin",
      netName: "GOOGLE",
      reverseName: "229.225.125.74.in-addr.arpa",
    })
  })

  it("uses `a +` for AS numbers at ARIN and `AS…` elsewhere", async () => {
    await run(Whois.query("AS15169", { server: `127.0.0.1:${arin.port}`, servers: servers() }))
    expect(arin.queries.at(-1)).toBe("AS15169")
    // Named ARIN (through the override) gets ARIN syntax.
    await run(Whois.query("15169", { servers: { ...servers() } }))
    expect(arin.queries.at(-1)).toBe("a + 15169")
  })

  it("sends AS numbers and IPv6 addresses to the RIR the bootstrap names, in its syntax", async () => {
    const before = ripe.queries.length
    await run(Whois.query("AS2856", { servers: servers() }))
    await run(Whois.query("2a00:2381:ffff::1", { servers: servers() }))
    expect(ripe.queries.slice(before)).toEqual(["AS2856", "2a00:2381:ffff::1"])
  })

  it("sends IDN domains as punycode", async () => {
    const idn = await replayServer(() => "No match\n")
    await run(Whois.query("bücher.de", { server: idn.address }))
    await idn.close()
    expect(idn.queries).toEqual(["xn--bcher-kva.de"])
  })

  it("serves lookups through the WhoisClient layer", async () => {
    const program = Effect.flatMap(Whois.WhoisClient, (c) => c.lookup("74.125.225.229"))
    const v = Either.getOrThrow(
      await run(Effect.provide(program, Whois.layer({ rdap: false, servers: servers() }))),
    )
    expect(v.record).toMatchObject({ kind: "ip", netName: "GOOGLE" })
  })

  it("stops on a referral loop", async () => {
    const v = Either.getOrThrow(await run(Whois.query("example.com", { server: loopA.address })))
    expect(v.chain.map((s) => s.server)).toEqual([loopA.address, loopB.address])
  })

  it("honours maxDepth", async () => {
    const v = Either.getOrThrow(
      await run(
        Whois.query("google.com", { ianaServer: iana.address, servers: servers(), maxDepth: 2 }),
      ),
    )
    expect(v.chain).toHaveLength(2)
  })

  it("times out on a silent server", async () => {
    const r = await run(
      Whois.query("example.com", { server: silent.address, timeout: "200 millis" }),
    )
    expect(Either.isLeft(r) && r.left.reason).toBe("Timeout")
  })

  it("fails with Network on a refused connection", async () => {
    const closed = await replayServer(() => "")
    await closed.close()
    const r = await run(Whois.query("example.com", { server: closed.address }))
    expect(Either.isLeft(r) && r.left.reason).toBe("Network")
  })

  it("caps the answer size", async () => {
    const big = await replayServer(() => "x".repeat(200_000))
    const r = await run(Whois.query("example.com", { server: big.address, maxBytes: 10_000 }))
    await big.close()
    expect(Either.isLeft(r) && r.left.reason).toBe("OutputTooLarge")
  })

  it("decodes UTF-8, and latin1 when the bytes are not UTF-8", async () => {
    const text = "Domain Name: example.de\nRegistrant Organization: Müller Straße GmbH\n"
    const utf8 = await replayServer(() => Buffer.from(text, "utf8"))
    const latin1 = await replayServer(() => Buffer.from(text, "latin1"))
    const a = Either.getOrThrow(await run(Whois.query("example.de", { server: utf8.address })))
    const b = Either.getOrThrow(await run(Whois.query("example.de", { server: latin1.address })))
    await utf8.close()
    await latin1.close()
    expect(a.chain[0]?.charset).toBe("utf-8")
    expect(b.chain[0]?.charset).toBe("latin1")
    expect(a.raw).toBe(text)
    expect(b.raw).toBe(text)
  })

  it("sends DENIC's -T dn,ace and JPRS's /e itself, never the user's flags", async () => {
    const denic = await replayServer(() =>
      read("weppos/responses/whois.denic.de/de/status_registered.txt"),
    )
    const v = Either.getOrThrow(
      await run(
        Whois.query("google.de", {
          server: "whois.denic.de",
          servers: { "whois.denic.de": denic.address },
        }),
      ),
    )
    expect(denic.queries).toEqual(["-T dn,ace google.de"])
    expect(v.record).toMatchObject({
      kind: "domain",
      nameServers: ["ns1.google.com", "ns2.google.com", "ns3.google.com", "ns4.google.com"],
    })
    await denic.close()
    const r = await run(Whois.query("-T dn,ace google.de", { server: "whois.denic.de" }))
    expect(Either.isLeft(r) && r.left.reason).toBe("InvalidInput")
  })

  it("rejects a malformed server option", async () => {
    const r = await run(Whois.query("example.com", { server: "bad host:99999" }))
    expect(Either.isLeft(r) && r.left).toMatchObject({ reason: "InvalidInput", field: "server" })
  })
})
