import { isIPv4, isIPv6 } from "node:net"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as Ip from "../src/internal/ip/address.js"

const node = (s: string): boolean => isIPv4(s) || isIPv6(s)

const octet = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 255 }).map(String) },
  // Near misses: leading zeros, out of range, too many digits, hex, empty.
  {
    weight: 1,
    arbitrary: fc.constantFrom("00", "01", "007", "256", "999", "1000", "0x7f", "", "-1", "1e1"),
  },
)
const v4Text = fc.oneof(
  fc.tuple(octet, octet, octet, octet).map((o) => o.join(".")),
  fc.array(octet, { minLength: 1, maxLength: 6 }).map((o) => o.join(".")),
)
const group = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 0xffff }).map((g) => g.toString(16)) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 0, max: 0xffff }).map((g) => g.toString(16).toUpperCase()),
  },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 0, max: 0xffff }).map((g) => g.toString(16).padStart(4, "0")),
  },
  { weight: 1, arbitrary: fc.constantFrom("00000", "12345", "g", "", "fffff") },
)
/** IPv6-shaped text: 0-9 groups, maybe a `::` (or two) somewhere, maybe a dotted tail. */
const v6Text = fc
  .tuple(
    fc.array(group, { maxLength: 9 }),
    fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 2 }),
    fc.option(v4Text, { nil: undefined }),
  )
  .map(([groups, gaps, tail]) => {
    const parts: Array<string> = [...groups]
    for (const g of gaps) parts.splice(Math.min(g, parts.length), 0, "")
    let s = parts.join(":")
    if (s.startsWith(":") && !s.startsWith("::")) s = ":" + s
    if (s.endsWith(":") && !s.endsWith("::")) s += ":"
    if (tail !== undefined) s += (s === "" || s.endsWith(":") ? "" : ":") + tail
    return s
  })
/** Valid IPv6 text: 8 groups (or 6 and a dotted tail), one run of them maybe written `::`. */
const validV6Text = fc
  .tuple(
    fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff })), {
      minLength: 8,
      maxLength: 8,
    }),
    fc.boolean(),
    fc.nat(8),
    fc.nat(8),
    fc.boolean(),
  )
  .map(([g, dotted, a, b, upper]) => {
    const words: Array<string> = g.map((x) =>
      upper ? x.toString(16).toUpperCase() : x.toString(16),
    )
    if (dotted) words.splice(6, 2, `${g[6]! >>> 8}.${g[6]! & 255}.${g[7]! >>> 8}.${g[7]! & 255}`)
    const n = words.length
    const [from, to] = [Math.min(a, b) % (n + 1), Math.max(a, b) % (n + 1)]
    if (from === to && a % 2 === 0) return words.join(":")
    const left = words.slice(0, from).join(":")
    const right = words.slice(Math.max(to, from + 1)).join(":")
    return `${left}::${right}`
  })
/** Point mutations, so that near-valid text is common. */
const mutate = (base: fc.Arbitrary<string>) =>
  fc
    .tuple(
      base,
      fc.nat(),
      fc.constantFrom("", ":", ".", "0", "f", "g", " ", "::", "%", "1.2.3.4"),
      fc.boolean(),
    )
    .map(([s, at, ch, replace]) => {
      const i = s.length === 0 ? 0 : at % (s.length + 1)
      return s.slice(0, i) + ch + s.slice(replace ? i + 1 : i)
    })
const anyText = fc.oneof(
  v4Text,
  v6Text,
  validV6Text,
  mutate(v4Text),
  mutate(v6Text),
  mutate(validV6Text),
  fc.stringOf(fc.constantFrom(..."0123456789abcdefABCDEFx:.% "), { maxLength: 46 }),
  fc.string({ maxLength: 20 }),
)
/** Zone ids from the characters Node accepts (`[0-9a-zA-Z-.:]`), where both must agree. */
const nodeZone = fc.stringOf(fc.constantFrom(..."abcxyzABZ0189-.:"), { minLength: 0, maxLength: 8 })

const PARAMS = { numRuns: 20_000, seed: 0x1b5 }

describe("the package's one IP literal parser", () => {
  it("accepts and refuses exactly what node:net's isIPv4/isIPv6 do (no zone)", () => {
    fc.assert(
      fc.property(anyText, (s) => {
        const plain = s.replace(/%/g, "")
        expect(Ip.parse(plain) !== undefined).toBe(node(plain))
      }),
      PARAMS,
    )
  })

  it("with zones allowed, agrees with node:net on zone ids made of the characters Node knows", () => {
    fc.assert(
      fc.property(anyText, nodeZone, (s, zone) => {
        const text = s.replace(/%/g, "") + "%" + zone
        expect(Ip.parse(text, { zone: true }) !== undefined).toBe(node(text))
        // Zones are refused unless the caller asks for them.
        expect(Ip.parse(text)).toBeUndefined()
      }),
      PARAMS,
    )
  })

  it("agrees with the fast parsers IpCalc runs on (parseV4, scanV4, parseV6)", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          anyText,
          fc.tuple(anyText, anyText).map(([a, b]) => a + "/" + b),
        ),
        (s) => {
          const v4 = Ip.parseV4(s, 0, s.length)
          expect(v4 !== Ip.BAD).toBe(isIPv4(s))
          // scanV4 reads up to the first `/` (IpCalc's `a.b.c.d/prefix`).
          const slash = s.indexOf("/")
          const head = slash < 0 ? s : s.slice(0, slash)
          const scanned = Ip.scanV4(s, s.length)
          expect(scanned).toBe(Ip.parseV4(head, 0, head.length))
          if (scanned !== Ip.BAD) expect(Ip.scanned.stop).toBe(head.length)
          expect(Ip.parseV6(s, 0, s.length)).toBe(isIPv6(s) && !s.includes("%"))
        },
      ),
      PARAMS,
    )
  })

  it("round-trips: parse(format(ip)) is ip, and format(parse(s)) is canonical", () => {
    const ip = fc.oneof(
      fc.uint8Array({ minLength: 4, maxLength: 4 }).map((bytes): Ip.Ip => ({ version: 4, bytes })),
      fc
        .tuple(
          // Runs of zero groups are what `::` compression is about: make them likely.
          fc.array(fc.constantFrom(0, 0, 0, 1, 0xffff, 0x2001, 0xdb8), {
            minLength: 8,
            maxLength: 8,
          }),
          fc.uint8Array({ minLength: 16, maxLength: 16 }),
          fc.boolean(),
          fc.option(fc.stringMatching(/^[0-9A-Za-z_.-]{1,8}$/), { nil: undefined }),
        )
        .map(([groups, noise, useNoise, zone]): Ip.Ip => {
          const bytes = useNoise
            ? noise
            : Uint8Array.from(groups.flatMap((g) => [g >>> 8, g & 255]))
          return zone === undefined ? { version: 6, bytes } : { version: 6, bytes, zone }
        }),
    )
    fc.assert(
      fc.property(ip, (a) => {
        const text = Ip.format(a)
        expect(Ip.parse(text, { zone: true })).toEqual(a)
        expect(text).toBe(text.toLowerCase().replace(/%.*$/, "") + (a.zone ? `%${a.zone}` : ""))
        if (a.version === 6 && a.zone === undefined) {
          const b = a.bytes
          const mapped = b.subarray(0, 10).every((x) => x === 0) && b[10] === 255 && b[11] === 255
          // WHATWG URL serializes IPv6 hosts with RFC 5952's compression (not its mapped form).
          if (!mapped) expect(new URL(`http://[${text}]/`).hostname).toBe(`[${text}]`)
        }
      }),
      PARAMS,
    )
    fc.assert(
      fc.property(anyText, (s) => {
        const a = Ip.parse(s)
        if (a === undefined) return
        const text = Ip.format(a)
        expect(Ip.parse(text)).toEqual(a)
        expect(Ip.format(Ip.parse(text)!)).toBe(text)
      }),
      PARAMS,
    )
  })

  it("never throws, whatever the string", () => {
    fc.assert(
      fc.property(fc.fullUnicodeString({ maxLength: 60 }), fc.boolean(), (s, zone) => {
        const a = Ip.parse(s, { zone })
        if (a !== undefined) expect(a.bytes.length).toBe(a.version === 4 ? 4 : 16)
      }),
      PARAMS,
    )
  })

  it.each([
    ["fe80::1%eth0", { version: 6, zone: "eth0" }],
    ["fe80::1%br_lan", { version: 6, zone: "br_lan" }],
    ["FE80::1%25", { version: 6, zone: "25" }],
  ])(
    "accepts the zone id of %s when asked (any interface name, not only Node's characters)",
    (s, want) => {
      expect(Ip.parse(s, { zone: true })).toMatchObject(want)
      expect(Ip.parse(s)).toBeUndefined()
    },
  )

  it.each([
    "1.2.3.4%eth0",
    "fe80::1%",
    "fe80::1%a%b",
    "fe80::1%a b",
    "fe80::1%a/64",
    "fe80::1%\u0007",
  ])("refuses %j even with zones allowed", (s) =>
    expect(Ip.parse(s, { zone: true })).toBeUndefined(),
  )

  it("formats canonically", () => {
    const f = (s: string) => Ip.format(Ip.parse(s, { zone: true })!)
    expect(f("2001:DB8:0:0:1:0:0:1")).toBe("2001:db8::1:0:0:1")
    expect(f("0:0:0:0:0:FFFF:192.0.2.1")).toBe("::ffff:192.0.2.1")
    expect(f("::192.0.2.1")).toBe("::c000:201")
    expect(f("1:2:3:4:5:6:7::")).toBe("1:2:3:4:5:6:7:0")
    expect(f("fe80::0001%eth0")).toBe("fe80::1%eth0")
    expect(f("192.0.2.1")).toBe("192.0.2.1")
  })
})

describe("endsInNumber", () => {
  it("is true when the last label is decimal or hex, as the URL host parser reads it", () => {
    for (const name of ["1", "1.2.3", "example.10", "0x7f", "a.0x", "a.0xff"])
      expect(Ip.endsInNumber(name)).toBe(true)
    for (const name of ["example.com", "10.example", "a.0xg", "a.1b", "x1"])
      expect(Ip.endsInNumber(name)).toBe(false)
  })
})
