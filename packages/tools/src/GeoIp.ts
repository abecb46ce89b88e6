/**
 * GeoIP lookups over MaxMind DB files (GeoIP2/GeoLite2 City or Country, and ASN), with hot reload
 * when the files are replaced, and a GeoLite2 downloader.
 *
 * ```ts
 * const program = Effect.flatMap(GeoIp.GeoIp, (geo) => geo.lookup("81.2.69.160"))
 * Effect.runPromise(Effect.scoped(Effect.provide(program, GeoIp.layer({ cityPath, asnPath }))))
 * ```
 *
 * @module
 */
import { watch, type FSWatcher } from "node:fs"
import { readFile, stat } from "node:fs/promises"
import path from "node:path"
import {
  Config,
  type ConfigError,
  Context,
  Duration,
  Effect,
  Either,
  Layer,
  Option,
  Ref,
  Runtime,
  Scope,
} from "effect"
import { ToolError, invalidInput } from "./ToolError.js"
import {
  openBuffer,
  parseIp,
  type Database,
  type DatabaseMetadata,
  type Match,
} from "./internal/geoip/database.js"
import * as Rec from "./internal/geoip/record.js"

export type { Database, DatabaseMetadata, Match } from "./internal/geoip/database.js"
export type {
  Asn,
  City,
  Continent,
  Country,
  Location,
  Subdivision,
} from "./internal/geoip/record.js"
export {
  DOWNLOAD_URL,
  LEGACY_DOWNLOAD_URL,
  updateDatabases,
  type UpdateOptions,
  type UpdatedDatabase,
} from "./internal/geoip/update.js"

/** A normalized lookup result. Fields a database does not have are absent. */
export interface GeoIpRecord {
  /** The address looked up, as given (zone id dropped). */
  readonly ip: string
  /** The matched network: the City database's if it matched, else the ASN database's. */
  readonly network: string
  readonly prefixLength: number
  readonly country?: Rec.Country
  readonly registeredCountry?: Rec.Country
  readonly continent?: Rec.Continent
  readonly subdivisions: ReadonlyArray<Rec.Subdivision>
  readonly city?: Rec.City
  readonly postalCode?: string
  readonly location?: Rec.Location
  readonly asn?: Rec.Asn
  /** The records exactly as the databases hold them. */
  readonly raw: { readonly city?: unknown; readonly asn?: unknown }
}

/** Which configured database. */
export type Kind = "city" | "asn"

/** What happened when a watched file changed. */
export type ReloadEvent =
  | {
      readonly _tag: "Reloaded"
      readonly kind: Kind
      readonly path: string
      readonly metadata: DatabaseMetadata
    }
  | {
      readonly _tag: "ReloadFailed"
      readonly kind: Kind
      readonly path: string
      readonly error: ToolError
    }

/** State of one configured database. */
export interface DatabaseStatus {
  readonly path: string
  readonly metadata: DatabaseMetadata
  /** ISO date-time the current reader was loaded. */
  readonly loadedAt: string
  /** The last reload failure since the current reader was loaded (the reader was kept). */
  readonly lastError?: ToolError
}

/** Options of the GeoIp service. At least one path is required. */
export interface Options {
  /** A City, Country or Enterprise database (GeoIP2 or GeoLite2). */
  readonly cityPath?: string
  /** An ASN (or ISP) database. */
  readonly asnPath?: string
  /** Reload when a file is replaced or rewritten (default true). */
  readonly watch?: boolean
  /** Quiet period after the last change before reloading (default 250 ms). */
  readonly debounce?: Duration.DurationInput
  /** Told about every reload attempt, e.g. to log it. */
  readonly onReload?: (event: ReloadEvent) => void
}

/** The GeoIp service. */
export interface GeoIpService {
  /** Looks `ip` up in every configured database; `None` when none of them knows it. */
  readonly lookup: (ip: string) => Effect.Effect<Option.Option<GeoIpRecord>, ToolError>
  /** Metadata and reload state of each configured database. */
  readonly status: Effect.Effect<{ readonly city?: DatabaseStatus; readonly asn?: DatabaseStatus }>
  /** Re-reads every configured file now (what the watcher does on a change). */
  readonly reload: Effect.Effect<void, ToolError>
}

/** The GeoIp service tag. */
export class GeoIp extends Context.Tag("@netwark/tools/GeoIp")<GeoIp, GeoIpService>() {}

const fileError = (file: string, e: unknown): ToolError =>
  new ToolError({
    reason: "FileSystem",
    message: `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.message : String(e))}`,
    cause: e,
  })

/** Opens and verifies one MaxMind DB file; corrupt files fail with `Unparseable`. */
export const openDatabase = (file: string): Effect.Effect<Database, ToolError> =>
  Effect.tryPromise({ try: () => readFile(file), catch: (e) => fileError(file, e) }).pipe(
    Effect.flatMap((buf) => openBuffer(buf, file)),
  )

const KIND_TYPES: Record<Kind, RegExp> = { city: /City|Country|Enterprise/, asn: /ASN|ISP/ }

const openKind = (kind: Kind, file: string): Effect.Effect<Database, ToolError> =>
  Effect.flatMap(openDatabase(file), (db) =>
    KIND_TYPES[kind].test(db.metadata.databaseType)
      ? Effect.succeed(db)
      : Effect.fail(
          invalidInput(
            `${kind}Path`,
            `${file} is a ${db.metadata.databaseType} database, not ${kind === "city" ? "a City/Country" : "an ASN"} one`,
          ),
        ),
  )

/** Looks `ip` up in already opened databases (no service, no watching). */
export const lookupIn = (
  databases: { readonly city?: Database; readonly asn?: Database },
  ip: string,
): Either.Either<Option.Option<GeoIpRecord>, ToolError> =>
  Either.gen(function* () {
    const parsed = yield* parseIp(ip)
    const none = Either.right(Option.none<Match>())
    const city = Option.getOrUndefined(yield* databases.city?.lookup(parsed.text) ?? none)
    const asn = Option.getOrUndefined(yield* databases.asn?.lookup(parsed.text) ?? none)
    const primary = city ?? asn
    if (primary === undefined) return Option.none()
    const place = city === undefined ? { subdivisions: [] } : Rec.place(city.record)
    const location = city === undefined ? undefined : Rec.location(city.record)
    const asnInfo =
      asn !== undefined
        ? Rec.asn(asn.record, asn.network)
        : city && Rec.asn(city.record, city.network)
    const raw: { city?: unknown; asn?: unknown } = {}
    if (city !== undefined) raw.city = city.record
    if (asn !== undefined) raw.asn = asn.record
    return Option.some<GeoIpRecord>({
      ip: parsed.text,
      network: primary.network,
      prefixLength: primary.prefixLength,
      ...place,
      ...(location === undefined ? {} : { location }),
      ...(asnInfo === undefined ? {} : { asn: asnInfo }),
      raw,
    })
  })

interface Slot {
  readonly kind: Kind
  readonly path: string
  /** Reloads of one file run one at a time, so a slow stale read never lands after a newer one. */
  readonly lock: Effect.Semaphore
  readonly state: Ref.Ref<{
    readonly db: Database
    readonly loadedAt: string
    readonly lastError?: ToolError
  }>
}

/** Builds the service; watchers are released when `scope` closes. */
export const make = (options: Options): Effect.Effect<GeoIpService, ToolError, Scope.Scope> =>
  Effect.gen(function* () {
    const configured = (
      [
        ["city", options.cityPath],
        ["asn", options.asnPath],
      ] as const
    ).flatMap(([kind, p]) => (p === undefined || p === "" ? [] : [{ kind, path: path.resolve(p) }]))
    if (configured.length === 0) {
      return yield* Effect.fail(
        invalidInput("cityPath", "no GeoIP database configured (give a City and/or ASN path)"),
      )
    }
    const slots: Array<Slot> = yield* Effect.forEach(configured, ({ kind, path: p }) =>
      Effect.map(openKind(kind, p), (db) => ({
        kind,
        path: p,
        lock: Effect.unsafeMakeSemaphore(1),
        state: Ref.unsafeMake({ db, loadedAt: new Date().toISOString() }),
      })),
    )

    const reloadSlot = (slot: Slot): Effect.Effect<void, ToolError> =>
      openKind(slot.kind, slot.path).pipe(
        Effect.tap((db) => Ref.set(slot.state, { db, loadedAt: new Date().toISOString() })),
        Effect.tap((db) =>
          Effect.sync(() =>
            options.onReload?.({
              _tag: "Reloaded",
              kind: slot.kind,
              path: slot.path,
              metadata: db.metadata,
            }),
          ),
        ),
        Effect.tapError((error) =>
          Effect.all([
            Ref.update(slot.state, (s) => ({ ...s, lastError: error })),
            Effect.logWarning(`GeoIp: kept the previous ${slot.kind} database: ${error.message}`),
            Effect.sync(() =>
              options.onReload?.({ _tag: "ReloadFailed", kind: slot.kind, path: slot.path, error }),
            ),
          ]),
        ),
        Effect.asVoid,
        slot.lock.withPermits(1),
      )

    if (options.watch !== false) {
      const runtime = yield* Effect.runtime<never>()
      const debounceMs = Duration.toMillis(options.debounce ?? Duration.millis(250))
      // Updaters replace files by rename, which orphans a watch on the file itself; watching the
      // directory sees both renames and in-place writes. One watcher per directory.
      const byDir = new Map<string, Array<Slot>>()
      for (const slot of slots)
        byDir.set(path.dirname(slot.path), [...(byDir.get(path.dirname(slot.path)) ?? []), slot])
      const timers = new Map<Slot, NodeJS.Timeout>()
      const signatures = new Map<Slot, string>()
      const signature = async (p: string) => {
        const s = await stat(p).catch(() => undefined)
        return s === undefined ? "missing" : `${s.ino}:${s.size}:${s.mtimeMs}`
      }
      for (const slot of slots)
        signatures.set(slot, yield* Effect.promise(() => signature(slot.path)))
      const fire = (slot: Slot) => {
        clearTimeout(timers.get(slot))
        timers.set(
          slot,
          setTimeout(() => {
            timers.delete(slot)
            void signature(slot.path).then((sig) => {
              // Temp files and no-op events (atime, our own reads) do not reload.
              if (sig === "missing" || sig === signatures.get(slot)) return
              signatures.set(slot, sig)
              Runtime.runFork(runtime)(Effect.ignore(reloadSlot(slot)))
            })
          }, debounceMs),
        )
      }
      const watchers: Array<FSWatcher> = []
      for (const [dir, dirSlots] of byDir) {
        const watcher = yield* Effect.try({
          try: () =>
            watch(dir, { persistent: false }, (_event, filename) => {
              for (const slot of dirSlots) {
                if (filename === null || filename === path.basename(slot.path)) fire(slot)
              }
            }),
          catch: (e) => fileError(dir, e),
        })
        watcher.on("error", () => undefined)
        watchers.push(watcher)
      }
      yield* Effect.addFinalizer(() =>
        Effect.sync(() => {
          for (const w of watchers) w.close()
          for (const t of timers.values()) clearTimeout(t)
          timers.clear()
        }),
      )
    }

    const current = Effect.map(
      Effect.forEach(slots, (s) => Effect.map(Ref.get(s.state), (st) => [s, st] as const)),
      (pairs) => pairs,
    )
    return {
      lookup: (ip) =>
        Effect.flatMap(current, (pairs) => {
          const dbs: { city?: Database; asn?: Database } = {}
          for (const [slot, st] of pairs) dbs[slot.kind] = st.db
          return lookupIn(dbs, ip)
        }),
      status: Effect.map(current, (pairs) => {
        const out: { city?: DatabaseStatus; asn?: DatabaseStatus } = {}
        for (const [slot, st] of pairs) {
          out[slot.kind] = {
            path: slot.path,
            metadata: st.db.metadata,
            loadedAt: st.loadedAt,
            ...(st.lastError === undefined ? {} : { lastError: st.lastError }),
          }
        }
        return out
      }),
      reload: Effect.asVoid(Effect.forEach(slots, reloadSlot, { discard: true })),
    } satisfies GeoIpService
  })

/** The GeoIp service as a layer; the watchers live as long as the layer. */
export const layer = (options: Options): Layer.Layer<GeoIp, ToolError> =>
  Layer.scoped(GeoIp, make(options))

/** The service configured from `NETWARK_GEOIP_CITY` and `NETWARK_GEOIP_ASN`, watching both. */
export const layerConfig: Layer.Layer<GeoIp, ToolError | ConfigError.ConfigError> = Layer.scoped(
  GeoIp,
  Effect.flatMap(
    Config.all({
      city: Config.option(Config.string("NETWARK_GEOIP_CITY")),
      asn: Config.option(Config.string("NETWARK_GEOIP_ASN")),
    }),
    ({ city, asn }) =>
      make({
        ...Option.match(city, { onNone: () => ({}), onSome: (cityPath) => ({ cityPath }) }),
        ...Option.match(asn, { onNone: () => ({}), onSome: (asnPath) => ({ asnPath }) }),
      }),
  ),
)

/** A service answering from a fixed table of records keyed by IP (bad IPs still fail). */
export const layerTest = (records: Readonly<Record<string, GeoIpRecord>>): Layer.Layer<GeoIp> =>
  Layer.succeed(GeoIp, {
    lookup: (ip) => Either.map(parseIp(ip), (parsed) => Option.fromNullable(records[parsed.text])),
    status: Effect.succeed({}),
    reload: Effect.void,
  })
