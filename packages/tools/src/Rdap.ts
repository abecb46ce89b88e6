/**
 * RDAP (RFC 9082/9083) client: JSON over HTTP with the global `fetch`, servers chosen from the IANA
 * bootstrap registries. A snapshot is bundled (`data/rdap`, openrdap's historic copies, 2015–2017:
 * few TLDs); `updateBootstrap` fetches fresh ones into a data dir.
 *
 * @module
 */
import { Duration, Effect, Either } from "effect"
import * as B from "./internal/whois/bootstrap.js"
import { fetchRdap } from "./internal/whois/rdapFetch.js"
import { parseQuery, registered, type Query } from "./internal/whois/query.js"
import { rdapRecord } from "./internal/whois/rdap.js"
import type { LookupResult, Parsed, WhoisRecord } from "./internal/whois/record.js"
import { ToolError } from "./ToolError.js"

export type { Bootstrap, Registry } from "./internal/whois/bootstrap.js"
export type { LookupResult, Step } from "./internal/whois/record.js"

/** Where IANA publishes the bootstrap files. */
export const DEFAULT_BOOTSTRAP_URL = "https://data.iana.org/rdap/"

/** Options of `lookup`. */
export interface Options {
  /** A data dir written by `updateBootstrap`; the bundled snapshot is used when it is incomplete. */
  readonly dataDir?: string | undefined
  /** A bootstrap already loaded (skips file reads). */
  readonly bootstrap?: B.Bootstrap | undefined
  /** Force this RDAP base URL instead of the bootstrap's choice. */
  readonly server?: string | undefined
  /** Replace bootstrap base URLs (key: the URL as in the bootstrap, value: the URL to use). */
  readonly servers?: Readonly<Record<string, string>> | undefined
  /** Overall deadline of the HTTP exchange (default 10 s). */
  readonly timeout?: Duration.DurationInput | undefined
  /** Largest response accepted, in bytes (default 2 MiB). */
  readonly maxBytes?: number | undefined
  /** The `fetch` to use (default: global `fetch`). */
  readonly fetch?: typeof fetch | undefined
}

/** Loads the bootstrap from `dataDir` when complete, else the bundled snapshot. */
export const loadBootstrap = (dataDir?: string): Effect.Effect<B.Bootstrap, ToolError> =>
  B.load(dataDir)

/** Parses and validates one bootstrap file's text (`dns.json`, …). */
export const parseBootstrap = (name: string, text: string): Either.Either<B.Registry, ToolError> =>
  B.parseRegistry(name, text)

/** The RDAP base URL the bootstrap names for `query`, or `undefined` when none is known. */
export const serverFor = (
  bootstrap: B.Bootstrap,
  query: string,
): Either.Either<string | undefined, ToolError> =>
  Either.map(parseQuery(query), (q) => B.baseUrlFor(bootstrap, q))

/** Normalizes RDAP JSON of the given kind (pure, total). */
export const parse = (
  json: unknown,
  kind: "domain" | "ip" | "asn",
  query?: string,
): Parsed<WhoisRecord> => rdapRecord(json, kind, query)

/** Looks a parsed query up over RDAP; a reserved address is refused without network traffic. */
export const lookupQuery = (
  q: Query,
  options: Options = {},
): Effect.Effect<LookupResult, ToolError> =>
  Effect.flatMap(registered(q), (r) => fetchRdap(r, options))

/** Looks a domain, IP or AS number up over RDAP. */
export const lookup = (
  query: string,
  options: Options = {},
): Effect.Effect<LookupResult, ToolError> =>
  Either.match(parseQuery(query), { onLeft: Effect.fail, onRight: (q) => lookupQuery(q, options) })

/** Options of `updateBootstrap`. */
export interface UpdateOptions {
  /** Where to fetch `dns.json`, `ipv4.json`, `ipv6.json`, `asn.json` (default IANA). */
  readonly baseUrl?: string | undefined
  /** The data dir to write into (created when missing). */
  readonly dataDir: string
  readonly timeout?: Duration.DurationInput | undefined
  readonly fetch?: typeof fetch | undefined
}

/**
 * Fetches the four bootstrap files and validates every one; only then writes them as a new set
 * under `dataDir` and renames the `dataDir/current` symlink onto it, so readers see the old set
 * or the new one, never a mix. Returns each file's `publication` date.
 */
export const updateBootstrap = (
  options: UpdateOptions,
): Effect.Effect<Record<"dns" | "ipv4" | "ipv6" | "asn", string | undefined>, ToolError> =>
  B.update(
    options.baseUrl ?? DEFAULT_BOOTSTRAP_URL,
    options.dataDir,
    options.fetch ?? fetch,
    Duration.toMillis(Duration.decode(options.timeout ?? "30 seconds")),
  )
