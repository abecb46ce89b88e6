/**
 * MAC address vendor lookup over the IEEE MA-L, MA-M and MA-S registries. A snapshot ships with
 * the package, so lookups work offline; `update` downloads fresh IEEE CSVs into a data directory
 * and `load` prefers that data when present. Nothing is read at import time.
 *
 * @module
 */
import { Context, Duration, Effect, Either, Layer, Option } from "effect"
import { randomBytes } from "node:crypto"
import { readFileSync } from "node:fs"
import * as fs from "node:fs/promises"
import { homedir } from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { gunzipSync } from "node:zlib"
import { BodyTooLarge, readText } from "./internal/http/body.js"
import { FILE_NAMES, readIeeeCsv } from "./internal/oui/ieee.js"
import { formatMac, parseMac as parseMacRaw, scan, scanned } from "./internal/oui/mac.js"
import {
  type Assignment,
  BLOCKS,
  type Block,
  decode,
  fromRows,
  type Meta,
  OuiRegistry,
  type Row,
} from "./internal/oui/registry.js"
import { invalidInput, ToolError } from "./ToolError.js"

/** The registry row, block and provenance types (documented where they are defined). */
export type { Assignment, Block, Meta }

/** A loaded OUI registry (bundled snapshot, installed update or CSV files). */
export interface Registry {
  /** Where the data came from, its date and row counts per block. */
  readonly meta: Meta
}

/** A MAC address or prefix read from text: `value` holds 48 bits, left-aligned; `bits` is 24..48. */
export interface Mac {
  readonly value: number
  readonly bits: number
}

/** The answer to a lookup: the normalised MAC, its flag bits and the registered holder if any. */
export interface Match {
  /** The text that was looked up. */
  readonly input: string
  /** The MAC or prefix in lowercase colon form (`8c:1f:64:47:7a:09`, or `8c:1f:64` for a prefix). */
  readonly mac: string
  /** How many bits of the MAC were given: 48 for a full address, 24..44 for a prefix. */
  readonly bits: number
  /** The U/L bit: set on randomized and software-assigned MACs, which have no registered vendor. */
  readonly locallyAdministered: boolean
  /** The I/G bit: a group (multicast or broadcast) address rather than one interface. */
  readonly multicast: boolean
  /** The longest registered prefix covering the MAC (36 > 28 > 24 bits), if any. */
  readonly assignment: Option.Option<Assignment>
  /** Why there is no vendor, or what to know about the one found (a subdivided block). */
  readonly note: string | undefined
}

/** The JSON shape of a `Match` (what `netwark oui --json` prints). */
export interface MatchJson {
  readonly input: string
  readonly mac: string
  readonly bits: number
  readonly locallyAdministered: boolean
  readonly multicast: boolean
  readonly vendor: Assignment | null
  readonly note?: string
}

const OCTET0 = 2 ** 40

const NOTE_LOCAL =
  "locally administered address (U/L bit set, e.g. a randomized MAC): it has no registered vendor"
const NOTE_BROADCAST = "the broadcast address: it has no registered vendor"
const NOTE_UNASSIGNED = "not assigned in the IEEE MA-L, MA-M or MA-S registries"
const NOTE_GROUP_UNASSIGNED =
  "group (multicast) address whose prefix is not in the IEEE MA-L, MA-M or MA-S registries"
const NOTE_SUBDIVIDED =
  "this MA-L block is subdivided into MA-M/MA-S assignments: give 7 or 9 hex digits (or the full MAC) for the holder"

class MatchImpl implements Match {
  constructor(
    readonly input: string,
    private readonly value: number,
    readonly bits: number,
    readonly assignment: Option.Option<Assignment>,
    readonly note: string | undefined,
  ) {}
  // Built only when asked: formatting a string costs more than the lookup itself.
  get mac(): string {
    return formatMac(this.value, this.bits)
  }
  get locallyAdministered(): boolean {
    return (Math.floor(this.value / OCTET0) & 2) !== 0
  }
  get multicast(): boolean {
    return (Math.floor(this.value / OCTET0) & 1) !== 0
  }
  toJSON(): MatchJson {
    return toJson(this)
  }
}

/** The JSON shape of a match: `vendor` is the assignment or `null`. */
export const toJson = (match: Match): MatchJson => ({
  input: match.input,
  mac: match.mac,
  bits: match.bits,
  locallyAdministered: match.locallyAdministered,
  multicast: match.multicast,
  vendor: Option.getOrNull(match.assignment),
  ...(match.note === undefined ? {} : { note: match.note }),
})

/** Parses a MAC address or a prefix of at least 6 hex digits, in any common spelling. */
export const parseMac = (text: string): Either.Either<Mac, ToolError> => {
  const parsed = parseMacRaw(text)
  return "value" in parsed ? Either.right(parsed) : Either.left(invalidInput("mac", parsed.message))
}

const matchOf = (registry: OuiRegistry, input: string, value: number, bits: number): Match => {
  const octet = Math.floor(value / OCTET0)
  const found = registry.find(value, bits)
  if ((octet & 2) !== 0) {
    if (value === 0xffffffffffff)
      return new MatchImpl(input, value, bits, Option.none(), NOTE_BROADCAST)
    // A handful of MA-L rows predate the U/L rule (3Com's 02608C): say so, but claim no vendor.
    const note = Option.isSome(found)
      ? `${NOTE_LOCAL}; the IEEE still lists ${found.value.prefix} (${found.value.organization}) from before the U/L bit rule`
      : NOTE_LOCAL
    return new MatchImpl(input, value, bits, Option.none(), note)
  }
  if (Option.isNone(found)) {
    return new MatchImpl(
      input,
      value,
      bits,
      found,
      (octet & 1) !== 0 ? NOTE_GROUP_UNASSIGNED : NOTE_UNASSIGNED,
    )
  }
  const note =
    bits < 36 && found.value.registry === "MA-L" && registry.isSubdivided(value)
      ? NOTE_SUBDIVIDED
      : undefined
  return new MatchImpl(input, value, bits, found, note)
}

/**
 * Looks up the holder of a MAC address or prefix. The longest registered prefix wins (MA-S /36,
 * then MA-M /28, then MA-L /24), so an unassigned sub-block of an IEEE-subdivided MA-L block
 * falls back to the MA-L row. Bad input is an `InvalidInput` error on field `mac`.
 */
export const lookup = (registry: Registry, mac: string): Either.Either<Match, ToolError> => {
  const value = scan(mac)
  if (value < 0) return Either.left(invalidInput("mac", scanned.message))
  return Either.right(matchOf(registry as OuiRegistry, mac, value, scanned.bits))
}

/** Pagination for `search`. */
export interface SearchOptions {
  /** Rows to skip (default 0). */
  readonly offset?: number
  /** Rows to return (default 20, at most 10,000). */
  readonly limit?: number
}

/** One page of search results: `total` counts every match, `items` holds this page. */
export interface Page {
  readonly query: string
  readonly total: number
  readonly offset: number
  readonly limit: number
  readonly items: ReadonlyArray<Assignment>
}

/** Case-insensitive substring search over organization names (MA-L, then MA-M, then MA-S rows). */
export const search = (
  registry: Registry,
  text: string,
  options: SearchOptions = {},
): Either.Either<Page, ToolError> => {
  const query = text.trim()
  if (query === "") return Either.left(invalidInput("query", "the search text is empty"))
  const offset = options.offset ?? 0
  const limit = options.limit ?? 20
  if (!Number.isInteger(offset) || offset < 0)
    return Either.left(invalidInput("offset", `offset must be a whole number ≥ 0, got ${offset}`))
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
    return Either.left(
      invalidInput("limit", `limit must be a whole number from 1 to 10000, got ${limit}`),
    )
  const all = (registry as OuiRegistry).search(query.toLowerCase())
  return Either.right({
    query,
    total: all.length,
    offset,
    limit,
    items: all.slice(offset, offset + limit),
  })
}

/** Every assignment of one block, in prefix order. */
export const assignments = (registry: Registry, block: Block): ReadonlyArray<Assignment> =>
  (registry as OuiRegistry).all(block)

// ---------------------------------------------------------------------------------------------
// Loading

/** File name of the snapshot, both the bundled one and the one `update` installs. */
export const SNAPSHOT_FILE = "oui.snapshot"

/** The snapshot shipped in the package (`data/oui/`), as a path. */
export const bundledSnapshotPath = (): string =>
  // `src/Oui.ts` and the bundled `dist/index.js` both sit one level below the package root.
  fileURLToPath(new URL(`../data/oui/${SNAPSHOT_FILE}`, import.meta.url))

/** Decodes snapshot bytes (gzip-compressed or not) into a registry. */
export const fromSnapshot = (bytes: Uint8Array): Either.Either<Registry, ToolError> =>
  Either.try({
    try: () => decode(bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes),
    catch: (e) =>
      new ToolError({
        reason: "Unparseable",
        message: `the OUI snapshot cannot be read: ${e instanceof Error ? e.message : String(e)}`,
        cause: e,
      }),
  })

/** Encodes a registry as snapshot bytes (uncompressed), the format `fromSnapshot` reads. */
export const toSnapshot = (registry: Registry): Uint8Array => (registry as OuiRegistry).encode()

const readSnapshotSync = (file: string): Either.Either<Registry, ToolError> => {
  let bytes: Uint8Array
  try {
    bytes = readFileSync(file)
  } catch (e) {
    return Either.left(
      new ToolError({
        reason: "FileSystem",
        message: `cannot read the OUI snapshot ${file}: ${String(e)}`,
        cause: e,
      }),
    )
  }
  return fromSnapshot(bytes)
}

let bundledCache: Registry | undefined

/** Loads the bundled snapshot synchronously, once per process (later calls return the same registry). */
export const bundledSync = (): Either.Either<Registry, ToolError> => {
  if (bundledCache !== undefined) return Either.right(bundledCache)
  const loaded = readSnapshotSync(bundledSnapshotPath())
  if (Either.isRight(loaded)) bundledCache = loaded.right
  return loaded
}

/** Loads the bundled snapshot (once per process). */
export const loadBundled: Effect.Effect<Registry, ToolError> = Effect.suspend(() => bundledSync())

/** The three CSV texts of a registry, by block. */
export type CsvTexts = Readonly<Record<Block, string>>

/** Builds a registry from the three IEEE CSV texts; any malformed row makes it an `Unparseable` error. */
export const fromCsv = (
  texts: CsvTexts,
  meta: { readonly source: string; readonly date: string },
): Either.Either<Registry, ToolError> => {
  const read = BLOCKS.map((block) => readIeeeCsv(block, texts[block]))
  const problems = read.flatMap((r) => r.problems)
  if (problems.length > 0) {
    const shown = problems.slice(0, 5).join("; ")
    return Either.left(
      new ToolError({
        reason: "Unparseable",
        message: problems.length > 5 ? `${shown}; and ${problems.length - 5} more problems` : shown,
      }),
    )
  }
  const rows = Object.fromEntries(read.map((r) => [r.block, r.rows])) as Record<
    Block,
    ReadonlyArray<Row>
  >
  return Either.right(fromRows(rows, meta))
}

const fsError = (message: string) => (e: unknown) =>
  new ToolError({ reason: "FileSystem", message: `${message}: ${String(e)}`, cause: e })

/** Options of `loadCsvDirectory`: the data's date (default the `oui.csv` mtime) and source label. */
export interface CsvDirectoryOptions {
  readonly date?: string
  readonly source?: string
}

/** Loads `oui.csv`, `mam.csv` and `oui36.csv` from a directory (the IEEE file names). */
export const loadCsvDirectory = (
  dir: string,
  options: CsvDirectoryOptions = {},
): Effect.Effect<Registry, ToolError> =>
  Effect.gen(function* () {
    const texts: Record<string, string> = {}
    for (const block of BLOCKS) {
      const file = path.join(dir, FILE_NAMES[block])
      texts[block] = yield* Effect.tryPromise({
        try: () => fs.readFile(file, "utf8"),
        catch: fsError(`cannot read ${file}`),
      })
    }
    const stamp =
      options.date ??
      (yield* Effect.tryPromise({
        try: () => fs.stat(path.join(dir, FILE_NAMES["MA-L"])),
        catch: fsError(`cannot stat ${dir}`),
      })).mtime
        .toISOString()
        .slice(0, 10)
    return yield* fromCsv(texts as CsvTexts, {
      source: options.source ?? `IEEE CSV files in ${dir}`,
      date: stamp,
    })
  })

/** Where `update` installs data and `load` looks first: `NETWARK_OUI_DIR`, else `$XDG_DATA_HOME/netwark/oui`, else `~/.local/share/netwark/oui`. */
export const dataDir = (
  env: Readonly<Record<string, string | undefined>> = process.env,
): string => {
  const explicit = env["NETWARK_OUI_DIR"]
  if (explicit !== undefined && explicit !== "") return explicit
  const xdg = env["XDG_DATA_HOME"]
  const base =
    xdg !== undefined && xdg !== "" ? xdg : path.join(env["HOME"] ?? homedir(), ".local", "share")
  return path.join(base, "netwark", "oui")
}

/** Options of `load` and `layer`. */
export interface LoadOptions {
  /** The data directory to prefer over the bundled snapshot (default `dataDir()`). */
  readonly dir?: string
}

/** Where the registry `load` would use comes from: an installed update or the bundled snapshot. */
export const installedSnapshotPath = (options: LoadOptions = {}): string =>
  path.join(options.dir ?? dataDir(), SNAPSHOT_FILE)

/** Loads the registry installed by `update` in the data directory if there is one, else the bundled snapshot. */
export const load = (options: LoadOptions = {}): Effect.Effect<Registry, ToolError> =>
  Effect.suspend(() => {
    const file = installedSnapshotPath(options)
    let bytes: Uint8Array
    try {
      bytes = readFileSync(file)
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return bundledSync()
      return Either.left(fsError(`cannot read the installed OUI snapshot ${file}`)(e))
    }
    return Either.mapLeft(
      fromSnapshot(bytes),
      (e) =>
        new ToolError({
          reason: e.reason,
          message: `${e.message} (${file}: run \`netwark oui update\` again, or delete the file to use the bundled snapshot)`,
          cause: e,
        }),
    )
  })

/** The OUI registry as an Effect service. */
export class Oui extends Context.Tag("@netwark/tools/Oui")<Oui, Registry>() {}

/** A layer providing the registry from `load(options)`. */
export const layer = (options: LoadOptions = {}): Layer.Layer<Oui, ToolError> =>
  Layer.effect(Oui, load(options))

/** A layer providing a given registry (tests, or CSVs loaded by the caller). */
export const layerTest = (registry: Registry): Layer.Layer<Oui> => Layer.succeed(Oui, registry)

// ---------------------------------------------------------------------------------------------
// Update

/** The IEEE download site. */
export const DEFAULT_BASE_URL = "https://standards-oui.ieee.org/"

/** The paths of the three CSVs under the base URL, as the IEEE publishes them. */
export const DEFAULT_PATHS: Readonly<Record<Block, string>> = {
  "MA-L": "oui/oui.csv",
  "MA-M": "oui28/mam.csv",
  "MA-S": "oui36/oui36.csv",
}

/** Fewest rows a real download has (June 2026: 39,493 / 6,425 / 7,033); fewer means a bad file. */
export const DEFAULT_MIN_ROWS: Readonly<Record<Block, number>> = {
  "MA-L": 30_000,
  "MA-M": 4_000,
  "MA-S": 4_000,
}

/** Options of `update`. */
export interface UpdateOptions {
  /** Base URL the paths are resolved against (default `https://standards-oui.ieee.org/`). */
  readonly baseUrl?: string
  /** Path of each CSV under the base URL (default the IEEE ones). */
  readonly paths?: Partial<Readonly<Record<Block, string>>>
  /** Directory to install into (default `dataDir()`). */
  readonly dir?: string
  /** Deadline for each download (default 60 seconds). */
  readonly timeout?: Duration.DurationInput
  /** Refuse a file with fewer rows than this (default `DEFAULT_MIN_ROWS`). */
  readonly minRows?: Partial<Readonly<Record<Block, number>>>
  /** Refuse a file that shrank by more than this fraction against the data in use (default 0.1). */
  readonly maxShrink?: number
}

/** What `update` installed. */
export interface UpdateResult {
  readonly dir: string
  readonly snapshot: string
  readonly meta: Meta
  /** The data in use before the update (installed or bundled). */
  readonly previous: Meta | undefined
}

/** The largest registry file read (IEEE's MA-L CSV is ~4 MB). */
const MAX_DOWNLOAD_BYTES = 64 * 1024 * 1024

const download = (
  url: string,
  timeout: Duration.Duration,
): Effect.Effect<{ text: string; lastModified: string | null }, ToolError> =>
  Effect.tryPromise({
    try: async (signal) => {
      const response = await fetch(url, {
        signal: AbortSignal.any([signal, AbortSignal.timeout(Duration.toMillis(timeout))]),
      })
      if (!response.ok) {
        await response.body?.cancel()
        throw new ToolError({
          reason: "Network",
          message: `GET ${url} answered HTTP ${response.status} ${response.statusText}`.trim(),
        })
      }
      return {
        text: await readText(response, MAX_DOWNLOAD_BYTES, `GET ${url}`),
        lastModified: response.headers.get("last-modified"),
      }
    },
    catch: (e) => {
      if (e instanceof ToolError) return e
      if (e instanceof BodyTooLarge)
        return new ToolError({ reason: "OutputTooLarge", message: e.message })
      const err = e as Error & { cause?: { code?: string } }
      if (err.name === "TimeoutError")
        return new ToolError({
          reason: "Timeout",
          message: `GET ${url} took longer than ${Duration.format(timeout)}`,
          cause: e,
        })
      const code = err.cause?.code
      return new ToolError({
        reason: "Network",
        message: `GET ${url} failed: ${code ?? err.message}`,
        cause: e,
      })
    },
  })

const writeAtomically = (file: string, data: string | Uint8Array): Effect.Effect<void, ToolError> =>
  Effect.tryPromise({
    try: async () => {
      // Same directory, so `rename` replaces the file in one step and readers see old or new, never half.
      const temp = path.join(
        path.dirname(file),
        `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`,
      )
      try {
        const handle = await fs.open(temp, "w")
        try {
          await handle.writeFile(data)
          // On disk before the rename, or a power cut could leave the new name on an empty file.
          await handle.sync()
        } finally {
          await handle.close()
        }
        await fs.rename(temp, file)
      } catch (e) {
        await fs.rm(temp, { force: true })
        throw e
      }
    },
    catch: fsError(`cannot write ${file}`),
  })

/**
 * Downloads the three IEEE CSVs, checks them (header, registry column, prefix lengths, a final
 * line break, row counts against `minRows` and the data in use) and installs them into the data
 * directory: the CSVs for reference and a snapshot that `load` reads. Each file is written to a
 * temporary name and renamed, so readers never see a half-written registry; any failure leaves
 * the previous data in place.
 */
export const update = (options: UpdateOptions = {}): Effect.Effect<UpdateResult, ToolError> =>
  Effect.gen(function* () {
    const baseUrl = options.baseUrl ?? DEFAULT_BASE_URL
    const dir = options.dir ?? dataDir()
    const timeout = Duration.decode(options.timeout ?? "60 seconds")
    const urls = BLOCKS.map((block) => {
      try {
        return new URL(
          options.paths?.[block] ?? DEFAULT_PATHS[block],
          baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`,
        ).href
      } catch {
        return undefined
      }
    })
    if (urls.some((u) => u === undefined))
      return yield* invalidInput("baseUrl", `'${baseUrl}' is not a valid URL`)
    const files = yield* Effect.all(
      urls.map((url) => download(url as string, timeout)),
      { concurrency: 3 },
    )
    const previous = yield* load({ dir }).pipe(
      Effect.map((r) => r.meta),
      Effect.orElseSucceed(() => undefined),
    )
    const read = BLOCKS.map((block, i) => readIeeeCsv(block, files[i]?.text ?? ""))
    const problems = read.flatMap((r) => r.problems)
    const maxShrink = options.maxShrink ?? 0.1
    for (const r of read) {
      const min = options.minRows?.[r.block] ?? DEFAULT_MIN_ROWS[r.block]
      if (r.rows.length < min)
        problems.push(
          `${FILE_NAMES[r.block]} has ${r.rows.length} rows, fewer than the ${min} a complete file has`,
        )
      const before = previous?.counts[r.block]
      if (before !== undefined && r.rows.length < before * (1 - maxShrink))
        problems.push(
          `${FILE_NAMES[r.block]} has ${r.rows.length} rows against ${before} in the data in use: refusing a shrink of more than ${Math.round(maxShrink * 100)}%`,
        )
    }
    if (problems.length > 0) {
      return yield* new ToolError({
        reason: "Unparseable",
        message: `refusing the downloaded registry, previous data kept: ${problems.slice(0, 5).join("; ")}${problems.length > 5 ? `; and ${problems.length - 5} more` : ""}`,
      })
    }
    const lastModified = files[0]?.lastModified
    const stamp =
      lastModified !== null && lastModified !== undefined && !Number.isNaN(Date.parse(lastModified))
        ? new Date(lastModified)
        : new Date()
    const rows = Object.fromEntries(read.map((r) => [r.block, r.rows])) as Record<
      Block,
      ReadonlyArray<Row>
    >
    const registry = fromRows(rows, { source: baseUrl, date: stamp.toISOString().slice(0, 10) })
    yield* Effect.tryPromise({
      try: () => fs.mkdir(dir, { recursive: true }),
      catch: fsError(`cannot create ${dir}`),
    })
    for (const [i, block] of BLOCKS.entries()) {
      yield* writeAtomically(path.join(dir, FILE_NAMES[block]), files[i]?.text ?? "")
    }
    const snapshot = path.join(dir, SNAPSHOT_FILE)
    yield* writeAtomically(snapshot, registry.encode())
    return { dir, snapshot, meta: registry.meta, previous }
  })
