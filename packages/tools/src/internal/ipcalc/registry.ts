/**
 * The IANA IPv4 and IPv6 Special-Purpose Address Registries (plus the multicast, site-local and
 * global-unicast blocks of the address-space registries), and Python `ipaddress` 3.13's
 * `is_*` predicates, which are derived from the same registries but with their own rules.
 */
import { maskWord } from "./network.js"
import { BAD, parseV4, parseV6, v6Out } from "../ip/address.js"

/** What a block is for. */
export type AddressKind =
  | "unspecified"
  | "this-network"
  | "private"
  | "shared"
  | "loopback"
  | "link-local"
  | "protocol-assignment"
  | "continuity"
  | "dummy"
  | "anycast"
  | "translation"
  | "documentation"
  | "as112"
  | "amt"
  | "deprecated"
  | "benchmarking"
  | "reserved"
  | "broadcast"
  | "multicast"
  | "ipv4-mapped"
  | "discard"
  | "teredo"
  | "orchid"
  | "drone-id"
  | "6to4"
  | "srv6"
  | "unique-local"
  | "site-local"
  | "global"
  | "mixed"

/** One registry row. `globallyReachable` is null where IANA says N/A. */
export interface RegistryEntry {
  readonly block: string
  readonly kind: AddressKind
  readonly name: string
  readonly rfc: string
  readonly registry: string
  readonly globallyReachable: boolean | null
}

const V4 = "IANA IPv4 Special-Purpose Address Registry"
const V6 = "IANA IPv6 Special-Purpose Address Registry"
const V4M = "IANA IPv4 Multicast Address Space Registry"
const V6S = "IANA IPv6 Address Space Registry"

type Row = readonly [string, AddressKind, string, string, boolean | null, string?]

const ROWS4: ReadonlyArray<Row> = [
  ["0.0.0.0/8", "this-network", '"This network"', "RFC 791", false],
  ["0.0.0.0/32", "unspecified", '"This host on this network"', "RFC 1122", false],
  ["10.0.0.0/8", "private", "Private-Use", "RFC 1918", false],
  ["100.64.0.0/10", "shared", "Shared Address Space", "RFC 6598", false],
  ["127.0.0.0/8", "loopback", "Loopback", "RFC 1122", false],
  ["169.254.0.0/16", "link-local", "Link Local", "RFC 3927", false],
  ["172.16.0.0/12", "private", "Private-Use", "RFC 1918", false],
  ["192.0.0.0/24", "protocol-assignment", "IETF Protocol Assignments", "RFC 6890", false],
  ["192.0.0.0/29", "continuity", "IPv4 Service Continuity Prefix", "RFC 7335", false],
  ["192.0.0.8/32", "dummy", "IPv4 dummy address", "RFC 7600", false],
  ["192.0.0.9/32", "anycast", "Port Control Protocol Anycast", "RFC 7723", true],
  ["192.0.0.10/32", "anycast", "Traversal Using Relays around NAT Anycast", "RFC 8155", true],
  ["192.0.0.170/32", "translation", "NAT64/DNS64 Discovery", "RFC 8880", false],
  ["192.0.0.171/32", "translation", "NAT64/DNS64 Discovery", "RFC 8880", false],
  ["192.0.2.0/24", "documentation", "Documentation (TEST-NET-1)", "RFC 5737", false],
  ["192.31.196.0/24", "as112", "AS112-v4", "RFC 7535", true],
  ["192.52.193.0/24", "amt", "AMT", "RFC 7450", true],
  ["192.88.99.0/24", "deprecated", "Deprecated (6to4 Relay Anycast)", "RFC 7526", null],
  ["192.168.0.0/16", "private", "Private-Use", "RFC 1918", false],
  ["192.175.48.0/24", "as112", "Direct Delegation AS112 Service", "RFC 7534", true],
  ["198.18.0.0/15", "benchmarking", "Benchmarking", "RFC 2544", false],
  ["198.51.100.0/24", "documentation", "Documentation (TEST-NET-2)", "RFC 5737", false],
  ["203.0.113.0/24", "documentation", "Documentation (TEST-NET-3)", "RFC 5737", false],
  ["224.0.0.0/4", "multicast", "Multicast", "RFC 5771", null, V4M],
  ["240.0.0.0/4", "reserved", "Reserved", "RFC 1112", false],
  ["255.255.255.255/32", "broadcast", "Limited Broadcast", "RFC 919", false],
]

const ROWS6: ReadonlyArray<Row> = [
  ["::1/128", "loopback", "Loopback Address", "RFC 4291", false],
  ["::/128", "unspecified", "Unspecified Address", "RFC 4291", false],
  ["::ffff:0:0/96", "ipv4-mapped", "IPv4-mapped Address", "RFC 4291", false],
  ["64:ff9b::/96", "translation", "IPv4-IPv6 Translat.", "RFC 6052", true],
  ["64:ff9b:1::/48", "translation", "IPv4-IPv6 Translat.", "RFC 8215", false],
  ["100::/64", "discard", "Discard-Only Address Block", "RFC 6666", false],
  ["100:0:0:1::/64", "dummy", "Dummy IPv6 Prefix", "RFC 9780", false],
  ["2001::/23", "protocol-assignment", "IETF Protocol Assignments", "RFC 2928", false],
  ["2001::/32", "teredo", "TEREDO", "RFC 4380", null],
  ["2001:1::1/128", "anycast", "Port Control Protocol Anycast", "RFC 7723", true],
  ["2001:1::2/128", "anycast", "Traversal Using Relays around NAT Anycast", "RFC 8155", true],
  ["2001:1::3/128", "anycast", "DNS-SD Service Registration Protocol Anycast", "RFC 9665", true],
  ["2001:2::/48", "benchmarking", "Benchmarking", "RFC 5180", false],
  ["2001:3::/32", "amt", "AMT", "RFC 7450", true],
  ["2001:4:112::/48", "as112", "AS112-v6", "RFC 7535", true],
  ["2001:10::/28", "deprecated", "Deprecated (previously ORCHID)", "RFC 4843", false],
  ["2001:20::/28", "orchid", "ORCHIDv2", "RFC 7343", true],
  [
    "2001:30::/28",
    "drone-id",
    "Drone Remote ID Protocol Entity Tags (DETs) Prefix",
    "RFC 9374",
    true,
  ],
  ["2001:db8::/32", "documentation", "Documentation", "RFC 3849", false],
  ["2002::/16", "6to4", "6to4", "RFC 3056", null],
  ["2620:4f:8000::/48", "as112", "Direct Delegation AS112 Service", "RFC 7534", true],
  ["3fff::/20", "documentation", "Documentation", "RFC 9637", false],
  ["5f00::/16", "srv6", "Segment Routing (SRv6) SIDs", "RFC 9602", false],
  ["fc00::/7", "unique-local", "Unique-Local", "RFC 4193", false],
  ["fe80::/10", "link-local", "Link-Local Unicast", "RFC 4291", false],
  ["fec0::/10", "site-local", "Site-Local (deprecated)", "RFC 3879", false, V6S],
  ["ff00::/8", "multicast", "Multicast", "RFC 4291", null, V6S],
]

interface Compiled {
  readonly net: Block
  readonly entry: RegistryEntry
}

/** A registry block with its mask words precomputed (IPv4 blocks sit in the low word). */
class Block {
  readonly m0: number
  readonly m1: number
  readonly m2: number
  readonly m3: number
  constructor(
    readonly version: 4 | 6,
    readonly prefix: number,
    readonly w0: number,
    readonly w1: number,
    readonly w2: number,
    readonly w3: number,
  ) {
    const p = version === 4 ? prefix + 96 : prefix
    this.m0 = maskWord(p, 0)
    this.m1 = maskWord(p, 1)
    this.m2 = maskWord(p, 2)
    this.m3 = maskWord(p, 3)
  }
}

/** Parses a registry literal known to be valid (module constants only). */
const lit = (cidr: string): Block => {
  const slash = cidr.indexOf("/")
  const prefix = Number(cidr.slice(slash + 1))
  if (cidr.includes(":")) {
    parseV6(cidr, 0, slash)
    return new Block(6, prefix, v6Out[0]!, v6Out[1]!, v6Out[2]!, v6Out[3]!)
  }
  const a = parseV4(cidr, 0, slash)
  if (a === BAD) throw new Error(`bad registry literal ${cidr}`)
  return new Block(4, prefix, 0, 0, 0, a)
}

const compile = (rows: ReadonlyArray<Row>, registry: string): ReadonlyArray<Compiled> =>
  rows.map(([block, kind, name, rfc, globallyReachable, reg]) => ({
    net: lit(block),
    entry: { block, kind, name, rfc, registry: reg ?? registry, globallyReachable },
  }))

let table4: ReadonlyArray<Compiled> | undefined
let table6: ReadonlyArray<Compiled> | undefined
const tables = (version: 4 | 6) =>
  version === 4 ? (table4 ??= compile(ROWS4, V4)) : (table6 ??= compile(ROWS6, V6))

/** Whether block `b` contains the range [lo, hi] given as the words of its first and last address. */
const blockHas = (b: Block, _version: 4 | 6, x0: number, x1: number, x2: number, x3: number) =>
  (x3 & b.m3) >>> 0 === b.w3 &&
  (x2 & b.m2) >>> 0 === b.w2 &&
  (x1 & b.m1) >>> 0 === b.w1 &&
  (x0 & b.m0) >>> 0 === b.w0

/** Words of an address for the predicates below. */
export interface Words {
  readonly w0: number
  readonly w1: number
  readonly w2: number
  readonly w3: number
}

const GLOBAL4: RegistryEntry = {
  block: "0.0.0.0/0",
  kind: "global",
  name: "Global unicast (no special-purpose entry)",
  rfc: "RFC 791",
  registry: "IANA IPv4 Address Space Registry",
  globallyReachable: true,
}
const GLOBAL6: RegistryEntry = {
  block: "2000::/3",
  kind: "global",
  name: "Global Unicast",
  rfc: "RFC 4291",
  registry: V6S,
  globallyReachable: true,
}
const RESERVED6: RegistryEntry = {
  block: "::/0",
  kind: "reserved",
  name: "Reserved by IETF",
  rfc: "RFC 4291",
  registry: V6S,
  globallyReachable: null,
}
const MIXED = (version: 4 | 6): RegistryEntry => ({
  block: version === 4 ? "0.0.0.0/0" : "::/0",
  kind: "mixed",
  name: "Spans several registry blocks",
  rfc: "",
  registry: version === 4 ? V4 : V6,
  globallyReachable: null,
})

/** The most specific registry entry holding the whole range `first..last`. */
export const classify = (version: 4 | 6, first: Words, last: Words): RegistryEntry => {
  let best: Compiled | undefined
  let partial = false
  for (const c of tables(version)) {
    const inFirst = blockHas(c.net, version, first.w0, first.w1, first.w2, first.w3)
    const inLast = blockHas(c.net, version, last.w0, last.w1, last.w2, last.w3)
    if (inFirst && inLast) {
      if (best === undefined || c.net.prefix > best.net.prefix) best = c
    } else if (inFirst || inLast || blockInside(c.net, version, first, last)) partial = true
  }
  if (best !== undefined) return best.entry
  if (partial) return MIXED(version)
  if (version === 4) return GLOBAL4
  return first.w0 >>> 29 === 1 && last.w0 >>> 29 === 1 ? GLOBAL6 : RESERVED6
}

/** Whether block `b` lies inside the range first..last (so the range spans it). */
const blockInside = (b: Block, version: 4 | 6, first: Words, last: Words): boolean => {
  // CIDR blocks either nest or are disjoint, so "starts within the range" means "inside it".
  return version === b.version && cmp(b, first) >= 0 && cmp(b, last) <= 0
}

const cmp = (a: Words, b: Words): number =>
  a.w0 !== b.w0
    ? a.w0 - b.w0
    : a.w1 !== b.w1
      ? a.w1 - b.w1
      : a.w2 !== b.w2
        ? a.w2 - b.w2
        : a.w3 - b.w3

// ---------------------------------------------------------------------------------------------
// Python ipaddress (3.13) predicates.

/** Python `ipaddress` `is_*` flags. */
export interface PyFlags {
  readonly private: boolean
  readonly global: boolean
  readonly multicast: boolean
  readonly loopback: boolean
  readonly linkLocal: boolean
  readonly siteLocal: boolean
  readonly reserved: boolean
  readonly unspecified: boolean
}

const PRIVATE4 = [
  "0.0.0.0/8",
  "10.0.0.0/8",
  "127.0.0.0/8",
  "169.254.0.0/16",
  "172.16.0.0/12",
  "192.0.0.0/24",
  "192.0.0.170/31",
  "192.0.2.0/24",
  "192.168.0.0/16",
  "198.18.0.0/15",
  "198.51.100.0/24",
  "203.0.113.0/24",
  "240.0.0.0/4",
  "255.255.255.255/32",
]
const PRIVATE4_EXCEPT = ["192.0.0.9/32", "192.0.0.10/32"]
const PRIVATE6 = [
  "::1/128",
  "::/128",
  "::ffff:0:0/96",
  "64:ff9b:1::/48",
  "100::/64",
  "2001::/23",
  "2001:db8::/32",
  "2002::/16",
  "3fff::/20",
  "fc00::/7",
  "fe80::/10",
]
const PRIVATE6_EXCEPT = [
  "2001:1::1/128",
  "2001:1::2/128",
  "2001:3::/32",
  "2001:4:112::/48",
  "2001:20::/28",
  "2001:30::/28",
]
const RESERVED6_PY = [
  "::/8",
  "100::/8",
  "200::/7",
  "400::/6",
  "800::/5",
  "1000::/4",
  "4000::/3",
  "6000::/3",
  "8000::/3",
  "a000::/3",
  "c000::/3",
  "e000::/4",
  "f000::/5",
  "f800::/6",
  "fe00::/9",
]

interface PyTables {
  readonly p4: ReadonlyArray<Block>
  readonly p4x: ReadonlyArray<Block>
  readonly p6: ReadonlyArray<Block>
  readonly p6x: ReadonlyArray<Block>
  readonly r6: ReadonlyArray<Block>
  readonly shared: Block
  readonly mc4: Block
  readonly rs4: Block
  readonly ll4: Block
  readonly lo4: Block
  readonly mc6: Block
  readonly ll6: Block
  readonly sl6: Block
}
let py: PyTables | undefined
const pyTables = (): PyTables =>
  (py ??= {
    p4: PRIVATE4.map(lit),
    p4x: PRIVATE4_EXCEPT.map(lit),
    p6: PRIVATE6.map(lit),
    p6x: PRIVATE6_EXCEPT.map(lit),
    r6: RESERVED6_PY.map(lit),
    shared: lit("100.64.0.0/10"),
    mc4: lit("224.0.0.0/4"),
    rs4: lit("240.0.0.0/4"),
    ll4: lit("169.254.0.0/16"),
    lo4: lit("127.0.0.0/8"),
    mc6: lit("ff00::/8"),
    ll6: lit("fe80::/10"),
    sl6: lit("fec0::/10"),
  })

const in4 = (b: Block, a: number) => blockHas(b, 4, 0, 0, 0, a)
const in6 = (b: Block, a: Words) => blockHas(b, 6, a.w0, a.w1, a.w2, a.w3)
const any4 = (list: ReadonlyArray<Block>, a: number): boolean => {
  for (const b of list) if (in4(b, a)) return true
  return false
}
const any6 = (list: ReadonlyArray<Block>, a: Words): boolean => {
  for (const b of list) if (in6(b, a)) return true
  return false
}

/** Python `IPv4Address.is_*`. */
const addr4 = (a: number): PyFlags => {
  const t = pyTables()
  const priv = any4(t.p4, a) && !any4(t.p4x, a)
  return {
    private: priv,
    global: !in4(t.shared, a) && !priv,
    multicast: in4(t.mc4, a),
    loopback: in4(t.lo4, a),
    linkLocal: in4(t.ll4, a),
    siteLocal: false,
    reserved: in4(t.rs4, a),
    unspecified: a === 0,
  }
}

/** Python `IPv6Address.is_*` (3.13 delegates IPv4-mapped addresses to their IPv4 address). */
const addr6 = (a: Words): PyFlags => {
  const t = pyTables()
  if (a.w0 === 0 && a.w1 === 0 && a.w2 === 0xffff) {
    return { ...addr4(a.w3), siteLocal: false }
  }
  const priv = any6(t.p6, a) && !any6(t.p6x, a)
  const zero = a.w0 === 0 && a.w1 === 0 && a.w2 === 0
  return {
    private: priv,
    global: !priv,
    multicast: in6(t.mc6, a),
    loopback: zero && a.w3 === 1,
    linkLocal: in6(t.ll6, a),
    siteLocal: in6(t.sl6, a),
    reserved: any6(t.r6, a),
    unspecified: zero && a.w3 === 0,
  }
}

/** Python's flags of one address. */
export const addressFlags = (version: 4 | 6, a: Words): PyFlags =>
  version === 4 ? addr4(a.w3) : addr6(a)

/** Python `IPv4Network`/`IPv6Network` `is_*`: mostly "both the first and the last address are". */
export const networkFlags = (version: 4 | 6, first: Words, last: Words): PyFlags => {
  const f = addressFlags(version, first)
  const l = addressFlags(version, last)
  const t = pyTables()
  const [list, except] = version === 4 ? [t.p4, t.p4x] : [t.p6, t.p6x]
  const has = (b: Block, a: Words) => blockHas(b, version, a.w0, a.w1, a.w2, a.w3)
  const priv =
    list.some((b) => has(b, first) && has(b, last)) &&
    except.every((b) => !has(b, first) && !has(b, last))
  const global =
    version === 4 ? !(in4(t.shared, first.w3) && in4(t.shared, last.w3)) && !priv : !priv
  return {
    private: priv,
    global,
    multicast: f.multicast && l.multicast,
    loopback: f.loopback && l.loopback,
    linkLocal: f.linkLocal && l.linkLocal,
    siteLocal: f.siteLocal && l.siteLocal,
    reserved: f.reserved && l.reserved,
    unspecified: f.unspecified && l.unspecified,
  }
}
