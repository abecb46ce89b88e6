/**
 * The in-memory OUI registry. It is the snapshot layout itself: per block a sorted `Float64Array`
 * of prefixes and two `Uint32Array`s of string ids, plus two string tables stored as deflated
 * chunks of 256 strings. Loading is a few typed-array views over one buffer, with no parse and no
 * decompression; a chunk is inflated the first time one of its strings is asked for.
 */
import { Option } from "effect"
import { deflateRawSync, inflateRawSync } from "node:zlib"

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

const MAGIC = [0x4e, 0x57, 0x4f, 0x55, 0x49, 0x00, 0x00, 0x02] // "NWOUI", format 2

const align8 = (n: number): number => (n + 7) & ~7

const utf8 = new TextDecoder()

/** Deduplicated strings as UTF-8 with offsets; each string is decoded the first time it is asked for. */
const CHUNK_BITS = 8
const CHUNK = 1 << CHUNK_BITS

/**
 * Deduplicated strings in deflated chunks of 256, `\n`-joined (registry fields are one line). A
 * lookup inflates one ~10 KB chunk; only a search inflates them all.
 */
class StringTable {
  private readonly chunks: Array<Array<string> | undefined>
  constructor(
    readonly size: number,
    /** Byte offset of each chunk in `bytes`, plus the end. */
    readonly offsets: Uint32Array,
    readonly bytes: Uint8Array,
  ) {
    this.chunks = new Array<Array<string> | undefined>(Math.max(0, offsets.length - 1)).fill(
      undefined,
    )
  }
  get(i: number): string {
    const c = i >>> CHUNK_BITS
    const chunk = this.chunks[c] ?? this.inflate(c)
    return chunk[i & (CHUNK - 1)] ?? ""
  }
  private inflate(c: number): Array<string> {
    const raw = inflateRawSync(this.bytes.subarray(this.offsets[c], this.offsets[c + 1]))
    const chunk = utf8.decode(raw).split("\n")
    this.chunks[c] = chunk
    return chunk
  }
  static of(strings: ReadonlyArray<string>): StringTable {
    const parts: Array<Uint8Array> = []
    for (let i = 0; i < strings.length; i += CHUNK) {
      parts.push(
        deflateRawSync(Buffer.from(strings.slice(i, i + CHUNK).join("\n"), "utf8"), { level: 9 }),
      )
    }
    const offsets = new Uint32Array(parts.length + 1)
    parts.forEach((part, i) => (offsets[i + 1] = (offsets[i] as number) + part.length))
    const bytes = new Uint8Array(offsets[parts.length] as number)
    parts.forEach((part, i) => bytes.set(part, offsets[i]))
    return new StringTable(strings.length, offsets, bytes)
  }
}

interface SubBlocks {
  medium: Int32Array | undefined
  small: Int32Array | undefined
}

/** Sub-block slots of the subdivided MA-L blocks: per block, `width` row numbers (-1 when free). */
interface SlotTable {
  readonly blocks: Float64Array
  readonly slots: Int32Array
}

/**
 * Lookup indexes, computed when the snapshot is built and stored in it: computing them takes
 * ~100k loop turns, which on a cold start (every CLI run) costs more than reading them.
 */
interface Index {
  /** First MA-L row of each top-16-bit bucket: a lookup scans ~1 key instead of a binary search. */
  readonly bucket: Uint32Array
  readonly medium: SlotTable
  readonly small: SlotTable
}

/** Groups sorted sub-block keys by MA-L block; duplicates keep file order, so the first row wins. */
const slotTable = (keys: Float64Array, width: number): SlotTable => {
  const blocks: Array<number> = []
  const slots: Array<Int32Array> = []
  let i = 0
  while (i < keys.length) {
    const p24 = Math.floor((keys[i] as number) / width)
    const block = new Int32Array(width).fill(-1)
    for (; i < keys.length && Math.floor((keys[i] as number) / width) === p24; i++) {
      const slot = (keys[i] as number) % width
      if (block[slot] === -1) block[slot] = i
    }
    blocks.push(p24)
    slots.push(block)
  }
  const all = new Int32Array(blocks.length * width)
  slots.forEach((block, j) => all.set(block, j * width))
  return { blocks: Float64Array.from(blocks), slots: all }
}

const buildIndex = (tables: readonly [Table, Table, Table]): Index => {
  const large = tables[0].keys
  const bucket = new Uint32Array(65537)
  for (let i = 0; i < large.length; i++) {
    const b = ((large[i] as number) >>> 8) + 1
    bucket[b] = (bucket[b] as number) + 1
  }
  for (let b = 0; b < 65536; b++) bucket[b + 1] = (bucket[b + 1] as number) + (bucket[b] as number)
  return { bucket, medium: slotTable(tables[1].keys, 16), small: slotTable(tables[2].keys, 4096) }
}

/** The loaded registry; build it with `fromRows` or `decode`. */
export class OuiRegistry {
  private lowerNames: Array<string> | undefined
  private readonly cache: [
    Array<Option.Option<Assignment> | undefined>,
    Array<Option.Option<Assignment> | undefined>,
    Array<Option.Option<Assignment> | undefined>,
  ]
  private readonly bucket: Uint32Array
  /** Per IEEE-subdivided MA-L block, direct row tables of its MA-M (16) and MA-S (4,096) sub-blocks. */
  private readonly subdivided: Map<number, SubBlocks>
  /** Top 16 bits of the subdivided blocks: most MACs skip the Map lookup on one byte read. */
  private readonly mayBeSubdivided: Uint8Array
  private readonly index: Index

  constructor(
    readonly meta: Meta,
    private readonly tables: readonly [Table, Table, Table],
    private readonly names: StringTable,
    private readonly addresses: StringTable,
    index?: Index,
  ) {
    const slots = (t: Table) =>
      new Array<Option.Option<Assignment> | undefined>(t.keys.length).fill(undefined)
    this.cache = [slots(tables[0]), slots(tables[1]), slots(tables[2])]
    this.index = index ?? buildIndex(tables)
    this.bucket = this.index.bucket
    const subdivided = new Map<number, SubBlocks>()
    this.mayBeSubdivided = new Uint8Array(65536)
    for (const [table, width] of [
      [this.index.medium, 16],
      [this.index.small, 4096],
    ] as const) {
      for (let j = 0; j < table.blocks.length; j++) {
        const p24 = table.blocks[j] as number
        let e = subdivided.get(p24)
        if (e === undefined) subdivided.set(p24, (e = { medium: undefined, small: undefined }))
        const view = table.slots.subarray(j * width, (j + 1) * width)
        if (width === 16) e.medium = view
        else e.small = view
        this.mayBeSubdivided[p24 >>> 8] = 1
      }
    }
    this.subdivided = subdivided
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
    size += align8(this.index.bucket.byteLength)
    for (const t of [this.index.medium, this.index.small])
      size += 8 + align8(t.blocks.byteLength) + align8(t.slots.byteLength)
    const out = new Uint8Array(size)
    const view = new DataView(out.buffer)
    out.set(MAGIC, 0)
    view.setUint32(8, metaBytes.length, true)
    out.set(metaBytes, 12)
    let at = align8(12 + metaBytes.length)
    const put = (array: Float64Array | Uint32Array | Int32Array): void => {
      const step = array instanceof Float64Array ? 8 : 4
      for (let i = 0; i < array.length; i++) {
        if (array instanceof Float64Array) view.setFloat64(at + i * 8, array[i] as number, true)
        else if (array instanceof Int32Array) view.setInt32(at + i * 4, array[i] as number, true)
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
    put(this.index.bucket)
    for (const t of [this.index.medium, this.index.small]) {
      view.setUint32(at, t.blocks.length, true)
      at += 8
      put(t.blocks)
      put(t.slots)
    }
    for (const t of [this.names, this.addresses]) {
      view.setUint32(at, t.size, true)
      view.setUint32(at + 4, t.offsets.length, true)
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
  const ints = (n: number): Int32Array => {
    need(n * 4)
    const a = littleEndian
      ? new Int32Array(bytes.buffer, bytes.byteOffset + at, n)
      : Int32Array.from({ length: n }, (_, i) => view.getInt32(at + i * 4, true))
    at += align8(n * 4)
    return a
  }
  const bucket = uints(65537)
  const slotTable = (width: number): SlotTable => {
    need(8)
    const n = view.getUint32(at, true)
    at += 8
    return { blocks: floats(n), slots: ints(n * width) }
  }
  const index: Index = { bucket, medium: slotTable(16), small: slotTable(4096) }
  const strings = (): StringTable => {
    need(8)
    const size = view.getUint32(at, true)
    const count = view.getUint32(at + 4, true)
    at += 8
    if (count !== Math.ceil(size / CHUNK) + 1)
      throw new SnapshotError("the snapshot's string table is inconsistent")
    const offsets = uints(count)
    need(8)
    const n = view.getUint32(at, true)
    at += 8
    need(n)
    const b = bytes.subarray(at, at + n)
    at += align8(n)
    if (offsets.length === 0 || offsets[offsets.length - 1] !== n)
      throw new SnapshotError("the snapshot's string table is inconsistent")
    return new StringTable(size, offsets, b)
  }
  const names = strings()
  const addresses = strings()
  return new OuiRegistry(meta, tables, names, addresses, index)
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
  const join = (ids: Map<string, number>): StringTable => StringTable.of([...ids.keys()])
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
