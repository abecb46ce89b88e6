/**
 * IP literal parsing, RFC 5952 formatting and CIDR matching, small and dependency-free so that
 * Target does not wait on (or couple to) the subnet calculator.
 */

/** A parsed address: 4 or 16 bytes. */
export interface Address {
  readonly version: 4 | 6
  readonly bytes: Uint8Array
}

const V4_PART = /^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$/

/** Strict dotted-quad IPv4 (no leading zeros, no inet_aton short or hex forms). */
export const parseV4 = (text: string): Address | undefined => {
  const parts = text.split(".")
  if (parts.length !== 4) return undefined
  const bytes = new Uint8Array(4)
  for (let i = 0; i < 4; i++) {
    const p = parts[i] ?? ""
    if (!V4_PART.test(p)) return undefined
    bytes[i] = Number(p)
  }
  return { version: 4, bytes }
}

/** IPv6 text form (RFC 4291 section 2.2, including an embedded IPv4 tail); no zone ids. */
export const parseV6 = (text: string): Address | undefined => {
  if (text.length > 45 || !/^[0-9a-fA-F:.]+$/.test(text)) return undefined
  let head = text
  let tail: Array<number> = []
  const lastColon = text.lastIndexOf(":")
  if (text.includes(".")) {
    const v4 = parseV4(text.slice(lastColon + 1))
    if (v4 === undefined) return undefined
    const b = v4.bytes
    tail = [((b[0] ?? 0) << 8) | (b[1] ?? 0), ((b[2] ?? 0) << 8) | (b[3] ?? 0)]
    head = text.slice(0, lastColon + 1)
    if (head.endsWith(":") && !head.endsWith("::")) head = head.slice(0, -1)
  }
  const halves = head.split("::")
  if (halves.length > 2) return undefined
  const group = (s: string): Array<number> | undefined => {
    if (s === "") return []
    const out: Array<number> = []
    for (const g of s.split(":")) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined
      out.push(parseInt(g, 16))
    }
    return out
  }
  const left = group(halves[0] ?? "")
  const right = halves.length === 2 ? group(halves[1] ?? "") : []
  if (left === undefined || right === undefined) return undefined
  const given = left.length + right.length + tail.length
  let words: Array<number>
  if (halves.length === 2) {
    if (given > 7) return undefined
    words = [...left, ...new Array<number>(8 - given).fill(0), ...right, ...tail]
  } else {
    if (given !== 8) return undefined
    words = [...left, ...tail]
  }
  const bytes = new Uint8Array(16)
  words.forEach((w, i) => {
    bytes[i * 2] = w >> 8
    bytes[i * 2 + 1] = w & 0xff
  })
  return { version: 6, bytes }
}

/** Either family. */
export const parse = (text: string): Address | undefined => parseV4(text) ?? parseV6(text)

/** Canonical text: dotted quad, or RFC 5952 (lower case, longest zero run as `::`, mapped v4 dotted). */
export const format = (a: Address): string => {
  const b = a.bytes
  if (a.version === 4) return Array.from(b).join(".")
  const words = Array.from({ length: 8 }, (_, i) => ((b[i * 2] ?? 0) << 8) | (b[i * 2 + 1] ?? 0))
  if (words.slice(0, 5).every((w) => w === 0) && words[5] === 0xffff) {
    return `::ffff:${b[12]}.${b[13]}.${b[14]}.${b[15]}`
  }
  let bestStart = -1
  let bestLen = 1
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && words[j] === 0) j++
    if (j - i > bestLen) {
      bestStart = i
      bestLen = j - i
    }
    i = j
  }
  const hex = (ws: Array<number>) => ws.map((w) => w.toString(16)).join(":")
  if (bestStart < 0) return hex(words)
  return `${hex(words.slice(0, bestStart))}::${hex(words.slice(bestStart + bestLen))}`
}

/** A network: address bytes and prefix length. */
export interface Cidr {
  readonly version: 4 | 6
  readonly bytes: Uint8Array
  readonly prefix: number
}

/** `a.b.c.d/n`, `x::/n` or a bare address (a host route). Host bits may be set; they are ignored. */
export const parseCidr = (text: string): Cidr | undefined => {
  const slash = text.indexOf("/")
  const addr = parse(slash < 0 ? text : text.slice(0, slash))
  if (addr === undefined) return undefined
  const max = addr.version === 4 ? 32 : 128
  if (slash < 0) return { ...addr, prefix: max }
  const p = text.slice(slash + 1)
  if (!/^[0-9]{1,3}$/.test(p) || Number(p) > max) return undefined
  return { ...addr, prefix: Number(p) }
}

/** Whether `address` is inside `cidr` (an IPv4-mapped IPv6 address also matches IPv4 networks). */
export const contains = (cidr: Cidr, address: Address): boolean => {
  let bytes = address.bytes
  if (cidr.version === 4 && address.version === 6) {
    const mapped =
      bytes.slice(0, 10).every((x) => x === 0) && bytes[10] === 0xff && bytes[11] === 0xff
    if (!mapped) return false
    bytes = bytes.slice(12)
  } else if (cidr.version !== address.version) return false
  const full = cidr.prefix >> 3
  for (let i = 0; i < full; i++) if (bytes[i] !== cidr.bytes[i]) return false
  const rest = cidr.prefix & 7
  if (rest === 0) return true
  const mask = (0xff << (8 - rest)) & 0xff
  return ((bytes[full] ?? 0) & mask) === ((cidr.bytes[full] ?? 0) & mask)
}
