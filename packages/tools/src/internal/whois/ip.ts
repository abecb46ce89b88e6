/** Minimal IPv4/IPv6 arithmetic for WHOIS ranges: parse, format, range ↔ CIDR. */
import { Either } from "effect"
import * as IpCalc from "../../IpCalc.js"
import { parse } from "../ip/address.js"

/** An address as a family and a 32- or 128-bit integer. */
export interface Addr {
  readonly v: 4 | 6
  readonly n: bigint
}

/**
 * Parses an IPv4 or IPv6 literal (the package's one parser; surrounding blanks ignored, an IPv6
 * zone id accepted and dropped); `undefined` when it is neither.
 */
export const parseAddr = (s: string): Addr | undefined => {
  const ip = parse(s.trim(), { zone: true })
  if (ip === undefined) return undefined
  let n = 0n
  for (const b of ip.bytes) n = (n << 8n) | BigInt(b)
  return { v: ip.version, n }
}

/** Formats an address in canonical form (RFC 5952 for IPv6). */
export const formatAddr = (a: Addr): string => {
  if (a.v === 4) {
    return [24n, 16n, 8n, 0n].map((s) => String((a.n >> s) & 255n)).join(".")
  }
  const g = Array.from({ length: 8 }, (_, i) => Number((a.n >> BigInt((7 - i) * 16)) & 0xffffn))
  let best = -1
  let bestLen = 1
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && g[j] === 0) j++
    if (j - i > bestLen) {
      best = i
      bestLen = j - i
    }
    i = j
  }
  const hex = g.map((x) => x.toString(16))
  if (best < 0) return hex.join(":")
  return `${hex.slice(0, best).join(":")}::${hex.slice(best + bestLen).join(":")}`
}

const bits = (v: 4 | 6): bigint => (v === 4 ? 32n : 128n)

/** The first and last address of `addr/prefix`. */
export const cidrRange = (a: Addr, prefix: number): { start: Addr; end: Addr } => {
  const host = bits(a.v) - BigInt(prefix)
  const mask = (1n << host) - 1n
  return { start: { v: a.v, n: a.n & ~mask }, end: { v: a.v, n: a.n | mask } }
}

/** Parses `addr/prefix`, accepting the abbreviated IPv4 forms RIRs print (`200.57/16`). */
export const parseCidr = (s: string): { start: Addr; end: Addr; prefix: number } | undefined => {
  const m = /^([0-9a-fA-F:.]+)\/(\d{1,3})$/.exec(s.trim())
  if (m === null) return undefined
  let addrText = m[1] ?? ""
  if (!addrText.includes(":")) {
    const parts = addrText.split(".").filter((p) => p !== "")
    while (parts.length < 4) parts.push("0")
    addrText = parts.join(".")
  }
  const a = parseAddr(addrText)
  const prefix = Number(m[2])
  if (a === undefined || prefix > Number(bits(a.v))) return undefined
  return { ...cidrRange(a, prefix), prefix }
}

/** The smallest list of CIDR blocks covering `start`..`end` inclusive (at most 64), by `IpCalc.range`. */
export const rangeToCidrs = (start: Addr, end: Addr): Array<string> =>
  Either.match(IpCalc.range(formatAddr(start), formatAddr(end)), {
    onLeft: () => [],
    onRight: (cidrs) => cidrs.slice(0, 64),
  })

/** The reverse-DNS name of an address (`4.3.2.1.in-addr.arpa`, nibbles under `ip6.arpa`). */
export const reverseOf = (a: Addr): string => {
  if (a.v === 4) {
    return [0n, 8n, 16n, 24n].map((s) => String((a.n >> s) & 255n)).join(".") + ".in-addr.arpa"
  }
  const nibbles: Array<string> = []
  for (let i = 0n; i < 32n; i++) nibbles.push(((a.n >> (i * 4n)) & 15n).toString(16))
  return nibbles.join(".") + ".ip6.arpa"
}
