import { Effect, Either } from "effect"
import { describe, expect, it } from "vitest"
import * as Options from "../src/internal/options/Options.js"
import * as Target from "../src/Target.js"

const ok = (input: string) => {
  const r = Target.parse(input)
  if (Either.isLeft(r)) throw new Error(r.left.message)
  return r.right
}
const bad = (input: string) => {
  const r = Target.parse(input)
  if (Either.isRight(r)) throw new Error(`accepted ${JSON.stringify(input)}`)
  expect(r.left.reason).toBe("InvalidTarget")
  expect(r.left.field).toBe("target")
  return r.left.message
}

describe("Target.parse", () => {
  it.each([
    ["127.0.0.1", { kind: "ip", address: "127.0.0.1", version: 4 }],
    ["::1", { kind: "ip", address: "::1", version: 6 }],
    ["2001:DB8:0:0:0:0:0:1", { kind: "ip", address: "2001:db8::1", version: 6 }],
    ["2001:db8:0:0:1:0:0:1", { kind: "ip", address: "2001:db8::1:0:0:1", version: 6 }],
    ["::ffff:192.0.2.1", { kind: "ip", address: "::ffff:192.0.2.1", version: 6 }],
    ["Example.COM.", { kind: "hostname", name: "example.com", unicode: "example.com" }],
    [
      "bücher.example",
      { kind: "hostname", name: "xn--bcher-kva.example", unicode: "bücher.example" },
    ],
    [
      "_sip._tcp.example.com",
      { kind: "hostname", name: "_sip._tcp.example.com", unicode: "_sip._tcp.example.com" },
    ],
    ["localhost", { kind: "hostname", name: "localhost", unicode: "localhost" }],
    ["[::1]", { kind: "ip", address: "::1", version: 6 }],
    ["[2001:DB8::1]", { kind: "ip", address: "2001:db8::1", version: 6 }],
  ])("accepts %s", (input, expected) => {
    expect(ok(input)).toEqual(expected)
  })

  it.each([
    ["-f", "could be read as an option"],
    ["--help", "could be read as an option"],
    [";rm -rf /", "whitespace"],
    ["a;b", "not allowed"],
    ["$(id)", "not allowed"],
    ["`id`", "not allowed"],
    ["host\nname", "control character"],
    ["host\u0000", "control character"],
    ["", "empty"],
    ["a..b", "empty label"],
    ["a.-b.com", "not start or end with '-'"],
    [`${"a".repeat(64)}.com`, "limit is 63"],
    [Array.from({ length: 40 }, () => "abcdefg").join("."), "limit is 253"],
    ["xn--zz.com", "not valid punycode"],
    ["127.1", "not a valid IPv4"],
    ["256.1.1.1", "not a valid IPv4"],
    ["0x7f.1", "non-standard form"],
    ["１２７.０.０.１", "non-standard form"],
    ["host.123", "host name"],
    ["fe80::1%eth0", "zone ids"],
    ["1::2::3", "not a valid IPv6"],
    ["http://x", "a URL, not a host name or address: give x"],
    // pasted from a browser or a config file: the refusal names what to type instead
    ["http://127.0.0.1/", "a URL, not a host name or address: give 127.0.0.1"],
    ["https://[::1]:8443/x?y", "a URL, not a host name or address: give ::1"],
    ["https://Bücher.example/", "a URL, not a host name or address: give xn--bcher-kva.example"],
    ["127.0.0.1:80", "a port is not part of the target: give 127.0.0.1"],
    ["example.com:443", "a port is not part of the target: give example.com"],
    ["[::1]:80", "a port is not part of the target: give ::1"],
    ["[::1", "not a valid IPv6"],
    ["[1.2.3.4]", "not a valid IPv6"],
    ["host:http", "a single ':'"],
  ])("refuses %j", (input, why) => {
    expect(bad(input)).toContain(why)
  })

  it("suggests a host only when that host is a valid target itself", () => {
    expect(bad("ftp://-x/")).toMatch(/a URL, not a host name or address$/)
    expect(bad("a;b:80")).toMatch(/a port is not part of the target$/)
  })
})

const resolver =
  (table: Record<string, ReadonlyArray<string>>): Target.Resolver =>
  async (name) => {
    const found = table[name]
    if (found === undefined)
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: "ENOTFOUND" })
    return found.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }))
  }

const check = (
  policy: Target.Policy,
  input: string,
  table: Record<string, ReadonlyArray<string>> = {},
) => Effect.runPromise(Effect.either(Target.check(policy, ok(input), { resolve: resolver(table) })))

describe("Target.check", () => {
  const hosts = { "db.corp.example": ["10.1.2.3", "fd12::3"], "web.example": ["192.0.2.10"] }

  it("allows everything by default, private ranges included, and returns every address", async () => {
    const r = await check({}, "db.corp.example", hosts)
    expect(r).toEqual(
      Either.right({ target: ok("db.corp.example"), addresses: ["10.1.2.3", "fd12::3"] }),
    )
  })

  it("denies by CIDR after resolution, naming the rule", async () => {
    const r = await check({ deny: ["fd00::/8"] }, "db.corp.example", hosts)
    expect(Either.isLeft(r) && r.left).toMatchObject({ reason: "PolicyDenied" })
    expect(Either.isLeft(r) && r.left.message).toContain("fd12::3 matches deny rule fd00::/8")
  })

  it("denies by name and *.suffix before allow", async () => {
    const r = await check(
      { deny: ["*.corp.example"], allow: ["0.0.0.0/0", "::/0"] },
      "db.corp.example",
      hosts,
    )
    expect(Either.isLeft(r) && r.left.message).toContain("deny rule *.corp.example")
    expect(Either.isRight(await check({ deny: ["*.corp.example"] }, "web.example", hosts))).toBe(
      true,
    )
  })

  it("with an allow list, every address must be allowed (or the name)", async () => {
    expect(
      Either.isRight(await check({ allow: ["10.0.0.0/8", "fd00::/8"] }, "db.corp.example", hosts)),
    ).toBe(true)
    const partial = await check({ allow: ["10.0.0.0/8"] }, "db.corp.example", hosts)
    expect(Either.isLeft(partial) && partial.left.message).toContain(
      "fd12::3 matches no allow rule",
    )
    expect(
      Either.isRight(await check({ allow: ["db.corp.example"] }, "db.corp.example", hosts)),
    ).toBe(true)
    expect(Either.isRight(await check({ allow: ["192.0.2.0/24"] }, "192.0.2.77"))).toBe(true)
    expect(Either.isLeft(await check({ allow: ["192.0.2.0/25"] }, "192.0.2.177"))).toBe(true)
  })

  it("matches IPv4-mapped IPv6 addresses against IPv4 rules", async () => {
    const r = await check({ deny: ["127.0.0.0/8"] }, "::ffff:127.0.0.1")
    expect(Either.isLeft(r) && r.left.reason).toBe("PolicyDenied")
  })

  it("reports an unknown host as UnknownHost", async () => {
    const r = await check({}, "nothing.invalid", hosts)
    expect(Either.isLeft(r) && r.left).toMatchObject({
      reason: "UnknownHost",
      message: "unknown host nothing.invalid",
    })
  })

  it("refuses a malformed policy rule as InvalidInput", async () => {
    const r = await check({ deny: ["10.0.0.0/33"] }, "10.0.0.1")
    expect(Either.isLeft(r) && r.left).toMatchObject({
      reason: "InvalidInput",
      field: "policy.deny",
    })
  })
})

describe("Options", () => {
  it("names the field and the allowed range", () => {
    const r = Options.int("count", 500, 1, 100)
    expect(Either.isLeft(r) && r.left.message).toBe(
      "count must be an integer from 1 to 100 (got 500)",
    )
    expect(Either.isLeft(r) && r.left.field).toBe("count")
    expect(Options.int("count", 1.5, 1, 100)._tag).toBe("Left")
    expect(Options.int("count", 3, 1, 100)).toEqual(Either.right(3))
    expect(Options.number("x", Number.NaN, 0, 1)._tag).toBe("Left")
    expect(Options.oneOf("version", 5, [4, 6] as const)._tag).toBe("Left")
    const d = Options.duration("interval", "10 millis", "200 millis", "60 seconds")
    expect(Either.isLeft(d) && d.left.message).toBe(
      "interval must be from 0.2 s to 60 s (got 0.01 s)",
    )
  })

  it.each(["", "a".repeat(16), "-eth0", "eth 0", "a/b", "a:1", ".", "$(id)", "é"])(
    "refuses interface name %j",
    (name) => {
      expect(Options.interfaceName("interface", name)._tag).toBe("Left")
    },
  )

  it("accepts ordinary interface names", () => {
    for (const n of ["eth0", "lo", "wlp3s0", "br-lan", "veth1.100"])
      expect(Options.interfaceName("interface", n)).toEqual(Either.right(n))
  })
})

describe("canonical IPv6 text (RFC 5952)", () => {
  it.each([
    ["0:0:0:0:0:0:0:0", "::"],
    ["2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"],
    ["1:0:0:1:0:0:0:1", "1:0:0:1::1"],
    ["2001:0DB8:0000:0000:0001:0000:0000:0001", "2001:db8::1:0:0:1"],
    ["fe80::", "fe80::"],
    ["::ffff:10.0.0.1", "::ffff:10.0.0.1"],
    ["64:ff9b::192.0.2.33", "64:ff9b::c000:221"],
  ])("%s → %s", (input, canonical) => {
    expect(ok(input)).toEqual({ kind: "ip", address: canonical, version: 6 })
  })
})

describe("CIDR rules", () => {
  it.each([
    ["10.0.0.0/9", "10.127.255.255", true],
    ["10.0.0.0/9", "10.128.0.0", false],
    ["0.0.0.0/0", "203.0.113.9", true],
    ["::/0", "2001:db8::1", true],
    ["2001:db8::/33", "2001:db8:7fff::1", true],
    ["2001:db8::/33", "2001:db8:8000::1", false],
    ["192.0.2.7", "192.0.2.7", true],
    ["192.0.2.7", "192.0.2.8", false],
  ])("%s contains %s: %s", async (rule, address, inside) => {
    const r = await check({ deny: [rule] }, address)
    expect(Either.isLeft(r)).toBe(inside)
  })
})
