/**
 * IPv4/IPv6 subnet calculator. `parse` is the fast path (char-code parser, uint32 words, one small
 * object); `summary` adds the strings most callers want; `describe`/`info` build the full report
 * (registry type, reverse DNS, binary and expanded forms). Host semantics follow Python's
 * `ipaddress` `hosts()`: IPv4 drops the network and broadcast addresses except on /31 and /32;
 * IPv6 drops only the Subnet-Router anycast address (the network address) except on /127 and /128.
 *
 * @module
 */
import { Either } from "effect"
import { invalidInput, ToolError } from "./ToolError.js"
import { expandV6, formatV4, formatV6, formatV6Next, ip6Arpa } from "./internal/ip/address.js"
import {
  formatCidr,
  hostBitsSet as hostBits,
  mask4,
  maskWord,
  parseNet,
  type Err,
  type Net,
} from "./internal/ipcalc/network.js"
import {
  addressFlags,
  classify,
  networkFlags,
  type AddressKind,
  type PyFlags,
  type RegistryEntry,
} from "./internal/ipcalc/registry.js"
import {
  bitsOf,
  covers,
  formatBig,
  formatBlock,
  intersects,
  mergeSpans,
  rangeBlocks,
  spanOf,
  toBig,
  type Span,
} from "./internal/ipcalc/ranges.js"

/** A parsed network: the address as given (host bits kept) as four uint32 words, IPv4 in `w3`. */
export interface Network {
  readonly version: 4 | 6
  readonly prefix: number
  readonly w0: number
  readonly w1: number
  readonly w2: number
  readonly w3: number
  /** The IPv6 zone (`%eth0`), if one was given. */
  readonly zone: string | undefined
}

/** What a block is for, from the IANA special-purpose registries. */
export type { AddressKind }

/** An IANA registry row: block, kind, entry name, RFC, registry and global reachability. */
export type AddressType = RegistryEntry

/** Python `ipaddress` `is_*` flags (3.13 rules). */
export type Flags = PyFlags

/** The addresses most callers want from a network, as strings. */
export interface Summary {
  readonly network: string
  /** The last address of the block (the IPv4 broadcast address). */
  readonly lastAddress: string
  readonly firstHost: string
  readonly lastHost: string
  /** Number of addresses, exact decimal. */
  readonly addresses: string
  /** Number of usable hosts (Python `hosts()` semantics), exact decimal. */
  readonly usableHosts: string
}

/** An IPv4 address embedded in an IPv6 one. */
export interface EmbeddedIpv4 {
  readonly kind: "ipv4-mapped" | "6to4" | "teredo"
  /** The mapped address, the 6to4 site address, or the Teredo client's public address. */
  readonly address: string
  /** The Teredo server (Teredo only). */
  readonly server?: string
  /** The Teredo client's public UDP port (Teredo only). */
  readonly port?: number
}

/** The full report of a network query. */
export interface Info {
  readonly input: string
  readonly version: 4 | 6
  /** The address as given (host bits kept), compressed (RFC 5952), without zone. */
  readonly address: string
  readonly zone: string | null
  /** Whether `address` has bits set beyond the prefix (it is then not the network address). */
  readonly hostBitsSet: boolean
  readonly cidr: string
  readonly network: string
  readonly prefix: number
  readonly netmask: string
  /** The hostmask (Cisco wildcard). */
  readonly wildcard: string
  /** IPv4 broadcast (the last address, as Python's `broadcast_address`); null for IPv6. */
  readonly broadcast: string | null
  readonly lastAddress: string
  readonly firstHost: string
  readonly lastHost: string
  readonly addresses: string
  readonly usableHosts: string
  /** Registry entry of the whole network ("mixed" if it spans several blocks). */
  readonly type: AddressType
  /** Registry entry of the given address. */
  readonly addressType: AddressType
  /** Python `ipaddress` flags of the address (as `ip_interface`) and of the network (as `ip_network`). */
  readonly flags: { readonly address: Flags; readonly network: Flags }
  readonly embeddedIpv4: EmbeddedIpv4 | null
  /** PTR name of the address and the reverse zone of the network at the octet/nibble boundary. */
  readonly reverse: { readonly ptr: string; readonly zone: string }
  /** Eight four-digit groups (IPv6); the dotted quad for IPv4. */
  readonly expanded: { readonly address: string; readonly network: string }
  readonly binary: { readonly address: string; readonly netmask: string; readonly network: string }
  /** The address as an unsigned integer, decimal. */
  readonly decimal: string
}

const err: Err = { e: undefined }

/** Parses `addr/prefix`, `addr/netmask`, `addr netmask` or a bare address (host route). */
export const parse = (input: string): Either.Either<Network, ToolError> => {
  const n = parseNet(input, err)
  if (n !== undefined) return Either.right(n)
  const e = err.e!
  err.e = undefined
  return Either.left(e)
}

/** Whether the given address has bits set beyond the prefix. */
export const hostBitsSet = (n: Network): boolean => hostBits(n as Net)

// Decimal 2^n, 2^n - 1 and 2^n - 2 for n = 0..128: an IPv6 /64 has 2^64 addresses, past 2^53.
// A few microseconds at import, and the hot path then does one array read.
const POW2: ReadonlyArray<readonly [string, string, string]> = Array.from(
  { length: 129 },
  (_, i) => {
    const v = 1n << BigInt(i)
    return [v.toString(), (v - 1n).toString(), (v > 2n ? v - 2n : 0n).toString()] as const
  },
)

/** Number of addresses in the network, exact decimal. */
export const addressCount = (n: Network): string =>
  POW2[(n.version === 4 ? 32 : 128) - n.prefix]![0]

/** Number of usable hosts (Python `hosts()`), exact decimal. */
export const usableHostCount = (n: Network): string => {
  const hostBitsLen = (n.version === 4 ? 32 : 128) - n.prefix
  if (hostBitsLen <= 1) return hostBitsLen === 0 ? "1" : "2"
  return POW2[hostBitsLen]![n.version === 4 ? 2 : 1]
}

const summary4 = (w3: number, p: number): Summary => {
  const m = mask4(p)
  const net = (w3 & m) >>> 0
  const last = (net | ~m) >>> 0
  const small = p >= 31
  const ps = POW2[32 - p]!
  return {
    network: formatV4(net),
    lastAddress: formatV4(last),
    firstHost: formatV4(small ? net : net + 1),
    lastHost: formatV4(small ? last : last - 1),
    addresses: ps[0],
    usableHosts: p === 32 ? "1" : p === 31 ? "2" : ps[2],
  }
}

const summary6 = (w0: number, w1: number, w2: number, w3: number, p: number): Summary => {
  const m0 = maskWord(p, 0)
  const m1 = maskWord(p, 1)
  const m2 = maskWord(p, 2)
  const m3 = maskWord(p, 3)
  const n0 = (w0 & m0) >>> 0
  const n1 = (w1 & m1) >>> 0
  const n2 = (w2 & m2) >>> 0
  const n3 = (w3 & m3) >>> 0
  const network = formatV6(n0, n1, n2, n3)
  const lastAddress = formatV6(
    (n0 | ~m0) >>> 0,
    (n1 | ~m1) >>> 0,
    (n2 | ~m2) >>> 0,
    (n3 | ~m3) >>> 0,
  )
  const ps = POW2[128 - p]!
  return {
    network,
    lastAddress,
    // Below /127 the low word of the network has at least two zero bits, so +1 cannot carry.
    firstHost: p >= 127 ? network : formatV6Next(n0, n1, n2, n3, network),
    lastHost: lastAddress,
    addresses: ps[0],
    usableHosts: p === 128 ? "1" : p === 127 ? "2" : ps[1],
  }
}

/** Network, last address, first/last usable host and sizes, as strings. */
export const summary = (n: Network): Summary =>
  n.version === 4 ? summary4(n.w3, n.prefix) : summary6(n.w0, n.w1, n.w2, n.w3, n.prefix)

const BIN8: ReadonlyArray<string> = Array.from({ length: 256 }, (_, i) =>
  i.toString(2).padStart(8, "0"),
)
const OCT: ReadonlyArray<string> = Array.from({ length: 256 }, (_, i) => String(i))

const binary4 = (a: number): string =>
  BIN8[a >>> 24]! +
  "." +
  BIN8[(a >>> 16) & 255]! +
  "." +
  BIN8[(a >>> 8) & 255]! +
  "." +
  BIN8[a & 255]!

const binary6 = (w0: number, w1: number, w2: number, w3: number): string => {
  const half = (w: number) =>
    BIN8[w >>> 24]! + BIN8[(w >>> 16) & 255]! + ":" + BIN8[(w >>> 8) & 255]! + BIN8[w & 255]!
  return half(w0) + ":" + half(w1) + ":" + half(w2) + ":" + half(w3)
}

/** Netmask, hostmask and binary netmask text per prefix, built once per family on first use. */
interface MaskText {
  readonly netmask: ReadonlyArray<string>
  readonly hostmask: ReadonlyArray<string>
  readonly binary: ReadonlyArray<string>
}
let masks4: MaskText | undefined
let masks6: MaskText | undefined
const maskText = (v: 4 | 6): MaskText => {
  if (v === 4)
    return (masks4 ??= {
      netmask: Array.from({ length: 33 }, (_, p) => formatV4(mask4(p))),
      hostmask: Array.from({ length: 33 }, (_, p) => formatV4(~mask4(p) >>> 0)),
      binary: Array.from({ length: 33 }, (_, p) => binary4(mask4(p))),
    })
  const m = (p: number, i: number) => maskWord(p, i)
  const h = (p: number, i: number) => ~maskWord(p, i) >>> 0
  return (masks6 ??= {
    netmask: Array.from({ length: 129 }, (_, p) => formatV6(m(p, 0), m(p, 1), m(p, 2), m(p, 3))),
    hostmask: Array.from({ length: 129 }, (_, p) => formatV6(h(p, 0), h(p, 1), h(p, 2), h(p, 3))),
    binary: Array.from({ length: 129 }, (_, p) => binary6(m(p, 0), m(p, 1), m(p, 2), m(p, 3))),
  })
}

/** PTR name of an IPv4 address, and the in-addr.arpa zone of the network's whole octets. */
const reverse4 = (a: number, net: number, prefix: number) => {
  const ptr =
    OCT[a & 255]! +
    "." +
    OCT[(a >>> 8) & 255]! +
    "." +
    OCT[(a >>> 16) & 255]! +
    "." +
    OCT[a >>> 24]! +
    ".in-addr.arpa"
  let zone = "in-addr.arpa"
  for (let i = 0; i < prefix >>> 3; i++) zone = OCT[(net >>> (24 - 8 * i)) & 255]! + "." + zone
  return { ptr, zone }
}

const embedded = (n: Network): EmbeddedIpv4 | null => {
  if (n.version === 4) return null
  if (n.w0 === 0 && n.w1 === 0 && n.w2 === 0xffff)
    return { kind: "ipv4-mapped", address: formatV4(n.w3) }
  if (n.w0 >>> 16 === 0x2002)
    return { kind: "6to4", address: formatV4((((n.w0 & 0xffff) << 16) | (n.w1 >>> 16)) >>> 0) }
  if (n.w0 === 0x20010000)
    return {
      kind: "teredo",
      address: formatV4(~n.w3 >>> 0),
      server: formatV4(n.w1),
      port: ~n.w2 & 0xffff,
    }
  return null
}

/** Builds the full report of a parsed network. `input` is echoed back as given. */
export const describe = (n: Network, input = formatCidr(n as Net)): Info => {
  const p = n.prefix
  const v = n.version
  const s = summary(n)
  const mt = maskText(v)
  const off = v === 4 ? 96 : 0
  const m0 = maskWord(p + off, 0)
  const m1 = maskWord(p + off, 1)
  const m2 = maskWord(p + off, 2)
  const m3 = maskWord(p + off, 3)
  const first = {
    w0: (n.w0 & m0) >>> 0,
    w1: (n.w1 & m1) >>> 0,
    w2: (n.w2 & m2) >>> 0,
    w3: (n.w3 & m3) >>> 0,
  }
  const last = {
    w0: (first.w0 | ~m0) >>> 0,
    w1: (first.w1 | ~m1) >>> 0,
    w2: (first.w2 | ~m2) >>> 0,
    w3: (first.w3 | ~m3) >>> 0,
  }
  const address = v === 4 ? formatV4(n.w3) : formatV6(n.w0, n.w1, n.w2, n.w3)
  const expandedAddress = v === 4 ? address : expandV6(n.w0, n.w1, n.w2, n.w3)
  const expandedNetwork = v === 4 ? s.network : expandV6(first.w0, first.w1, first.w2, first.w3)
  return {
    input,
    version: v,
    address,
    zone: n.zone ?? null,
    hostBitsSet: hostBits(n as Net),
    cidr: s.network + (n.zone === undefined ? "" : "%" + n.zone) + "/" + p,
    network: s.network,
    prefix: p,
    netmask: mt.netmask[p]!,
    wildcard: mt.hostmask[p]!,
    broadcast: v === 4 ? s.lastAddress : null,
    lastAddress: s.lastAddress,
    firstHost: s.firstHost,
    lastHost: s.lastHost,
    addresses: s.addresses,
    usableHosts: s.usableHosts,
    type: classify(v, first, last),
    addressType: classify(v, n, n),
    flags: { address: addressFlags(v, n), network: networkFlags(v, first, last) },
    embeddedIpv4: embedded(n),
    reverse:
      v === 4
        ? reverse4(n.w3, first.w3, p)
        : {
            ptr: ip6Arpa(n.w0, n.w1, n.w2, n.w3, 32),
            zone: ip6Arpa(first.w0, first.w1, first.w2, first.w3, p >>> 2),
          },
    expanded: { address: expandedAddress, network: expandedNetwork },
    binary:
      v === 4
        ? { address: binary4(n.w3), netmask: mt.binary[p]!, network: binary4(first.w3) }
        : {
            address: binary6(n.w0, n.w1, n.w2, n.w3),
            netmask: mt.binary[p]!,
            network: binary6(first.w0, first.w1, first.w2, first.w3),
          },
    decimal: v === 4 ? String(n.w3) : toBig(n).toString(),
  }
}

/** Parses and describes one query. */
export const info = (input: string): Either.Either<Info, ToolError> =>
  Either.map(parse(input), (n) => describe(n, input))

/** Formats `network/prefix` (host bits cleared; an IPv6 zone kept). */
export const toCidr = (n: Network): string => formatCidr(n as Net)

/** cidr-tools' `normalizeCidr`: `network/prefix` when a prefix was given, else the address. */
export const normalize = (input: string): Either.Either<string, ToolError> =>
  Either.map(parse(input), (n) => {
    const t = input.trim()
    if (t.includes("/") || /\s/.test(t)) return formatCidr(n as Net)
    const a = n.version === 4 ? formatV4(n.w3) : formatV6(n.w0, n.w1, n.w2, n.w3)
    return n.zone === undefined ? a : a + "%" + n.zone
  })

// ---------------------------------------------------------------------------------------------
// Set operations

/** Options of `split`: a page of the subnets. */
export interface SplitOptions {
  /** Index of the first subnet to return (default 0). */
  readonly offset?: number
  /** How many subnets to return (default 256, at most 65536). */
  readonly limit?: number
}

/** A page of the subnets of a network. */
export interface SplitResult {
  readonly network: string
  readonly newPrefix: number
  /** How many subnets there are in all, exact decimal. */
  readonly total: string
  readonly offset: number
  readonly subnets: ReadonlyArray<string>
  /** Offset of the next page, or null when this page is the last. */
  readonly nextOffset: number | null
}

/** The largest page `split` returns: larger requests are refused rather than truncated. */
export const MAX_SPLIT_LIMIT = 65536

/** Splits a network into subnets of `newPrefix`, one page at a time. */
export const split = (
  input: string,
  newPrefix: number,
  options: SplitOptions = {},
): Either.Either<SplitResult, ToolError> =>
  Either.flatMap(parse(input), (n) => {
    const bits = bitsOf(n.version)
    const offset = options.offset ?? 0
    const limit = options.limit ?? 256
    if (!Number.isInteger(newPrefix) || newPrefix < 0 || newPrefix > bits)
      return Either.left(
        invalidInput("prefix", `prefix ${newPrefix} is out of range for IPv${n.version}`),
      )
    if (newPrefix < n.prefix)
      return Either.left(
        invalidInput(
          "prefix",
          `cannot split a /${n.prefix} into /${newPrefix} subnets: the new prefix must be at least ${n.prefix}`,
        ),
      )
    if (!Number.isSafeInteger(offset) || offset < 0)
      return Either.left(
        invalidInput(
          "offset",
          `offset must be a whole number from 0 to ${Number.MAX_SAFE_INTEGER} (got ${offset})`,
        ),
      )
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_SPLIT_LIMIT)
      return Either.left(
        invalidInput("limit", `limit ${limit} must be between 1 and ${MAX_SPLIT_LIMIT}`),
      )
    const span = spanOf(n as Net)
    const total = 1n << BigInt(newPrefix - n.prefix)
    const step = 1n << BigInt(bits - newPrefix)
    const subnets: Array<string> = []
    const end = BigInt(offset) + BigInt(limit) < total ? BigInt(offset) + BigInt(limit) : total
    for (let i = BigInt(offset); i < end; i++)
      subnets.push(formatBlock(n.version, span.lo + i * step, newPrefix))
    return Either.right({
      network: formatCidr(n as Net),
      newPrefix,
      total: total.toString(),
      offset,
      subnets,
      nextOffset: end < total ? Number(end) : null,
    })
  })

const parseAll = (
  inputs: string | ReadonlyArray<string>,
  what: string,
): Either.Either<Array<Span>, ToolError> => {
  const list = typeof inputs === "string" ? [inputs] : inputs
  const out: Array<Span> = []
  for (const [i, s] of list.entries()) {
    const r = parse(s)
    if (Either.isLeft(r)) {
      const e = r.left
      return Either.left(
        new ToolError({
          reason: e.reason,
          field: e.field,
          message: list.length > 1 ? `${what} ${i + 1} ("${s}"): ${e.message}` : e.message,
        }),
      )
    }
    out.push(spanOf(r.right as Net))
  }
  return Either.right(out)
}

/** The minimal set of CIDR blocks covering the same addresses (IPv4 first, then IPv6). */
export const aggregate = (
  inputs: ReadonlyArray<string>,
): Either.Either<ReadonlyArray<string>, ToolError> =>
  Either.map(parseAll(inputs, "item"), (spans) =>
    ([4, 6] as const).flatMap((v) =>
      mergeSpans(spans.filter((s) => s.version === v)).flatMap((s) =>
        rangeBlocks(v, s.lo, s.hi).map(([net, p]) => formatBlock(v, net, p)),
      ),
    ),
  )

const bareAddress = (text: string, field: string): Either.Either<Span, ToolError> => {
  const t = text.trim()
  if (t.includes("/") || /\s/.test(t))
    return Either.left(
      invalidInput(field, `${field} "${t}" must be a single address, not a network`),
    )
  return Either.mapLeft(
    Either.map(parse(t), (n) => spanOf(n as Net)),
    (e) => invalidInput(field, `${field}: ${e.message}`),
  )
}

/** The fewest CIDR blocks covering `start..end`; with one argument it reads `start-end`. */
export const range = (
  start: string,
  end?: string,
): Either.Either<ReadonlyArray<string>, ToolError> => {
  let a = start
  let b = end
  if (b === undefined) {
    const dash = start.indexOf("-")
    if (dash < 0)
      return Either.left(invalidInput("range", `range "${start}" must be written start-end`))
    a = start.slice(0, dash)
    b = start.slice(dash + 1)
  }
  const endText = b
  return Either.flatMap(bareAddress(a, "start"), (lo) =>
    Either.flatMap(bareAddress(endText, "end"), (hi) => {
      if (lo.version !== hi.version)
        return Either.left(
          invalidInput("range", `range ${a.trim()}-${endText.trim()} mixes IPv4 and IPv6`),
        )
      if (lo.lo > hi.lo)
        return Either.left(
          invalidInput("range", `range start ${a.trim()} is after its end ${endText.trim()}`),
        )
      return Either.right(
        rangeBlocks(lo.version, lo.lo, hi.lo).map(([net, p]) => formatBlock(lo.version, net, p)),
      )
    }),
  )
}

/** Whether the networks in `outer` (together) contain every address or network in `inner`. */
export const contains = (
  outer: string | ReadonlyArray<string>,
  inner: string | ReadonlyArray<string>,
): Either.Either<boolean, ToolError> =>
  Either.flatMap(parseAll(outer, "outer item"), (a) =>
    Either.map(parseAll(inner, "inner item"), (b) => covers(a, b)),
  )

/** Whether any network in `a` shares an address with any network in `b`. */
export const overlaps = (
  a: string | ReadonlyArray<string>,
  b: string | ReadonlyArray<string>,
): Either.Either<boolean, ToolError> =>
  Either.flatMap(parseAll(a, "item"), (x) =>
    Either.map(parseAll(b, "item"), (y) => intersects(x, y)),
  )

/** Formats an address given as an unsigned integer of `version` (for callers holding BigInts). */
export const formatInteger = (version: 4 | 6, value: bigint): string => formatBig(version, value)
