/**
 * The in-memory OUI registry. It is the snapshot layout itself: per block a sorted `Float64Array`
 * of prefixes and two `Uint32Array`s of string ids, plus two UTF-8 string tables. Loading is
 * therefore a few typed-array views over one buffer; strings are decoded on first use.
 */
import { Option } from "effect"

/** An IEEE MAC address block size: MA-L (/24), MA-M (/28), MA-S (/36). */
export type Block = "MA-L" | "MA-M" | "MA-S"

/** The three blocks, in the order the snapshot stores them. */
export const BLOCKS: ReadonlyArray<Block> = ["MA-L", "MA-M", "MA-S"]

/** Prefix length of each block, in bits. */
export const BLOCK_BITS: Readonly<Record<Block, 24 | 28 | 36>> = {
  "MA-L": 24,
  "MA-M": 28,
  "MA-S": 36,
}

/** One IEEE assignment: who holds a MAC prefix. */
export interface Assignment {
  readonly registry: Block
  /** The assigned prefix in IEEE spelling: 6, 7 or 9 uppercase hex digits (`8C1F64477`). */
  readonly prefix: string
  readonly bits: 24 | 28 | 36
  readonly organization: string
  readonly address: string
}

/** Where a registry's data came from. */
export interface Meta {
  /** Human description of the source (URL or file set). */
  readonly source: string
  /** Date of the data (ISO `YYYY-MM-DD`): the IEEE publication or download day. */
  readonly date: string
  readonly counts: Readonly<Record<Block, number>>
}

/** A row before encoding: a prefix (as a number of `bits` bits) and its holder. */
export interface Row {
  readonly key: number
  readonly organization: string
  readonly address: string
}

interface Table {
  readonly keys: Float64Array
  readonly names: Uint32Array
  readonly addresses: Uint32Array
}

const MAGIC = [0x4e, 0x57, 0x4f, 0x55, 0x49, 0x00, 0x00, 0x01] // "NWOUI", format 1

const align8 = (n: number): number => (n + 7) & ~7

/** Decodes a `\n`-joined UTF-8 table into strings, once. */
const splitTable = (bytes: Uint8Array): Array<string> =>
  bytes.length === 0 ? [] : new TextDecoder().decode(bytes).split("\n")

const lowerBound = (keys: Float64Array, key: number): number => {
  let lo = 0
  let hi = keys.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((keys[mid] as number) < key) lo = mid + 1
    else hi = mid
  }
  return lo < keys.length && keys[lo] === key ? lo : -1
}

/** The loaded registry; build it with `fromRows` or `decode`. */
export class OuiRegistry {
  private nameStrings: Array<string> | undefined
  private addressStrings: Array<string> | undefined
  private lowerNames: Array<string> | undefined
  private readonly cache: [
    Array<Option.Option<Assignment>>,
    Array<Option.Option<Assignment>>,
    Array<Option.Option<Assignment>>,
  ]
  /** First MA-L row of each top-16-bit bucket: a lookup scans ~1 key instead of a binary search. */
  private readonly bucket: Uint32Array
  /** MA-L blocks that hold MA-M or MA-S sub-blocks: only these need the longer searches. */
  private readonly subdivided: Set<number>

  constructor(
    readonly meta: Meta,
    private readonly tables: readonly [Table, Table, Table],
    private readonly nameBytes: Uint8Array,
    private readonly addressBytes: Uint8Array,
  ) {
    this.cache = [[], [], []]
    const large = tables[0].keys
    const bucket = new Uint32Array(65537)
    let row = 0
    for (let b = 0; b < 65536; b++) {
      bucket[b] = row
      while (row < large.length && (large[row] as number) < (b + 1) * 256) row++
    }
    bucket[65536] = large.length
    this.bucket = bucket
    this.subdivided = new Set()
    for (const k of tables[1].keys) this.subdivided.add(Math.floor(k / 16))
    for (const k of tables[2].keys) this.subdivided.add(Math.floor(k / 4096))
  }

  /** The assignment covering the first `bits` bits of the 48-bit `value`, longest prefix first. */
  find(value: number, bits: number): Option.Option<Assignment> {
    const p24 = Math.floor(value / 16777216)
    if (this.subdivided.has(p24)) {
      if (bits >= 36) {
        const i = lowerBound(this.tables[2].keys, Math.floor(value / 4096))
        if (i >= 0) return this.assignment(2, i)
      }
      if (bits >= 28) {
        const i = lowerBound(this.tables[1].keys, Math.floor(value / 1048576))
        if (i >= 0) return this.assignment(1, i)
      }
    }
    const keys = this.tables[0].keys
    const b = p24 >>> 8
    const end = this.bucket[b + 1] as number
    for (let i = this.bucket[b] as number; i < end; i++) {
      if (keys[i] === p24) return this.assignment(0, i)
    }
    return Option.none()
  }

  /** True when `value`'s MA-L block is split into MA-M/MA-S sub-blocks. */
  isSubdivided(value: number): boolean {
    return this.subdivided.has(Math.floor(value / 16777216))
  }

  /** Every assignment whose organization contains `needle` (lowercase), in block then prefix order. */
  search(needle: string): Array<Assignment> {
    const lower = (this.lowerNames ??= this.names().map((s) => s.toLowerCase()))
    const hits = new Uint8Array(lower.length)
    for (let i = 0; i < lower.length; i++) if ((lower[i] as string).includes(needle)) hits[i] = 1
    const out: Array<Assignment> = []
    for (let t = 0; t < 3; t++) {
      const names = (this.tables[t] as Table).names
      for (let i = 0; i < names.length; i++) {
        if (hits[names[i] as number] === 1)
          out.push(Option.getOrThrow(this.assignment(t as 0 | 1 | 2, i)))
      }
    }
    return out
  }

  /** Every assignment of `block`, in prefix order (for exports and cross-checks). */
  all(block: Block): Array<Assignment> {
    const t = BLOCKS.indexOf(block) as 0 | 1 | 2
    const n = this.tables[t].keys.length
    return Array.from({ length: n }, (_, i) => Option.getOrThrow(this.assignment(t, i)))
  }

  private names(): Array<string> {
    return (this.nameStrings ??= splitTable(this.nameBytes))
  }

  private addresses(): Array<string> {
    return (this.addressStrings ??= splitTable(this.addressBytes))
  }

  private assignment(t: 0 | 1 | 2, i: number): Option.Option<Assignment> {
    const cached = this.cache[t][i]
    if (cached !== undefined) return cached
    const table = this.tables[t]
    const block = BLOCKS[t] as Block
    const bits = BLOCK_BITS[block]
    const made = Option.some<Assignment>({
      registry: block,
      prefix: (table.keys[i] as number)
        .toString(16)
        .toUpperCase()
        .padStart(bits / 4, "0"),
      bits,
      organization: this.names()[table.names[i] as number] ?? "",
      address: this.addresses()[table.addresses[i] as number] ?? "",
    })
    this.cache[t][i] = made
    return made
  }

  /** Serialises the registry into the snapshot format `decode` reads. */
  encode(): Uint8Array {
    const metaBytes = new TextEncoder().encode(JSON.stringify(this.meta))
    let size = align8(12 + metaBytes.length)
    for (const t of this.tables)
      size +=
        8 + align8(t.keys.byteLength) + align8(t.names.byteLength) + align8(t.addresses.byteLength)
    size += 8 + align8(this.nameBytes.length) + 8 + align8(this.addressBytes.length)
    const out = new Uint8Array(size)
    const view = new DataView(out.buffer)
    out.set(MAGIC, 0)
    view.setUint32(8, metaBytes.length, true)
    out.set(metaBytes, 12)
    let at = align8(12 + metaBytes.length)
    const put = (array: Float64Array | Uint32Array): void => {
      const step = array instanceof Float64Array ? 8 : 4
      for (let i = 0; i < array.length; i++) {
        if (step === 8) view.setFloat64(at + i * 8, array[i] as number, true)
        else view.setUint32(at + i * 4, array[i] as number, true)
      }
      at += align8(array.length * step)
    }
    for (const t of this.tables) {
      view.setUint32(at, t.keys.length, true)
      at += 8
      put(t.keys)
      put(t.names)
      put(t.addresses)
    }
    for (const bytes of [this.nameBytes, this.addressBytes]) {
      view.setUint32(at, bytes.length, true)
      at += 8
      out.set(bytes, at)
      at += align8(bytes.length)
    }
    return out
  }
}

/** Why a snapshot could not be decoded. */
export class SnapshotError extends Error {}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

/**
 * Decodes a snapshot. On little-endian hosts (all common ones) the arrays are views over `input`,
 * so nothing is copied; elsewhere they are read through a `DataView`.
 */
export const decode = (input: Uint8Array): OuiRegistry => {
  const bytes = input.byteOffset % 8 === 0 ? input : input.slice()
  if (bytes.length < 16 || MAGIC.some((b, i) => bytes[i] !== b))
    throw new SnapshotError("not a Netwark OUI snapshot (bad magic)")
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const need = (n: number): void => {
    if (at + n > bytes.length) throw new SnapshotError("the snapshot is truncated")
  }
  let at = 8
  need(4)
  const metaLength = view.getUint32(8, true)
  at = 12
  need(metaLength)
  const meta = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + metaLength))) as Meta
  at = align8(12 + metaLength)
  const floats = (n: number): Float64Array => {
    need(n * 8)
    const a = littleEndian
      ? new Float64Array(bytes.buffer, bytes.byteOffset + at, n)
      : Float64Array.from({ length: n }, (_, i) => view.getFloat64(at + i * 8, true))
    at += align8(n * 8)
    return a
  }
  const uints = (n: number): Uint32Array => {
    need(n * 4)
    const a = littleEndian
      ? new Uint32Array(bytes.buffer, bytes.byteOffset + at, n)
      : Uint32Array.from({ length: n }, (_, i) => view.getUint32(at + i * 4, true))
    at += align8(n * 4)
    return a
  }
  const table = (): Table => {
    need(8)
    const n = view.getUint32(at, true)
    at += 8
    return { keys: floats(n), names: uints(n), addresses: uints(n) }
  }
  const tables = [table(), table(), table()] as const
  const blob = (): Uint8Array => {
    need(8)
    const n = view.getUint32(at, true)
    at += 8
    need(n)
    const b = bytes.subarray(at, at + n)
    at += align8(n)
    return b
  }
  const names = blob()
  const addresses = blob()
  return new OuiRegistry(meta, tables, names, addresses)
}

/** Builds a registry from rows per block; duplicate prefixes keep file order (the first one wins). */
export const fromRows = (
  rows: Readonly<Record<Block, ReadonlyArray<Row>>>,
  meta: Omit<Meta, "counts">,
): OuiRegistry => {
  const nameIds = new Map<string, number>()
  const addressIds = new Map<string, number>()
  const intern = (ids: Map<string, number>, s: string): number => {
    let id = ids.get(s)
    if (id === undefined) {
      id = ids.size
      ids.set(s, id)
    }
    return id
  }
  const tables = BLOCKS.map((block): Table => {
    const sorted = rows[block]
      .map((row, i) => ({ row, i }))
      .sort((a, b) => a.row.key - b.row.key || a.i - b.i)
    const keys = new Float64Array(sorted.length)
    const names = new Uint32Array(sorted.length)
    const addresses = new Uint32Array(sorted.length)
    sorted.forEach(({ row }, i) => {
      keys[i] = row.key
      names[i] = intern(nameIds, row.organization)
      addresses[i] = intern(addressIds, row.address)
    })
    return { keys, names, addresses }
  }) as unknown as readonly [Table, Table, Table]
  const join = (ids: Map<string, number>): Uint8Array =>
    new TextEncoder().encode([...ids.keys()].join("\n"))
  const counts = {
    "MA-L": rows["MA-L"].length,
    "MA-M": rows["MA-M"].length,
    "MA-S": rows["MA-S"].length,
  }
  return new OuiRegistry({ ...meta, counts }, tables, join(nameIds), join(addressIds))
}

/** Replaces line breaks so a string can live in a `\n`-joined table. */
export const oneLine = (s: string): string =>
  s.includes("\n") || s.includes("\r") ? s.replace(/\r?\n|\r/g, " ") : s
