/**
 * Set operations over address ranges (split, aggregate, range to CIDRs, contains, overlaps). These
 * are not the hot path, so they use BigInt: one code path for both families.
 */
import { formatAddress, mask4, maskWord, type Net } from "./network.js"

/** An inclusive address range of one family. */
export interface Span {
  readonly version: 4 | 6
  readonly lo: bigint
  readonly hi: bigint
}

const M32 = 0xffffffffn

/** The address of `n` as a BigInt. */
export const toBig = (n: { w0: number; w1: number; w2: number; w3: number }): bigint =>
  (BigInt(n.w0) << 96n) | (BigInt(n.w1) << 64n) | (BigInt(n.w2) << 32n) | BigInt(n.w3)

/** Formats a BigInt address of `version`. */
export const formatBig = (version: 4 | 6, x: bigint): string =>
  formatAddress(
    version,
    Number((x >> 96n) & M32),
    Number((x >> 64n) & M32),
    Number((x >> 32n) & M32),
    Number(x & M32),
  )

/** Bits in an address of `version`. */
export const bitsOf = (version: 4 | 6): number => (version === 4 ? 32 : 128)

/** The range a network covers (host bits of the given address dropped). */
export const spanOf = (n: Net): Span => {
  const bits = bitsOf(n.version)
  const lo =
    n.version === 4
      ? BigInt((n.w3 & mask4(n.prefix)) >>> 0)
      : toBig({
          w0: (n.w0 & maskWord(n.prefix, 0)) >>> 0,
          w1: (n.w1 & maskWord(n.prefix, 1)) >>> 0,
          w2: (n.w2 & maskWord(n.prefix, 2)) >>> 0,
          w3: (n.w3 & maskWord(n.prefix, 3)) >>> 0,
        })
  return { version: n.version, lo, hi: lo + (1n << BigInt(bits - n.prefix)) - 1n }
}

/** The fewest CIDR blocks covering exactly `lo..hi`, as `[network, prefix]` pairs. */
export const rangeBlocks = (version: 4 | 6, lo: bigint, hi: bigint): Array<[bigint, number]> => {
  const bits = bitsOf(version)
  const out: Array<[bigint, number]> = []
  let cur = lo
  while (cur <= hi) {
    let size = 0
    // Grow the block while it stays aligned at `cur` and inside the range.
    while (
      size < bits &&
      (cur & ((1n << BigInt(size + 1)) - 1n)) === 0n &&
      cur + (1n << BigInt(size + 1)) - 1n <= hi
    )
      size++
    out.push([cur, bits - size])
    cur += 1n << BigInt(size)
  }
  return out
}

/** Sorts and merges overlapping or adjacent spans of one family. */
export const mergeSpans = (spans: ReadonlyArray<Span>): Array<Span> => {
  const sorted = [...spans].sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0))
  const out: Array<Span> = []
  for (const s of sorted) {
    const last = out[out.length - 1]
    if (last !== undefined && s.lo <= last.hi + 1n) {
      if (s.hi > last.hi) out[out.length - 1] = { version: s.version, lo: last.lo, hi: s.hi }
    } else out.push(s)
  }
  return out
}

/** Formats a block as `network/prefix`. */
export const formatBlock = (version: 4 | 6, network: bigint, prefix: number): string =>
  formatBig(version, network) + "/" + prefix

/** Whether the union of `a` covers every span of `b` (families never cover each other). */
export const covers = (a: ReadonlyArray<Span>, b: ReadonlyArray<Span>): boolean => {
  const merged = {
    4: mergeSpans(a.filter((s) => s.version === 4)),
    6: mergeSpans(a.filter((s) => s.version === 6)),
  }
  return b.every((s) => merged[s.version].some((m) => m.lo <= s.lo && s.hi <= m.hi))
}

/** Whether any span of `a` shares an address with any span of `b`. */
export const intersects = (a: ReadonlyArray<Span>, b: ReadonlyArray<Span>): boolean =>
  a.some((x) => b.some((y) => x.version === y.version && x.lo <= y.hi && y.lo <= x.hi))
