/**
 * MAC address and prefix parsing from char codes into a number: 48 bits fit exactly in a double,
 * so a lookup never builds an intermediate string.
 */

/** A parsed MAC address or prefix: `value` is left-aligned to 48 bits, `bits` is 24..48. */
export interface ParsedMac {
  readonly value: number
  readonly bits: number
}

/** Why a MAC did not parse; the caller wraps it in a `ToolError`. */
export interface MacError {
  readonly message: string
}

const HEX = new Int8Array(128).fill(-1)
for (let i = 0; i < 10; i++) HEX[48 + i] = i
for (let i = 0; i < 6; i++) {
  HEX[65 + i] = 10 + i
  HEX[97 + i] = 10 + i
}

const COLON = 58
const DASH = 45
const DOT = 46

/** 16^k for k = 0..12, to left-align a prefix without `Math.pow` in the hot path. */
const SHIFT: ReadonlyArray<number> = Array.from({ length: 13 }, (_, k) => 16 ** k)

const describe = (code: number): string =>
  code === 32
    ? "a space"
    : code === 9
      ? "a tab"
      : JSON.stringify(String.fromCharCode(code)).slice(1, -1)

/**
 * The side outputs of `scan`: a lookup reads them instead of receiving a fresh object, which keeps
 * the hot path free of allocation. Valid until the next `scan` call (JavaScript is single-threaded).
 */
export const scanned = { bits: 0, message: "" }

const fail = (message: string): number => {
  scanned.message = message
  return -1
}

/**
 * Scans `aa:bb:cc:dd:ee:ff`, `aa-bb-…`, `aabb.ccdd.eeff`, bare hex and prefixes of at least 6 hex
 * digits, case-insensitively, into the 48-bit value (left-aligned) and sets `scanned.bits`. Colon
 * and dash groups may drop a leading zero (`0:1a:2b…`, as BSD `arp` prints them). On bad input it
 * returns -1 and sets `scanned.message`.
 */
export const scan = (text: string): number => {
  let start = 0
  let end = text.length
  while (start < end && (text.charCodeAt(start) === 32 || text.charCodeAt(start) === 9)) start++
  while (end > start && (text.charCodeAt(end - 1) === 32 || text.charCodeAt(end - 1) === 9)) end--
  let value = 0
  let digits = 0
  let group = 0
  let groupLength = 0
  let separator = 0
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i)
    const d = c < 128 ? (HEX[c] as number) : -1
    if (d >= 0) {
      group = group * 16 + d
      if (++groupLength > 12) return fail(`a MAC address has at most 12 hex digits: '${text}'`)
      continue
    }
    if (c === COLON || c === DASH || c === DOT) {
      if (separator === 0) separator = c
      else if (c !== separator)
        return fail(
          `mixed separators '${String.fromCharCode(separator)}' and '${String.fromCharCode(c)}' in '${text}'`,
        )
      value = closeGroup(value, digits, group, groupLength, separator, text)
      if (value < 0) return -1
      digits += separator === DOT ? 4 : 2
      group = 0
      groupLength = 0
      continue
    }
    return fail(`${describe(c)} is not a hex digit in '${text}'`)
  }
  if (separator === 0) {
    value = group
    digits = groupLength
  } else {
    value = closeGroup(value, digits, group, groupLength, separator, text)
    if (value < 0) return -1
    digits += separator === DOT ? 4 : 2
  }
  if (digits < 6)
    return fail(`a MAC prefix needs at least 6 hex digits, got ${digits} in '${text}'`)
  scanned.bits = digits * 4
  return value * (SHIFT[12 - digits] as number)
}

/** Parses a MAC or prefix like `scan`, returning an object (for callers off the hot path). */
export const parseMac = (text: string): ParsedMac | MacError => {
  const value = scan(text)
  return value < 0 ? { message: scanned.message } : { value, bits: scanned.bits }
}

const closeGroup = (
  value: number,
  digits: number,
  group: number,
  groupLength: number,
  separator: number,
  text: string,
): number => {
  if (groupLength === 0) return fail(`empty group in '${text}'`)
  if (separator === DOT) {
    if (groupLength !== 4) return fail(`dotted groups have 4 hex digits in '${text}'`)
    if (digits + 4 > 12) return fail(`a MAC address has at most 12 hex digits: '${text}'`)
    return value * 65536 + group
  }
  if (groupLength > 2)
    return fail(
      `'${String.fromCharCode(separator)}'-separated groups have 1 or 2 hex digits in '${text}'`,
    )
  if (digits + 2 > 12) return fail(`a MAC address has at most 6 groups: '${text}'`)
  return value * 256 + group
}

const HEX_DIGITS = "0123456789abcdef"
const OCTETS: ReadonlyArray<string> = Array.from({ length: 256 }, (_, i) =>
  i.toString(16).padStart(2, "0"),
)

/** Formats the first `bits / 4` hex digits of a 48-bit value as colon-separated lowercase octets. */
export const formatMac = (value: number, bits = 48): string => {
  const hi = Math.floor(value / 16777216)
  const lo = value - hi * 16777216
  if (bits === 48) {
    return `${OCTETS[hi >>> 16]}:${OCTETS[(hi >>> 8) & 255]}:${OCTETS[hi & 255]}:${OCTETS[lo >>> 16]}:${OCTETS[(lo >>> 8) & 255]}:${OCTETS[lo & 255]}`
  }
  const digits = Math.ceil(bits / 4)
  let out = ""
  for (let i = 0; i < digits; i++) {
    const nibble = Math.floor(value / (SHIFT[11 - i] as number)) % 16
    if (i > 0 && i % 2 === 0) out += ":"
    out += HEX_DIGITS[nibble]
  }
  return out
}

/** Formats a `bits`-long prefix of a 48-bit value as uppercase hex, the IEEE spelling (`8C1F64477`). */
export const formatHex = (value: number, bits: number): string =>
  Math.floor(value / 2 ** (48 - bits))
    .toString(16)
    .toUpperCase()
    .padStart(bits / 4, "0")
