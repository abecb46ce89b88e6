import { readdirSync, readFileSync } from "node:fs"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { Effect, Either } from "effect"
import { describe, expect, it, vi } from "vitest"
import * as Dns from "../src/Dns.js"
import * as Exec from "../src/internal/exec/Exec.js"

const here = path.dirname(fileURLToPath(import.meta.url))
const dir = path.join(here, "fixtures/dns")
const read = (p: string) => readFileSync(path.join(dir, p), "utf8")

interface JcRecord {
  name: string
  class: string
  type: string
  ttl: number
  data: string
}
interface JcMessage {
  id?: number
  opcode?: string
  status?: string
  flags?: Array<string>
  query_num?: number
  answer_num?: number
  authority_num?: number
  additional_num?: number
  opt_pseudosection?: {
    edns?: { version: number; flags: Array<string>; udp: number }
    cookie?: string
    nsid?: string
  }
  question?: { name: string; class: string; type: string }
  answer?: Array<JcRecord>
  axfr?: Array<JcRecord>
  authority?: Array<JcRecord>
  additional?: Array<JcRecord>
  query_time?: number
  server?: string
  when?: string
  rcvd?: number
  size?: string
}

// jc drops the quotes of a TXT record's single string in sections (not in AXFR); we keep dig's
// text (and split the strings in `fields`), so both sides are compared without those quotes.
const unquoted = (type: string, data: string) =>
  type === "TXT" && /^"[^"]*"$/.test(data) ? data.slice(1, -1) : data
const mine = (r: Dns.Record) => ({
  name: r.name,
  class: r.class,
  type: r.type,
  ttl: r.ttl,
  data: unquoted(r.type, r.data),
})
const theirs = (r: JcRecord) => ({ ...r, data: unquoted(r.type, r.data) })

const jcFiles = readdirSync(dir).filter((f) => f.startsWith("jc-") && f.endsWith(".out"))

describe("Dns.parse on jc's dig fixtures (MIT)", () => {
  it("covers every fixture", () => expect(jcFiles.length).toBe(16))

  it.each(jcFiles)("%s matches jc's header, sections and footer", (file) => {
    const expected = JSON.parse(read(file.replace(/\.out$/, ".json"))) as Array<JcMessage>
    const r = Dns.parse(read(file))
    expect(r.messages).toHaveLength(expected.length)
    r.messages.forEach((m, i) => {
      const e = expected[i]!
      expect(m.id).toBe(e.id)
      expect(m.opcode).toBe(e.opcode)
      expect(m.rcode).toBe(e.status)
      expect(m.flags).toEqual(e.flags ?? [])
      if (e.query_num !== undefined)
        expect(m.counts).toEqual({
          query: e.query_num,
          answer: e.answer_num,
          authority: e.authority_num,
          additional: e.additional_num,
        })
      expect(m.question).toEqual(e.question)
      expect(m.answer.map(mine)).toEqual((e.answer ?? e.axfr ?? []).map(theirs))
      expect(m.authority.map(mine)).toEqual((e.authority ?? []).map(theirs))
      expect(m.additional.map(mine)).toEqual((e.additional ?? []).map(theirs))
      expect(m.queryTimeMs).toBe(e.query_time)
      expect(m.server).toBe(e.server)
      expect(m.when).toBe(e.when)
      expect(m.messageSize).toBe(e.rcvd)
      if (e.size !== undefined) expect(m.xfrSize).toBe(e.size)
      const opt = e.opt_pseudosection
      if (opt?.edns) {
        expect(m.edns).toMatchObject({
          version: opt.edns.version,
          flags: opt.edns.flags,
          udp: opt.edns.udp,
        })
      }
      if (opt?.cookie) expect(m.edns?.cookie).toBe(opt.cookie)
      if (opt?.nsid) expect(m.edns?.nsid).toBe(opt.nsid)
    })
    expect(r.status).toBe(expected.at(-1)?.status ?? "NOERROR")
  })
})

interface GpAnswer {
  name: string
  type: string
  ttl: number
  class: string
  value: string
}
interface GpResult {
  status: "finished" | "failed"
  statusCodeName?: string | null
  answers?: Array<GpAnswer>
  hops?: Array<{ answers: Array<GpAnswer>; timings: { total: number }; resolver: string }>
}

const gpFiles = readdirSync(dir).filter(
  (f) =>
    f.startsWith("globalping-") &&
    f.endsWith(".txt") &&
    !f.includes("dig-trace") &&
    // Globalping refuses these for policy (private address in the answer), not parsing.
    !f.includes("invalid-hostname"),
)

describe("Dns.parse on Globalping's dig recordings (ISC)", () => {
  it.each(gpFiles)("%s: status and records match", (file) => {
    const expected = (JSON.parse(read(file.replace(/\.txt$/, ".json"))) as { result: GpResult })
      .result
    const r = Dns.parse(read(file))
    const ours = (rs: ReadonlyArray<Dns.Record>) =>
      rs.map((a) => ({ name: a.name, type: a.type, ttl: a.ttl, class: a.class, value: a.data }))
    if (expected.hops !== undefined) {
      expect(r.trace.map((s) => ours(s.records))).toEqual(expected.hops.map((h) => h.answers))
      expect(r.trace.map((s) => s.timeMs)).toEqual(expected.hops.map((h) => h.timings.total))
      expect(r.trace.map((s) => s.fromName ?? s.fromAddress)).toEqual(
        expected.hops.map((h) => h.resolver),
      )
    } else if (expected.status === "finished") {
      expect(r.status).toBe(expected.statusCodeName)
      expect(ours(r.messages.at(-1)?.answer ?? [])).toEqual(expected.answers)
    } else {
      expect(r.messages).toEqual([])
      expect(["connection-refused", "resolver-error", "bad-packet", "timeout"]).toContain(r.status)
    }
  })

  it("names the failure: refused, unknown resolver, bad packet", () => {
    expect(Dns.parse(read("globalping-dns-connection-refused-error-linux.txt")).status).toBe(
      "connection-refused",
    )
    expect(Dns.parse(read("globalping-dns-resolver-error-linux.txt")).status).toBe("resolver-error")
    const bad = Dns.parse(read("globalping-dns-client-formerr.txt"))
    expect(bad.status).toBe("bad-packet")
    expect(bad.unparsedLines).toEqual([]) // the hex dump is part of the error, not junk
  })

  it("reads a long +trace with DS/RRSIG/NSEC3 records into delegation steps", () => {
    const r = Dns.parse(read("globalping-dig-trace.success.txt"))
    expect(r.status).toBe("NOERROR")
    expect(r.trace.length).toBeGreaterThanOrEqual(4)
    for (const s of r.trace) expect(s.bytes).toBeGreaterThan(0)
    expect(r.unparsedLines).toEqual([])
  })

  it("notes the truncation retry", () => {
    expect(Dns.parse(read("globalping-dns-success-linux.txt")).notes).toEqual([
      "Truncated, retrying in TCP mode.",
    ])
  })
})

describe("Dns.parse on this machine's dig 9.18 recordings (local test server)", () => {
  it("MX data is structured", () => {
    const r = Dns.parse(read("local-mx.txt"))
    expect(r.status).toBe("NOERROR")
    const m = r.messages[0]!
    expect(m.answer.map((a) => a.fields)).toEqual([
      { type: "MX", preference: 10, exchange: "mail.netwark.test." },
      { type: "MX", preference: 20, exchange: "backup.netwark.test." },
    ])
    expect(m).toMatchObject({
      serverAddress: "127.0.0.1",
      serverPort: 5353,
      transport: "UDP",
      flags: ["qr", "aa", "rd", "ra"],
    })
    expect(m.edns).toMatchObject({ version: 0, udp: 1232, flags: [] })
  })

  it("SRV, SOA, TXT, CAA data are structured", () => {
    expect(Dns.parse(read("local-srv.txt")).messages[0]?.answer[0]?.fields).toEqual({
      type: "SRV",
      priority: 10,
      weight: 60,
      port: 5060,
      target: "sip.netwark.test.",
    })
    expect(Dns.parse(read("local-soa.txt")).messages[0]?.answer[0]?.fields).toEqual({
      type: "SOA",
      mname: "ns1.netwark.test.",
      rname: "hostmaster.netwark.test.",
      serial: 2026112601,
      refresh: 7200,
      retry: 900,
      expire: 1209600,
      minimum: 300,
    })
    expect(
      Dns.parse(read("local-txt.txt")).messages[0]?.answer.map((a) =>
        a.fields?.type === "TXT" ? a.fields.strings : [],
      ),
    ).toEqual([["v=spf1 -all"], ["two strings", "in one record"]])
    expect(Dns.parse(read("local-caa.txt")).messages[0]?.answer[0]?.fields).toEqual({
      type: "CAA",
      flags: 0,
      tag: "issue",
      value: "letsencrypt.org",
    })
  })

  it("rcodes and failures", () => {
    expect(Dns.parse(read("local-nxdomain.txt")).status).toBe("NXDOMAIN")
    expect(Dns.parse(read("local-nxdomain.txt")).messages[0]?.authority[0]?.type).toBe("SOA")
    expect(Dns.parse(read("local-servfail.txt")).status).toBe("SERVFAIL")
    expect(Dns.parse(read("local-refused.txt")).status).toBe("REFUSED")
    expect(Dns.parse(read("local-timeout.txt")).status).toBe("timeout")
    expect(Dns.parse(read("local-refused-port.txt")).status).toBe("connection-refused")
  })

  it("TCP, PTR, CNAME, AAAA, ANY", () => {
    expect(Dns.parse(read("local-a-tcp.txt")).messages[0]?.transport).toBe("TCP")
    expect(Dns.parse(read("local-ptr.txt")).messages[0]?.answer[0]).toMatchObject({
      name: "10.2.0.192.in-addr.arpa.",
      type: "PTR",
      data: "www.netwark.test.",
    })
    expect(Dns.parse(read("local-cname.txt")).messages[0]?.answer[0]?.type).toBe("CNAME")
    expect(Dns.parse(read("local-aaaa.txt")).messages[0]?.answer[0]?.data).toBe("2001:db8::10")
    expect(Dns.parse(read("local-any.txt")).messages[0]?.answer.length).toBeGreaterThan(4)
  })

  it("+trace: each delegation step with its server and time", () => {
    const r = Dns.parse(read("local-trace.txt"))
    expect(
      r.trace.map((s) => [s.records.map((x) => `${x.name} ${x.type}`), s.fromAddress]),
    ).toEqual([
      [[". NS"], "127.0.0.1"],
      [["test. NS"], "127.0.0.1"],
      [["netwark.test. NS"], "127.0.0.2"],
      [["www.netwark.test. A", "www.netwark.test. A"], "127.0.0.3"],
    ])
  })

  it("+trace: an error dig retried past is not the outcome; one after the last step is", () => {
    const steps = read("local-trace.txt").split("\n")
    const at = steps.findIndex((l) => l.startsWith(";; Received")) + 1
    const retried = [
      ...steps.slice(0, at),
      ";; communications error to 127.0.0.9#53: timed out",
      ...steps.slice(at),
    ]
    expect(Dns.parse(retried.join("\n")).status).toBe("NOERROR")
    const failed = [
      ...steps.slice(0, at),
      ";; communications error to 127.0.0.9#53: timed out",
      ";; no servers could be reached",
    ]
    expect(Dns.parse(failed.join("\n")).status).toBe("timeout")
  })

  it("never throws on garbage", () => {
    for (const junk of ["", ";", ";; ->>HEADER<<-", "x 1 IN", "\u0000\n;; SERVER:", "a b c d e"]) {
      const r = Dns.parse(junk)
      expect(r.raw).toBe(junk)
      expect(typeof r.status).toBe("string")
    }
  })
})

describe("Dns.argv", () => {
  it("puts the name after -q and the resolver first", () => {
    expect(
      Either.getOrThrow(
        Dns.argv("example.com", { type: "MX", server: "127.0.0.1", port: 5353, tcp: true }),
      ),
    ).toEqual([
      "@127.0.0.1",
      "-p",
      "5353",
      "-t",
      "MX",
      "-c",
      "IN",
      "-q",
      "example.com",
      "+time=5",
      "+tries=2",
      "+tcp",
      "+nocookie",
    ])
  })

  it("reverse lookups use -x; IDN names become punycode; +trace and +dnssec", () => {
    expect(Either.getOrThrow(Dns.argv("2001:db8::1", { reverse: true }))).toContain("-x")
    expect(Either.getOrThrow(Dns.argv("bücher.example"))).toContain("xn--bcher-kva.example")
    const t = Either.getOrThrow(Dns.argv("_sip._tcp.example.com", { trace: true, dnssec: true }))
    expect(t).toEqual(expect.arrayContaining(["+trace", "+dnssec", "_sip._tcp.example.com"]))
  })
})

describe("Dns hostile inputs: a clear error and no process spawned", () => {
  const cases: ReadonlyArray<[string, string, Dns.Options, string, string]> = [
    ["option injection", "-f/etc/passwd", {}, "query", "could be read as an option"],
    ["dig plus option", "+vc", {}, "query", "invalid target"],
    ["at-server in name", "@8.8.8.8", {}, "query", "invalid target"],
    ["shell metacharacters", "a.com;id", {}, "query", "invalid target"],
    ["newline", "a.com\n-x", {}, "query", "control character"],
    ["overlong", `${"a".repeat(63)}.`.repeat(5), {}, "query", "253"],
    ["bad type", "example.com", { type: "AXFR" as never }, "type", "must be one of"],
    ["bad class", "example.com", { class: "XX" as never }, "class", "must be one of IN, CH, HS"],
    ["server name", "example.com", { server: "dns.google" }, "server", "IPv4 or IPv6 address"],
    ["server injection", "example.com", { server: "-b0.0.0.0" }, "server", "IPv4 or IPv6"],
    ["bad port", "example.com", { port: 65536 }, "port", "from 1 to 65535"],
    ["tries", "example.com", { tries: 9 }, "tries", "from 1 to 5"],
    ["try timeout", "example.com", { tryTimeout: "2 minutes" }, "tryTimeout", "30 s"],
    ["reverse of a name", "example.com", { reverse: true }, "query", "needs an IP address"],
    [
      "version mismatch",
      "example.com",
      { server: "::1", ipVersion: 4 },
      "ipVersion",
      "does not match",
    ],
  ]

  it.each(cases)("%s", async (_name, query, options, field, message) => {
    const spy = vi.spyOn(Exec, "stream")
    const r = await Effect.runPromise(Effect.either(Dns.run(query, options)))
    expect(Either.isLeft(r)).toBe(true)
    if (Either.isLeft(r)) {
      expect(r.left.field).toBe(field)
      expect(r.left.reason).toBe(field === "query" ? "InvalidTarget" : "InvalidInput")
      expect(r.left.message).toContain(message)
    }
    expect(spy).not.toHaveBeenCalled()
    spy.mockRestore()
  })
})

describe("Dns.check", () => {
  it("refuses exactly what argv refuses, with the same field, and resolves the options", () => {
    const cases: ReadonlyArray<[string, Dns.Options]> = [
      ["example.com", { reverse: true }],
      ["-x", {}],
      ["example.com", { tries: 99 }],
      ["192.0.2.1", { reverse: true }],
      ["example.com", {}],
    ]
    for (const [query, options] of cases) {
      const checked = Dns.check(query, options)
      const built = Dns.argv(query, options)
      expect(Either.isLeft(checked)).toBe(Either.isLeft(built))
      if (Either.isLeft(checked) && Either.isLeft(built))
        expect(checked.left.field).toBe(built.left.field)
    }
    expect(Either.getOrThrow(Dns.check("192.0.2.1", { reverse: true })).reverse).toBe(true)
  })
})

describe("Dns policy on the resolver", () => {
  it("refuses a denied server before spawning", async () => {
    const spy = vi.spyOn(Exec, "stream")
    const r = await Effect.runPromise(
      Effect.either(
        Dns.run("example.com", { server: "192.0.2.53", policy: { allow: ["127.0.0.0/8"] } }),
      ),
    )
    expect(Either.isLeft(r) && r.left.reason).toBe("PolicyDenied")
    expect(spy).not.toHaveBeenCalled()
    spy.mockRestore()
  })
})

describe("Dns without its binary", () => {
  it("fails with NotInstalled naming the Debian package", async () => {
    const path = process.env["PATH"]
    process.env["PATH"] = "/nonexistent"
    try {
      const r = await Effect.runPromise(
        Effect.either(Dns.run("example.com", { server: "127.0.0.1" })),
      )
      expect(Either.isLeft(r) && r.left.reason).toBe("NotInstalled")
      expect(Either.isLeft(r) && r.left.message).toContain("bind9-dnsutils")
    } finally {
      process.env["PATH"] = path
    }
  })
})
