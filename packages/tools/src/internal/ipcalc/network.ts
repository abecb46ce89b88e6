/**
 * The compact network value and the input grammar: `addr/prefix`, `addr/netmask` (IPv4, also a
 * hostmask as Python accepts), `addr netmask`, `addr prefix` and a bare address (host route).
 * IPv6 may carry a zone (`fe80::1%eth0/64`). Word arithmetic only: no BigInt, no regex.
 */
import { invalidInput, type ToolError } from "../../ToolError.js"
import {
  BAD,
  explainV4,
  explainV6,
  formatV4,
  formatV6,
  parseV4,
  parseV6,
  scanV4,
  scanned,
  v6Out,
  zoneOk,
} from "../ip/address.js"

/** A parsed network: the address as given (host bits kept) in four uint32 words (IPv4 in `w3`). */
export class Net {
  constructor(
    readonly version: 4 | 6,
    readonly prefix: number,
    readonly w0: number,
    readonly w1: number,
    readonly w2: number,
    readonly w3: number,
    readonly zone: string | undefined,
  ) {}
}

/** The 32-bit mask of word `i` (0 = most significant) for `prefix` over 128 bits. */
export const maskWord = (prefix: number, i: number): number => {
  const bits = prefix - 32 * i
  return bits >= 32 ? 0xffffffff : bits <= 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0
}

/** The IPv4 netmask of `prefix` as a uint32. */
export const mask4 = (prefix: number): number =>
  prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0

/** Whether the given address has bits set beyond the prefix. */
export const hostBitsSet = (n: Net): boolean =>
  n.version === 4
    ? (n.w3 & ~mask4(n.prefix)) !== 0
    : (n.w0 & ~maskWord(n.prefix, 0)) !== 0 ||
      (n.w1 & ~maskWord(n.prefix, 1)) !== 0 ||
      (n.w2 & ~maskWord(n.prefix, 2)) !== 0 ||
      (n.w3 & ~maskWord(n.prefix, 3)) !== 0

/** Formats the address words of `n` (without zone). */
export const formatAddress = (version: 4 | 6, w0: number, w1: number, w2: number, w3: number) =>
  version === 4 ? formatV4(w3) : formatV6(w0, w1, w2, w3)

const isSpace = (c: number) => c === 32 || c === 9

/** Reads a prefix length or (IPv4) a netmask/hostmask in `s[start, end)`; -1 with `err` set on failure. */
const readPrefix = (s: string, start: number, end: number, version: 4 | 6, err: Err): number => {
  const max = version === 4 ? 32 : 128
  let p = 0
  let i = start
  for (; i < end; i++) {
    const c = s.charCodeAt(i)
    if (c < 48 || c > 57) break
    if (p <= max) p = p * 10 + (c - 48)
  }
  if (i === end && end > start) {
    if (p > max) {
      err.e = invalidInput(
        "prefix",
        `prefix ${s.slice(start, end)} is out of range for IPv${version} (0-${max})`,
      )
      return -1
    }
    return p
  }
  const token = s.slice(start, end)
  if (token === "") {
    err.e = invalidInput("prefix", "the prefix after '/' is empty")
    return -1
  }
  if (version === 6) {
    err.e = invalidInput(
      "prefix",
      token.includes(":") || token.includes(".")
        ? `IPv6 takes a prefix length (0-128), not a netmask: ${token}`
        : `prefix "${token}" is not a decimal number`,
    )
    return -1
  }
  if (!token.includes(".")) {
    err.e = invalidInput("prefix", `prefix "${token}" is not a decimal number`)
    return -1
  }
  const m = parseV4(s, start, end)
  if (m === BAD) {
    err.e = invalidInput("netmask", `netmask ${token} is invalid: ${explainV4(token)}`)
    return -1
  }
  // Python's ipaddress takes a netmask first, then a hostmask (Cisco wildcard) form.
  const ones = Math.clz32(~m)
  if (mask4(ones) === m) return ones
  const zeros = Math.clz32(m)
  if (~mask4(zeros) >>> 0 === m) return zeros
  err.e = invalidInput("netmask", `netmask ${token} is not contiguous`)
  return -1
}

/** Mutable error slot so the parser returns one value without allocating on success. */
export interface Err {
  e: ToolError | undefined
}

/** A plain 1-3 digit prefix up to `max`, or -1 to let the general path decide (and explain). */
const fastPrefix = (s: string, start: number, end: number, max: number): number => {
  const len = end - start
  if (len < 1 || len > 3) return -1
  let p = 0
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i)
    if (c < 48 || c > 57) return -1
    p = p * 10 + (c - 48)
  }
  return p <= max ? p : -1
}

/** Parses a network query; returns `undefined` with `err.e` set on bad input. */
export const parseNet = (input: string, err: Err): Net | undefined => {
  const end = input.length
  const a = scanV4(input, end)
  if (a !== BAD) {
    const stop = scanned.stop
    if (stop === end) return new Net(4, 32, 0, 0, 0, a, undefined)
    const p = fastPrefix(input, stop + 1, end, 32)
    if (p >= 0) return new Net(4, p, 0, 0, 0, a, undefined)
  }
  // IPv6 without zone or blanks: find the slash, then the two fast parsers.
  let slash = end
  for (let i = 0; i < end; i++) {
    const c = input.charCodeAt(i)
    if (c === 47) {
      slash = i
      break
    }
    if (c === 37 || c === 32 || c === 9) return parseGeneral(input, err)
  }
  if (slash > 0 && parseV6(input, 0, slash)) {
    const p = slash === end ? 128 : fastPrefix(input, slash + 1, end, 128)
    if (p >= 0) return new Net(6, p, v6Out[0]!, v6Out[1]!, v6Out[2]!, v6Out[3]!, undefined)
  }
  return parseGeneral(input, err)
}

/** Every form, and the error messages. */
const parseGeneral = (input: string, err: Err): Net | undefined => {
  const start = 0
  const end = input.length
  if (start === end) {
    err.e = invalidInput("input", "the input is empty")
    return undefined
  }
  // Strict like Python's ipaddress: callers trim; stray blanks are more likely a paste error.
  if (isSpace(input.charCodeAt(0)) || isSpace(input.charCodeAt(end - 1))) {
    err.e = invalidInput("input", `leading or trailing whitespace in "${input}"`)
    return undefined
  }
  let addrEnd = end
  let colon = false
  let percent = -1
  let sep = 0 // 0 none, 1 slash, 2 space
  for (let i = start; i < end; i++) {
    const c = input.charCodeAt(i)
    if (c === 47) {
      addrEnd = i
      sep = 1
      break
    }
    if (isSpace(c)) {
      addrEnd = i
      sep = 2
      break
    }
    if (c === 58) colon = true
    else if (c === 37 && percent < 0) percent = i
  }
  const version: 4 | 6 = colon ? 6 : 4
  let prefix = version === 4 ? 32 : 128
  if (sep !== 0) {
    let ps = addrEnd + 1
    if (sep === 2) while (ps < end && isSpace(input.charCodeAt(ps))) ps++
    for (let i = ps; i < end; i++) {
      if (isSpace(input.charCodeAt(i)) || input.charCodeAt(i) === 47) {
        err.e = invalidInput(
          "input",
          `unexpected text after the ${sep === 1 ? "prefix" : "netmask"}: "${input.slice(start, end)}"`,
        )
        return undefined
      }
    }
    prefix = readPrefix(input, ps, end, version, err)
    if (prefix < 0) return undefined
  }
  if (addrEnd === start) {
    err.e = invalidInput("address", "the address is empty")
    return undefined
  }
  if (version === 4) {
    if (percent >= 0) {
      err.e = invalidInput(
        "zone",
        `a zone (%) is only valid on IPv6 addresses: ${input.slice(start, addrEnd)}`,
      )
      return undefined
    }
    const a = parseV4(input, start, addrEnd)
    if (a === BAD) {
      const text = input.slice(start, addrEnd)
      err.e = invalidInput("address", explainV4(text))
      return undefined
    }
    return new Net(4, prefix, 0, 0, 0, a, undefined)
  }
  let zone: string | undefined
  let aEnd = addrEnd
  if (percent >= 0) {
    aEnd = percent
    zone = input.slice(percent + 1, addrEnd)
    if (!zoneOk(input, percent + 1, addrEnd)) {
      err.e = invalidInput(
        "zone",
        `the zone after % is ${zone === "" ? "empty" : "invalid"} in ${input.slice(start, addrEnd)}`,
      )
      return undefined
    }
  }
  if (!parseV6(input, start, aEnd)) {
    err.e = invalidInput("address", explainV6(input.slice(start, aEnd)))
    return undefined
  }
  return new Net(6, prefix, v6Out[0]!, v6Out[1]!, v6Out[2]!, v6Out[3]!, zone)
}

/** Formats `net/prefix` of `n` (host bits cleared), keeping the zone as Python does. */
export const formatCidr = (n: Net): string => {
  if (n.version === 4) return formatV4((n.w3 & mask4(n.prefix)) >>> 0) + "/" + n.prefix
  const p = n.prefix
  const text = formatV6(
    (n.w0 & maskWord(p, 0)) >>> 0,
    (n.w1 & maskWord(p, 1)) >>> 0,
    (n.w2 & maskWord(p, 2)) >>> 0,
    (n.w3 & maskWord(p, 3)) >>> 0,
  )
  return text + (n.zone === undefined ? "" : "%" + n.zone) + "/" + p
}
