/**
 * The package's one IP literal parser: hand-written char-code parsers and formatters for IPv4 (one
 * uint32) and IPv6 (four uint32 words, most significant first), used by IpCalc, Target, GeoIp and
 * WHOIS/RDAP alike. The rules are the subnet calculator's (Python `ipaddress`): IPv4 is a strict
 * dotted quad (no leading zeros, which `inet_aton` reads as octal, no hex, no short forms); IPv6 is
 * RFC 4291 section 2.2 text with at most one `::` and an optional dotted-quad tail; a zone id
 * (`%eth0`) only where the caller asks for one. Accept/refuse agrees with `node:net`'s `isIPv4`
 * and `isIPv6` (property-tested).
 *
 * The fast parsers only answer "valid or not"; when they refuse, the `explain*` functions re-read
 * the text slowly to say which part is wrong, so the hot path carries no message building. `parse`
 * and `format` are the whole-literal API for callers that want bytes.
 */

/** Parse failure marker of the fast IPv4 parser (valid results are 0..2^32-1). */
export const BAD = -1

/** Where the last successful `scanV4` stopped: the index of the first character after the address. */
export const scanned = { stop: 0 }

/**
 * The one dotted-quad loop: strict IPv4 in `s[start, end)`, or up to a `/` when `slashEnds`
 * (its index goes to `scanned.stop`); BAD otherwise.
 */
const dottedQuad = (s: string, start: number, end: number, slashEnds: boolean): number => {
  let value = 0
  let octet = 0
  let digits = 0
  let dots = 0
  let leadingZero = false
  let i = start
  for (; i < end; i++) {
    const c = s.charCodeAt(i)
    if (c >= 48 && c <= 57) {
      if (leadingZero) return BAD
      if (digits === 0 && c === 48) leadingZero = true
      octet = octet * 10 + (c - 48)
      if (++digits > 3) return BAD
    } else if (c === 46) {
      if (digits === 0 || octet > 255 || dots === 3) return BAD
      value = value * 256 + octet
      dots++
      octet = 0
      digits = 0
      leadingZero = false
    } else if (c === 47 && slashEnds) break
    else return BAD
  }
  if (digits === 0 || octet > 255 || dots !== 3) return BAD
  scanned.stop = i
  return value * 256 + octet
}

/** Parses strict dotted-quad IPv4 in `s[start, end)` (no leading zeros, no hex, no short forms). */
export const parseV4 = (s: string, start: number, end: number): number =>
  dottedQuad(s, start, end, false)

/**
 * `parseV4` for the subnet calculator's common case, in one pass: a strict dotted quad starting at
 * 0 and ended by `end` or a `/` (its index goes to `scanned.stop`); BAD otherwise.
 */
export const scanV4 = (s: string, end: number): number => dottedQuad(s, 0, end, true)

/**
 * Whether `s[start, end)` is an acceptable IPv6 zone id: not empty, and no `%`, `/`, blank or
 * control character (RFC 4007 leaves the text to the system; these never name an interface and
 * would end or corrupt the literal wherever it is written).
 */
export const zoneOk = (s: string, start: number, end: number): boolean => {
  if (start >= end) return false
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i)
    if (c <= 32 || c === 37 || c === 47 || (c >= 127 && c <= 159)) return false
    if (c === 0x2028 || c === 0x2029 || c === 0xa0 || c === 0xfeff) return false
  }
  return true
}

/** Hex digit values by char code (-1: not a hex digit). */
const HEXV = Int8Array.from({ length: 128 }, (_, c) =>
  c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1,
)
const hexValue = (c: number): number => (c < 128 ? HEXV[c]! : -1)

/** Scratch for the 8 groups of the IPv6 parser; safe because parsing is synchronous. */
const groups = new Uint32Array(8)

/** Where `parseV6` writes its result: four uint32 words, most significant first. */
export const v6Out = new Uint32Array(4)

/** Parses an IPv6 literal in `s[start, end)` (no zone) into `v6Out`; false when it is not one. */
export const parseV6 = (s: string, start: number, end: number): boolean => {
  let i = start
  let n = 0
  let gap = -1
  if (i >= end) return false
  if (s.charCodeAt(i) === 58) {
    if (i + 1 >= end || s.charCodeAt(i + 1) !== 58) return false
    gap = 0
    i += 2
    if (i === end) {
      v6Out[0] = v6Out[1] = v6Out[2] = v6Out[3] = 0
      return true
    }
  }
  for (;;) {
    const groupStart = i
    let v = 0
    while (i < end) {
      const h = hexValue(s.charCodeAt(i))
      if (h < 0) break
      v = v * 16 + h
      i++
    }
    const len = i - groupStart
    if (i < end && s.charCodeAt(i) === 46) {
      // An embedded dotted quad takes the last two groups.
      if (n > 6) return false
      const v4 = parseV4(s, groupStart, end)
      if (v4 === BAD) return false
      groups[n++] = v4 >>> 16
      groups[n++] = v4 & 0xffff
      break
    }
    if (len === 0 || len > 4 || n === 8) return false
    groups[n++] = v
    if (i === end) break
    if (s.charCodeAt(i) !== 58) return false
    i++
    if (i < end && s.charCodeAt(i) === 58) {
      if (gap >= 0) return false
      gap = n
      i++
      if (i === end) break
    } else if (i === end) return false
  }
  if (gap < 0 ? n !== 8 : n > 7) return false
  const shift = 8 - n
  for (let w = 0; w < 4; w++) {
    const hiIdx = 2 * w
    const loIdx = hiIdx + 1
    const hi =
      gap < 0 || hiIdx < gap ? groups[hiIdx]! : hiIdx < gap + shift ? 0 : groups[hiIdx - shift]!
    const lo =
      gap < 0 || loIdx < gap ? groups[loIdx]! : loIdx < gap + shift ? 0 : groups[loIdx - shift]!
    v6Out[w] = ((hi << 16) | lo) >>> 0
  }
  return true
}

const OCTET: ReadonlyArray<string> = Array.from({ length: 256 }, (_, i) => String(i))
const OCTET_DOT: ReadonlyArray<string> = OCTET.map((o) => o + ".")

/** Formats a uint32 as a dotted quad (four table reads, three concatenations). */
export const formatV4 = (a: number): string =>
  OCTET_DOT[a >>> 24]! +
  OCTET_DOT[(a >>> 16) & 255]! +
  OCTET_DOT[(a >>> 8) & 255]! +
  OCTET[a & 255]!

/**
 * Every 16-bit group in lower-case hex without leading zeros, bare and with a leading colon, plus
 * the longest-zero-run answer for each 8-bit "which groups are zero" mask. Built on the first IPv6
 * format (about 4 MB of short strings): eight table reads and seven concatenations per address.
 */
interface V6Tables {
  readonly hex: Array<string>
  readonly colonHex: Array<string>
  readonly runStart: Int8Array
  readonly runLen: Int8Array
}
let tables: V6Tables | undefined
const buildTables = (): V6Tables => {
  const hex = new Array<string>(65536)
  const colonHex = new Array<string>(65536)
  for (let g = 0; g < 65536; g++) {
    hex[g] = g.toString(16)
    colonHex[g] = ":" + hex[g]!
  }
  const runStart = new Int8Array(256)
  const runLen = new Int8Array(256)
  for (let m = 0; m < 256; m++) {
    // RFC 5952 4.2: the longest run of two or more zero groups, the first one on a tie.
    let bestStart = -1
    let bestLen = 1
    let start = -1
    for (let i = 0; i < 8; i++) {
      if ((m & (1 << i)) !== 0) {
        if (start < 0) start = i
        if (i - start + 1 > bestLen) {
          bestLen = i - start + 1
          bestStart = start
        }
      } else start = -1
    }
    runStart[m] = bestStart
    runLen[m] = bestStart < 0 ? 0 : bestLen
  }
  return (tables = { hex, colonHex, runStart, runLen })
}

/** Scratch for the formatter's 8 groups; safe because formatting is synchronous. */
const G = new Uint16Array(8)

/** Formats IPv6 words per RFC 5952: lower case, longest zero run (of two or more) as `::`, first run on a tie, IPv4-mapped as `::ffff:a.b.c.d` (section 5). */
export const formatV6 = (w0: number, w1: number, w2: number, w3: number): string => {
  if (w0 === 0 && w1 === 0 && w2 === 0xffff) return "::ffff:" + formatV4(w3)
  const t = tables ?? buildTables()
  const H = t.hex
  const HC = t.colonHex
  G[0] = w0 >>> 16
  G[1] = w0 & 0xffff
  G[2] = w1 >>> 16
  G[3] = w1 & 0xffff
  G[4] = w2 >>> 16
  G[5] = w2 & 0xffff
  G[6] = w3 >>> 16
  G[7] = w3 & 0xffff
  let zeros = 0
  for (let i = 0; i < 8; i++) if (G[i] === 0) zeros |= 1 << i
  const start = t.runStart[zeros]!
  if (start < 0)
    return (
      H[G[0]!]! +
      HC[G[1]!]! +
      HC[G[2]!]! +
      HC[G[3]!]! +
      HC[G[4]!]! +
      HC[G[5]!]! +
      HC[G[6]!]! +
      HC[G[7]!]!
    )
  let out = start === 0 ? "" : H[G[0]!]!
  for (let i = 1; i < start; i++) out += HC[G[i]!]!
  out += ":"
  const after = start + t.runLen[zeros]!
  if (after === 8) return out + ":"
  for (let i = after; i < 8; i++) out += HC[G[i]!]!
  return out
}

/** Formats IPv6 words as eight four-digit groups. */
export const expandV6 = (w0: number, w1: number, w2: number, w3: number): string =>
  HEX2[w0 >>> 24]! +
  HEX2[(w0 >>> 16) & 255]! +
  ":" +
  HEX2[(w0 >>> 8) & 255]! +
  HEX2[w0 & 255]! +
  ":" +
  HEX2[w1 >>> 24]! +
  HEX2[(w1 >>> 16) & 255]! +
  ":" +
  HEX2[(w1 >>> 8) & 255]! +
  HEX2[w1 & 255]! +
  ":" +
  HEX2[w2 >>> 24]! +
  HEX2[(w2 >>> 16) & 255]! +
  ":" +
  HEX2[(w2 >>> 8) & 255]! +
  HEX2[w2 & 255]! +
  ":" +
  HEX2[w3 >>> 24]! +
  HEX2[(w3 >>> 16) & 255]! +
  ":" +
  HEX2[(w3 >>> 8) & 255]! +
  HEX2[w3 & 255]!

/** Two-digit hex of each byte. */
const HEX2: ReadonlyArray<string> = Array.from({ length: 256 }, (_, i) =>
  i.toString(16).padStart(2, "0"),
)
/** Each byte's two nibbles, low first, dot-terminated: the ip6.arpa order. */
const REV2: ReadonlyArray<string> = Array.from(
  { length: 256 },
  (_, i) => `${(i & 15).toString(16)}.${(i >>> 4).toString(16)}.`,
)

/** The ip6.arpa name of the first `nibbles` nibbles of an address (all 32: its PTR name). */
export const ip6Arpa = (
  w0: number,
  w1: number,
  w2: number,
  w3: number,
  nibbles: number,
): string => {
  let out = "ip6.arpa"
  const words = [w0, w1, w2, w3]
  const whole = nibbles >>> 1
  for (let b = 0; b < whole; b++) out = REV2[(words[b >>> 2]! >>> (24 - 8 * (b & 3))) & 255]! + out
  if ((nibbles & 1) === 1) {
    const byte = (words[whole >>> 2]! >>> (24 - 8 * (whole & 3))) & 255
    out = (byte >>> 4).toString(16) + "." + out
  }
  return out
}

/**
 * Whether an ASCII host name's last label is a number (`1`, `0x7f`): the URL host parser reads
 * such a name as an IPv4 address (WHATWG "ends in a number"), so it is no host name.
 */
export const endsInNumber = (name: string): boolean => /(?:^|\.)(?:[0-9]+|0x[0-9a-f]*)$/.test(name)

// ---------------------------------------------------------------------------------------------
// Slow explanations: only run after a fast parser refused the text.

const isDigits = (t: string): boolean => t.length > 0 && /^[0-9]+$/.test(t)

/** Says why `text` is not a strict dotted-quad IPv4 address. */
export const explainV4 = (text: string): string => {
  if (text === "") return "the address is empty"
  const parts = text.split(".")
  if (parts.length !== 4) {
    if (parts.length < 4 && parts.every((p) => /^(0x[0-9a-f]+|[0-9]+)$/i.test(p)))
      return `expected 4 octets in ${text} (short inet_aton forms such as 127.1 are ambiguous and not accepted)`
    return `expected 4 octets in ${text}`
  }
  for (const p of parts) {
    if (p === "") return `empty octet in ${text}`
    if (/^0x/i.test(p)) return `hexadecimal octet ${p} in ${text} is not accepted`
    if (!isDigits(p)) return `octet "${p}" in ${text} is not a decimal number`
    if (p.length > 1 && p.startsWith("0"))
      return `octet ${p} in ${text} has a leading zero, which is ambiguous (octal in inet_aton); write ${Number(p)}`
    if (p.length > 3 || Number(p) > 255) return `octet ${p} in ${text} is out of range`
  }
  return `${text} is not a valid IPv4 address`
}

/** Says why `text` (zone removed) is not an IPv6 address. */
export const explainV6 = (text: string): string => {
  if (text === "") return "the address is empty"
  const doubles = text.split("::").length - 1
  if (text.includes(":::")) return `too many colons in ${text}`
  if (doubles > 1) return `"::" appears more than once in ${text}`
  if (text.startsWith(":") && !text.startsWith("::")) return `${text} starts with a single colon`
  if (text.endsWith(":") && !text.endsWith("::")) return `${text} ends with a single colon`
  const parts = text.split(":").filter((p) => p !== "")
  const last = parts[parts.length - 1] ?? ""
  if (last.includes(".")) {
    if (parseV4(last, 0, last.length) === BAD)
      return `embedded IPv4 part ${last} of ${text} is invalid: ${explainV4(last)}`
  }
  for (const [i, p] of parts.entries()) {
    if (p.includes(".")) {
      if (i !== parts.length - 1) return `embedded IPv4 part ${p} of ${text} must come last`
      continue
    }
    if (!/^[0-9a-f]+$/i.test(p)) return `group "${p}" in ${text} is not hexadecimal`
    if (p.length > 4) return `group ${p} in ${text} has more than 4 hex digits`
  }
  const count = parts.reduce((n, p) => n + (p.includes(".") ? 2 : 1), 0)
  if (doubles === 0 && count !== 8) return `expected 8 groups in ${text}, found ${count}`
  if (doubles === 1 && count > 7)
    return `${text} has ${count} groups besides "::", at most 7 are allowed`
  return `${text} is not a valid IPv6 address`
}

const zeroMask = (w0: number, w1: number, w2: number, w3: number): number =>
  ((w0 >>> 16 === 0 ? 1 : 0) |
    ((w0 & 0xffff) === 0 ? 2 : 0) |
    (w1 >>> 16 === 0 ? 4 : 0) |
    ((w1 & 0xffff) === 0 ? 8 : 0) |
    (w2 >>> 16 === 0 ? 16 : 0) |
    ((w2 & 0xffff) === 0 ? 32 : 0) |
    (w3 >>> 16 === 0 ? 64 : 0) |
    ((w3 & 0xffff) === 0 ? 128 : 0)) >>>
  0

/**
 * Formats the address after a network whose last group is zero, reusing the network's text: only
 * the last group changes (0 to 1), so unless that moves the `::` the text differs in its tail.
 */
export const formatV6Next = (
  n0: number,
  n1: number,
  n2: number,
  n3: number,
  text: string,
): string => {
  const t = tables
  if (t === undefined || (n3 & 0xffff) !== 0 || (n0 === 0 && n1 === 0 && n2 === 0xffff))
    return formatV6(n0, n1, n2, n3 + 1)
  const m = zeroMask(n0, n1, n2, n3)
  const start = t.runStart[m]!
  const len = t.runLen[m]!
  // The last group is not in the `::` run: it is written ":0" (or "0"), and the run stays best.
  if (start < 0 || start + len < 8) return text.slice(0, -1) + "1"
  // The run ends the text ("…::"): it keeps its place if, one group shorter, it is still the best.
  const m2 = m & 0x7f
  if (t.runStart[m2] === start && t.runLen[m2] === len - 1) return text + "1"
  return formatV6(n0, n1, n2, n3 + 1)
}

// ---------------------------------------------------------------------------------------------
// Whole literals: the API of callers that want bytes (Target, GeoIp, WHOIS/RDAP).

/** A parsed IP literal. */
export interface Ip {
  readonly version: 4 | 6
  /** 4 or 16 bytes, most significant first. */
  readonly bytes: Uint8Array
  /** The IPv6 zone id (`eth0` of `fe80::1%eth0`); only present when the caller allowed zones. */
  readonly zone?: string
}

/** What a caller accepts besides the bare address. */
export interface ParseOptions {
  /** Accept an IPv6 zone id (`fe80::1%eth0`, see `zoneOk`); never on IPv4. Default: refused. */
  readonly zone?: boolean
}

const v4Bytes = (a: number): Uint8Array =>
  Uint8Array.of(a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255)

const v6Bytes = (): Uint8Array => {
  const b = new Uint8Array(16)
  for (let w = 0; w < 4; w++) {
    const x = v6Out[w]!
    b[4 * w] = x >>> 24
    b[4 * w + 1] = (x >>> 16) & 255
    b[4 * w + 2] = (x >>> 8) & 255
    b[4 * w + 3] = x & 255
  }
  return b
}

/** Parses a whole strict dotted-quad IPv4 literal; `undefined` when it is not one. */
export const parseIpv4 = (text: string): Ip | undefined => {
  const a = parseV4(text, 0, text.length)
  return a === BAD ? undefined : { version: 4, bytes: v4Bytes(a) }
}

/** Parses a whole IPv6 literal (zone id only with `options.zone`); `undefined` when it is not one. */
export const parseIpv6 = (text: string, options?: ParseOptions): Ip | undefined => {
  const percent = text.indexOf("%")
  if (percent >= 0) {
    if (options?.zone !== true || !zoneOk(text, percent + 1, text.length)) return undefined
    return parseV6(text, 0, percent)
      ? { version: 6, bytes: v6Bytes(), zone: text.slice(percent + 1) }
      : undefined
  }
  return parseV6(text, 0, text.length) ? { version: 6, bytes: v6Bytes() } : undefined
}

/**
 * Parses an IPv4 or IPv6 literal, exactly as written (callers trim); `undefined` when it is
 * neither. Pure and total: never throws, whatever the string.
 */
export const parse = (text: string, options?: ParseOptions): Ip | undefined =>
  text.includes(":") ? parseIpv6(text, options) : parseIpv4(text)

const word = (b: Uint8Array, i: number): number =>
  ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0

/**
 * Canonical text: the dotted quad, or RFC 5952 for IPv6 (lower case, the longest run of two or
 * more zero groups as `::`, IPv4-mapped as `::ffff:a.b.c.d`), then `%zone` when there is one.
 * `parse(format(ip))` gives `ip` back.
 */
export const format = (ip: Ip): string => {
  const b = ip.bytes
  if (ip.version === 4) return formatV4(word(b, 0))
  const text = formatV6(word(b, 0), word(b, 4), word(b, 8), word(b, 12))
  return ip.zone === undefined ? text : text + "%" + ip.zone
}
