/**
 * One opened MaxMind DB file: the `maxmind` reader plus a structural check that runs before the
 * reader is trusted, because `mmdb-lib` only parses the metadata up front and would otherwise hit
 * a corrupt tree or data section on some later lookup, in the middle of serving traffic.
 */
import { Either, Option } from "effect"
import { Reader } from "maxmind"
import { ToolError, invalidInput } from "../../ToolError.js"
import { parse as parseLiteral } from "../ip/address.js"

/** What the file says about itself (the MaxMind DB metadata section). */
export interface DatabaseMetadata {
  readonly databaseType: string
  /** Build time as an ISO-8601 date-time. */
  readonly buildEpoch: string
  readonly ipVersion: 4 | 6
  readonly nodeCount: number
  readonly recordSize: 24 | 28 | 32
  readonly binaryFormat: string
  readonly languages: ReadonlyArray<string>
  readonly description: Readonly<Record<string, string>>
}

/** A record found for an address, with the network it is stored under. */
export interface Match {
  readonly record: unknown
  /** The matched network, e.g. `81.2.69.160/27` (IPv4 form for IPv4 lookups). */
  readonly network: string
  readonly prefixLength: number
}

/** An opened, verified database. */
export interface Database {
  readonly source: string
  readonly metadata: DatabaseMetadata
  /** Finds `ip`; `None` when the DB holds nothing for it. Fails only on a bad IP or corrupt data. */
  readonly lookup: (ip: string) => Either.Either<Option.Option<Match>, ToolError>
}

/** A normalized address: the text `mmdb-lib` gets, its bytes, and the family. */
export interface ParsedIp {
  readonly text: string
  readonly bytes: Uint8Array
  readonly version: 4 | 6
}

const METADATA_MARKER = Buffer.from("abcdef4d61784d696e642e636f6d", "hex")
const METADATA_MAX = 128 * 1024
const SEPARATOR = 16

const unparseable = (source: string, message: string, cause?: unknown): ToolError =>
  new ToolError({ reason: "Unparseable", message: `${source}: ${message}`, cause })

/**
 * Parses an IP literal (the package's one parser). An IPv6 zone id is accepted and dropped: it does
 * not change the address's owner. `text` is the trimmed input without the zone.
 */
export const parseIp = (input: string): Either.Either<ParsedIp, ToolError> => {
  const trimmed = input.trim()
  const ip = parseLiteral(trimmed, { zone: true })
  if (ip === undefined)
    return Either.left(invalidInput("ip", `"${input}" is not an IPv4 or IPv6 address`))
  const text = ip.zone === undefined ? trimmed : trimmed.slice(0, trimmed.indexOf("%"))
  return Either.right({ text, bytes: ip.bytes, version: ip.version })
}

/** Formats the first `prefix` bits of `bytes` as a CIDR. */
export const formatNetwork = (bytes: Uint8Array, prefix: number): string => {
  const masked = Uint8Array.from(bytes, (b, i) => {
    const keep = Math.max(0, Math.min(8, prefix - i * 8))
    return b & ((0xff << (8 - keep)) & 0xff)
  })
  if (masked.length === 4) return `${masked.join(".")}/${prefix}`
  const groups: Array<string> = []
  for (let i = 0; i < 16; i += 2)
    groups.push((((masked[i] ?? 0) << 8) | (masked[i + 1] ?? 0)).toString(16))
  // Compress the longest run of zero groups, as RFC 5952 asks.
  let best = -1
  let bestLen = 1
  for (let i = 0; i < 8;) {
    if (groups[i] !== "0") {
      i++
      continue
    }
    let j = i
    while (j < 8 && groups[j] === "0") j++
    if (j - i > bestLen) {
      best = i
      bestLen = j - i
    }
    i = j
  }
  const text =
    best < 0
      ? groups.join(":")
      : `${groups.slice(0, best).join(":")}::${groups.slice(best + bestLen).join(":")}`
  return `${text}/${prefix}`
}

/** Reads the left (`side` 0) or right (1) record of a node; no allocation, it runs per node. */
const recordReader = (buf: Buffer, recordSize: number) => {
  switch (recordSize) {
    case 24:
      return (node: number, side: number): number => {
        const o = node * 6 + side * 3
        return ((buf[o] as number) << 16) | ((buf[o + 1] as number) << 8) | (buf[o + 2] as number)
      }
    case 28:
      return (node: number, side: number): number => {
        const o = node * 7
        const mid = buf[o + 3] as number
        const high = side === 0 ? mid >> 4 : mid & 0x0f
        const b = o + side * 4
        return (
          high * 0x1000000 +
          (((buf[b] as number) << 16) | ((buf[b + 1] as number) << 8) | (buf[b + 2] as number))
        )
      }
    default:
      return (node: number, side: number): number => buf.readUInt32BE(node * 8 + side * 4)
  }
}

/** libmaxminddb's limit; deeper data is either hostile or broken. */
const MAX_DATA_DEPTH = 512
const utf8 = new TextDecoder("utf-8", { fatal: true })

/**
 * Walks one value of the data section by the spec's rules, which `mmdb-lib` does not enforce
 * (it reads a 3-byte "double" as 8 bytes, follows pointer chains forever, recurses without
 * bound). Returns the height of the value; memoizes pointer targets so shared records are
 * checked once.
 */
const dataChecker = (buf: Buffer, start: number, end: number) => {
  const heights = new Map<number, number>()
  const inProgress = new Set<number>()
  const fail = (offset: number, why: string): never => {
    throw new Error(`${why} at data offset ${offset - start}`)
  }
  const byte = (at: number): number =>
    at < end ? (buf[at] as number) : fail(at, "value runs past the section")
  const uint = (at: number, n: number): number => {
    let v = 0
    for (let i = 0; i < n; i++) v = v * 256 + byte(at + i)
    return v
  }
  const text = (at: number, from: number, to: number): void => {
    for (let i = from; i < to; i++) {
      if ((buf[i] as number) >= 0x80) {
        try {
          utf8.decode(buf.subarray(from, to))
        } catch {
          fail(at, "string is not valid UTF-8")
        }
        return
      }
    }
  }
  // Height of the value just checked; a side channel so the hot path allocates nothing.
  let height = 0
  // Checks the value at `at` and returns the offset just past it.
  const value = (at: number, depth: number, keyOnly: boolean): number => {
    if (depth > MAX_DATA_DEPTH) fail(at, `data nested deeper than ${MAX_DATA_DEPTH}`)
    const ctrl = byte(at)
    let p = at + 1
    let type = ctrl >> 5
    if (type === 1) {
      const ss = (ctrl >> 3) & 3
      const vvv = ctrl & 7
      const raw = uint(p, ss + 1)
      const target =
        ss === 0
          ? vvv * 256 + raw
          : ss === 1
            ? vvv * 65536 + raw + 2048
            : ss === 2
              ? vvv * 16777216 + raw + 526336
              : raw
      const abs = start + target
      if (abs >= end) fail(at, "pointer past the section")
      const targetType = byte(abs) >> 5
      if (targetType === 1) fail(at, "pointer to a pointer")
      if (keyOnly && targetType !== 2) fail(at, "map key is not a string")
      let h = heights.get(abs)
      if (h === undefined) {
        if (inProgress.has(abs)) fail(at, "cyclic pointer")
        inProgress.add(abs)
        value(abs, depth, keyOnly)
        h = height
        inProgress.delete(abs)
        heights.set(abs, h)
      }
      if (depth + h > MAX_DATA_DEPTH) fail(at, `data nested deeper than ${MAX_DATA_DEPTH}`)
      height = h
      return p + ss + 1
    }
    if (type === 0) {
      type = byte(p) + 7
      p++
      if (type < 8 || type === 12 || type === 13 || type > 15)
        fail(at, `invalid extended type ${type}`)
    }
    if (keyOnly && type !== 2) fail(at, "map key is not a string")
    let size = ctrl & 0x1f
    if (size === 29) size = 29 + uint(p++, 1)
    else if (size === 30) {
      size = 285 + uint(p, 2)
      p += 2
    } else if (size === 31) {
      size = 65821 + uint(p, 3)
      p += 3
    }
    height = 0
    switch (type) {
      case 7:
      case 11: {
        let h = 1
        for (let i = 0; i < size; i++) {
          if (type === 7) p = value(p, depth + 1, true)
          p = value(p, depth + 1, false)
          if (height + 1 > h) h = height + 1
        }
        height = h
        return p
      }
      case 14:
        return size <= 1 ? p : fail(at, `boolean of value ${size}`)
      case 2:
      case 4:
        break
      case 3:
        if (size !== 8) fail(at, `double of ${size} bytes`)
        break
      case 15:
        if (size !== 4) fail(at, `float of ${size} bytes`)
        break
      case 5:
        if (size > 2) fail(at, `uint16 of ${size} bytes`)
        break
      case 6:
        if (size > 4) fail(at, `uint32 of ${size} bytes`)
        break
      case 8:
        if (size > 4) fail(at, `int32 of ${size} bytes`)
        break
      case 9:
        if (size > 8) fail(at, `uint64 of ${size} bytes`)
        break
      case 10:
        if (size > 16) fail(at, `uint128 of ${size} bytes`)
        break
      default:
        fail(at, `unknown type ${type}`)
    }
    if (p + size > end) fail(at, "value runs past the section")
    if (type === 2) text(at, p, p + size)
    return p + size
  }
  return (offset: number): void => {
    value(start + offset, 0, false)
  }
}

/**
 * Checks what `mmdb-lib` takes on trust: sane metadata, a search tree that fits the file, has no
 * orphan nodes and is no deeper than the address size, a zeroed separator, and records that follow
 * the spec (so `mmdb-lib`'s decoder never meets bytes it would misread). Every node and every
 * distinct record is checked once, so the cost is linear in the file.
 */
const verify = (buf: Buffer, reader: Reader<never>, source: string): ToolError | undefined => {
  const m = reader.metadata
  const markerAt = buf.lastIndexOf(METADATA_MARKER, undefined)
  if (markerAt < 0 || buf.length - markerAt > METADATA_MAX)
    return unparseable(source, "no metadata section")
  if (m.binaryFormatMajorVersion !== 2)
    return unparseable(source, `unsupported format ${m.binaryFormatMajorVersion}`)
  if (m.ipVersion !== 4 && m.ipVersion !== 6)
    return unparseable(source, `bad ip_version ${String(m.ipVersion)}`)
  if (typeof m.databaseType !== "string")
    return unparseable(source, "database_type is not a string")
  if (!Number.isSafeInteger(m.nodeCount) || m.nodeCount <= 0)
    return unparseable(source, "bad node_count")
  if (!Number.isFinite(m.buildEpoch.getTime())) return unparseable(source, "bad build_epoch")
  const treeEnd = m.searchTreeSize
  if (treeEnd + SEPARATOR > markerAt)
    return unparseable(source, "search tree runs past the data section")
  for (let i = treeEnd; i < treeEnd + SEPARATOR; i++) {
    if (buf[i] !== 0)
      return unparseable(source, "data section separator is not zeroed (node_count wrong?)")
  }
  const dataSize = markerAt - treeEnd - SEPARATOR
  const maxDepth = m.ipVersion === 6 ? 128 : 32
  const record = recordReader(buf, m.recordSize)
  const checkData = dataChecker(buf, treeEnd + SEPARATOR, markerAt)
  // Deepest depth each node was reached at (+1, so 0 means unseen). A node is expanded again only
  // when reached deeper, which both bounds the work (IPv4 alias subtrees are shared) and exposes
  // cycles: a cycle keeps reaching its nodes deeper until it passes the address size.
  const reached = new Uint8Array(m.nodeCount)
  let visited = 0
  // One bit per data-section byte: which records were already checked.
  const seenData = new Uint8Array((dataSize >> 3) + 1)
  const stack: Array<number> = [0, 0]
  while (stack.length > 0) {
    const depth = stack.pop() as number
    const node = stack.pop() as number
    const before = reached[node] as number
    if (before > depth) continue
    if (before === 0) visited++
    reached[node] = depth + 1
    for (let side = 0; side < 2; side++) {
      const value = record(node, side)
      if (value < m.nodeCount) {
        if (depth + 1 >= maxDepth)
          return unparseable(source, "search tree deeper than the address size")
        stack.push(value, depth + 1)
      } else if (value > m.nodeCount) {
        const offset = value - m.nodeCount - SEPARATOR
        if (offset >= dataSize) return unparseable(source, "data pointer past the data section")
        const bit = 1 << (offset & 7)
        if (((seenData[offset >> 3] as number) & bit) !== 0) continue
        seenData[offset >> 3] = (seenData[offset >> 3] as number) | bit
        try {
          checkData(offset)
        } catch (e) {
          return unparseable(
            source,
            `corrupt data record (${e instanceof Error ? e.message : String(e)})`,
            e,
          )
        }
      }
    }
  }
  // Writers emit exactly the reachable nodes; orphans mean node_count or the tree is wrong.
  if (visited !== m.nodeCount)
    return unparseable(
      source,
      `${m.nodeCount - visited} of ${m.nodeCount} search tree nodes are unreachable`,
    )
  return undefined
}

/** Opens and verifies a database held in memory. Never throws. */
export const openBuffer = (buf: Buffer, source: string): Either.Either<Database, ToolError> => {
  if (buf[0] === 0x1f && buf[1] === 0x8b) {
    return Either.left(
      unparseable(source, "this is a gzip archive, not a .mmdb file: extract it first"),
    )
  }
  let reader: Reader<never>
  try {
    // No decode cache: records come back as fresh objects a caller may keep or change, and on
    // wide traffic a bounded cache mostly churns (measured slower than none on 300k records).
    reader = new Reader<never>(buf)
  } catch (e) {
    return Either.left(
      unparseable(source, `not a MaxMind DB (${e instanceof Error ? e.message : String(e)})`, e),
    )
  }
  let failure: ToolError | undefined
  try {
    failure = verify(buf, reader, source)
  } catch (e) {
    failure = unparseable(
      source,
      `corrupt database (${e instanceof Error ? e.message : String(e)})`,
      e,
    )
  }
  if (failure !== undefined) return Either.left(failure)
  const m = reader.metadata
  const metadata: DatabaseMetadata = {
    databaseType: m.databaseType,
    buildEpoch: m.buildEpoch.toISOString(),
    ipVersion: m.ipVersion as 4 | 6,
    nodeCount: m.nodeCount,
    recordSize: m.recordSize as 24 | 28 | 32,
    binaryFormat: `${m.binaryFormatMajorVersion}.${m.binaryFormatMinorVersion}`,
    languages: Array.isArray(m.languages) ? m.languages : [],
    description: typeof m.description === "object" && m.description !== null ? m.description : {},
  }
  const lookup = (ip: string): Either.Either<Option.Option<Match>, ToolError> =>
    Either.flatMap(parseIp(ip), (parsed) => {
      // An IPv6 address cannot be found in an IPv4-only tree; that is "not found", not an error.
      if (parsed.version === 6 && metadata.ipVersion === 4) return Either.right(Option.none())
      try {
        const [record, prefixLength] = reader.getWithPrefixLength(parsed.text)
        if (record === null || record === undefined) return Either.right(Option.none())
        return Either.right(
          Option.some({ record, prefixLength, network: formatNetwork(parsed.bytes, prefixLength) }),
        )
      } catch (e) {
        return Either.left(unparseable(source, `lookup of ${parsed.text} failed`, e))
      }
    })
  return Either.right({ source, metadata, lookup })
}
