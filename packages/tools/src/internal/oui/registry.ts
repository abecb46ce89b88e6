/**
 * The in-memory OUI registry. It is the snapshot layout itself: per block a sorted `Float64Array`
 * of prefixes and two `Uint32Array`s of string ids, plus two UTF-8 string tables with offsets. Loading is
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

const utf8 = new TextDecoder()

/** Deduplicated strings as UTF-8 with offsets; each string is decoded the first time it is asked for. */
class StringTable {
  private readonly strings: Array<string | undefined>
  constructor(
    readonly offsets: Uint32Array,
    readonly bytes: Uint8Array,
  ) {
    // Filled, not sparse: a sparse array written at random indices turns into a slow dictionary.
    this.strings = new Array<string | undefined>(Math.max(0, offsets.length - 1)).fill(undefined)
  }
  get size(): number {
    return this.strings.length
  }
  get(i: number): string {
    const cached = this.strings[i]
    if (cached !== undefined) return cached
    const made = utf8.decode(this.bytes.subarray(this.offsets[i], this.offsets[i + 1]))
    this.strings[i] = made
    return made
  }
  static of(strings: Iterable<string>): StringTable {
    const encoder = new TextEncoder()
    const parts = [...strings].map((x) => encoder.encode(x))
    const offsets = new Uint32Array(parts.length + 1)
    parts.forEach((part, i) => (offsets[i + 1] = (offsets[i] as number) + part.length))
    const bytes = new Uint8Array(offsets[parts.length] as number)
    parts.forEach((part, i) => bytes.set(part, offsets[i]))
    return new StringTable(offsets, bytes)
  }
}

interface SubBlocks {
  medium: Int32Array | undefined
  small: Int32Array | undefined
}

/** The loaded registry; build it with `fromRows` or `decode`. */
export class OuiRegistry {
  private lowerNames: Array<string> | undefined
  private readonly cache: [
    Array<Option.Option<Assignment> | undefined>,
    Array<Option.Option<Assignment> | undefined>,
    Array<Option.Option<Assignment> | undefined>,
  ]
  /** First MA-L row of each top-16-bit bucket: a lookup scans ~1 key instead of a binary search. */
  private readonly bucket: Uint32Array
  /** Per IEEE-subdivided MA-L block, direct row tables of its MA-M (16) and MA-S (4,096) sub-blocks. */
  private readonly subdivided: Map<number, SubBlocks>
  /** Top 16 bits of the subdivided blocks: most MACs skip the Map lookup on one byte read. */
  private readonly mayBeSubdivided: Uint8Array

  constructor(
    readonly meta: Meta,
    private readonly tables: readonly [Table, Table, Table],
    private readonly names: StringTable,
    private readonly addresses: StringTable,
  ) {
    const slots = (t: Table) =>
      new Array<Option.Option<Assignment> | undefined>(t.keys.length).fill(undefined)
    this.cache = [slots(tables[0]), slots(tables[1]), slots(tables[2])]
    const large = tables[0].keys
    const bucket = new Uint32Array(65537)
    let row = 0
    for (let b = 0; b < 65536; b++) {
      bucket[b] = row
      while (row < large.length && (large[row] as number) < (b + 1) * 256) row++
    }
    bucket[65536] = large.length
    this.bucket = bucket
    const subdivided = new Map<number, SubBlocks>()
    const entry = (p24: number): SubBlocks => {
      let e = subdivided.get(p24)
      if (e === undefined) subdivided.set(p24, (e = { medium: undefined, small: undefined }))
      return e
    }
    // Rows are sorted with duplicates in file order, so the first row of a prefix claims its slot.
    tables[1].keys.forEach((k, row) => {
      const e = entry(Math.floor(k / 16))
      const slots = (e.medium ??= new Int32Array(16).fill(-1))
      if (slots[k % 16] === -1) slots[k % 16] = row
    })
    tables[2].keys.forEach((k, row) => {
      const e = entry(Math.floor(k / 4096))
      const slots = (e.small ??= new Int32Array(4096).fill(-1))
      if (slots[k % 4096] === -1) slots[k % 4096] = row
    })
    this.subdivided = subdivided
    this.mayBeSubdivided = new Uint8Array(65536)
    for (const p24 of subdivided.keys()) this.mayBeSubdivided[p24 >>> 8] = 1
  }

  /** The assignment covering the first `bits` bits of the 48-bit `value`, longest prefix first. */
  find(value: number, bits: number): Option.Option<Assignment> {
    const p24 = Math.floor(value / 16777216)
    const sub = this.mayBeSubdivided[p24 >>> 8] === 1 ? this.subdivided.get(p24) : undefined
    if (sub !== undefined) {
      if (bits >= 36 && sub.small !== undefined) {
        const row = sub.small[Math.floor(value / 4096) % 4096] as number
        if (row >= 0) return this.assignment(2, row)
      }
      if (bits >= 28 && sub.medium !== undefined) {
        const row = sub.medium[Math.floor(value / 1048576) % 16] as number
        if (row >= 0) return this.assignment(1, row)
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
    const names = this.names
    const lower = (this.lowerNames ??= Array.from({ length: names.size }, (_, i) =>
      names.get(i).toLowerCase(),
    ))
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
      organization: this.names.get(table.names[i] as number),
      address: this.addresses.get(table.addresses[i] as number),
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
    for (const t of [this.names, this.addresses])
      size += 8 + align8(t.offsets.byteLength) + 8 + align8(t.bytes.length)
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
    for (const t of [this.names, this.addresses]) {
      view.setUint32(at, t.offsets.length, true)
      at += 8
      put(t.offsets)
      view.setUint32(at, t.bytes.length, true)
      at += 8
      out.set(t.bytes, at)
      at += align8(t.bytes.length)
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
  const strings = (): StringTable => {
    need(8)
    const count = view.getUint32(at, true)
    at += 8
    const offsets = uints(count)
    need(8)
    const n = view.getUint32(at, true)
    at += 8
    need(n)
    const b = bytes.subarray(at, at + n)
    at += align8(n)
    if (offsets.length === 0 || offsets[offsets.length - 1] !== n)
      throw new SnapshotError("the snapshot's string table is inconsistent")
    return new StringTable(offsets, b)
  }
  const names = strings()
  const addresses = strings()
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
  const join = (ids: Map<string, number>): StringTable => StringTable.of(ids.keys())
  const counts = {
    "MA-L": rows["MA-L"].length,
    "MA-M": rows["MA-M"].length,
    "MA-S": rows["MA-S"].length,
  }
  return new OuiRegistry({ ...meta, counts }, tables, join(nameIds), join(addressIds))
}

/** Replaces line breaks: a registry field is one line of text (`update` may meet odd files). */
export const oneLine = (s: string): string =>
  s.includes("\n") || s.includes("\r") ? s.replace(/\r?\n|\r/g, " ") : s
