/**
 * WHOIS over port 43 (`node:net`, no `whois` binary) with IANA → registry → registrar and ARIN →
 * RIR referrals, pure parsers for domain, IP and ASN answers, and `lookup`, which prefers RDAP
 * where the bootstrap knows a server and falls back to WHOIS.
 *
 * @module
 */
import { Context, Duration, Effect, Either, Layer } from "effect"
import * as B from "./internal/whois/bootstrap.js"
import { exchange } from "./internal/whois/client.js"
import { normalizeDate as normalizeDateImpl } from "./internal/whois/dates.js"
import { parseDomain as parseDomainImpl } from "./internal/whois/domain.js"
import { parseAddr, reverseOf } from "./internal/whois/ip.js"
import { parseAsn as parseAsnImpl, parseIp as parseIpImpl } from "./internal/whois/network.js"
import {
  parseQuery as parseQueryImpl,
  parseServer,
  queryText,
  registered,
  RIR_WHOIS,
  serverLabel,
  type Query,
  type Server,
} from "./internal/whois/query.js"
import { fetchRdap } from "./internal/whois/rdapFetch.js"
import type {
  AsnRecord,
  DomainRecord,
  IpRecord,
  LookupResult,
  Parsed,
  Step,
  WhoisRecord,
} from "./internal/whois/record.js"
import { findReferral as findReferralImpl, type Referral } from "./internal/whois/referral.js"
import * as Rdap from "./Rdap.js"
import { invalidInput, ToolError } from "./ToolError.js"

export type {
  AbuseContact,
  AsnRecord,
  DomainRecord,
  IpRecord,
  LookupResult,
  Parsed,
  ParseStatus,
  Rir,
  Step,
  WhoisRecord,
} from "./internal/whois/record.js"
export type { Query } from "./internal/whois/query.js"
export type { Referral } from "./internal/whois/referral.js"

/** The IANA WHOIS server, where domain lookups start. */
export const DEFAULT_IANA_SERVER = "whois.iana.org:43"

/** The WHOIS server of each Regional Internet Registry. */
export const RIR_SERVERS = RIR_WHOIS

/** Options of `query` and `lookup`. */
export interface Options {
  /** The IANA server (`host[:port]`), default `whois.iana.org:43`. */
  readonly ianaServer?: string | undefined
  /** Redirects servers by name: `{ "whois.verisign-grs.com": "127.0.0.1:4301" }`. */
  readonly servers?: Readonly<Record<string, string>> | undefined
  /** Ask this server (`host[:port]`) first instead of IANA or the RIR. */
  readonly server?: string | undefined
  /** Deadline for the TCP connect of each step (default 5 s). */
  readonly connectTimeout?: Duration.DurationInput | undefined
  /** Deadline for each step's whole exchange (default 10 s). */
  readonly timeout?: Duration.DurationInput | undefined
  /** Largest answer accepted from one server, in bytes (default 1 MiB). */
  readonly maxBytes?: number | undefined
  /** Most servers asked in one lookup, the first included (default 4). */
  readonly maxDepth?: number | undefined
  /** Follow `refer:`, registrar and ARIN referrals (default true). */
  readonly followReferrals?: boolean | undefined
  /** RDAP first (`lookup` only): `false` for WHOIS only, or RDAP options. Default: enabled. */
  readonly rdap?: boolean | Rdap.Options | undefined
}

/** Validates and classifies a query: domain (punycode), IPv4/IPv6, or AS number. */
export const parseQuery = (input: string): Either.Either<Query, ToolError> => parseQueryImpl(input)

/** The reverse-DNS name of an address: `4.3.2.1.in-addr.arpa`, nibbles under `ip6.arpa`. */
export const reverseName = (ip: string): Either.Either<string, ToolError> => {
  const a = parseAddr(ip.trim().replace(/^\[(.*)\]$/, "$1"))
  return a === undefined
    ? Either.left(invalidInput("query", `"${ip}" is not an IPv4 or IPv6 address`))
    : Either.right(reverseOf(a))
}

/** Normalizes a registry date string to ISO 8601 UTC, or `undefined` when unreadable. */
export const normalizeDate = (text: string): string | undefined => normalizeDateImpl(text)

/** Parses a WHOIS answer about a domain (pure, total). */
export const parseDomain = (raw: string): Parsed<DomainRecord> => parseDomainImpl(raw)

/** Parses a WHOIS answer about an IP network; `query` fills the reverse-DNS name. */
export const parseIp = (raw: string, query?: string): Parsed<IpRecord> => parseIpImpl(raw, query)

/** Parses a WHOIS answer about an AS (RIR `aut-num`, ARIN `ASNumber`, IRR route objects). */
export const parseAsn = (raw: string, asn?: number): Parsed<AsnRecord> => parseAsnImpl(raw, asn)

/** Parses a WHOIS answer of the given kind (pure, total). */
export const parse = (
  raw: string,
  kind: "domain" | "ip" | "asn",
  query?: string,
): Parsed<WhoisRecord> =>
  kind === "domain"
    ? parseDomainImpl(raw)
    : kind === "ip"
      ? parseIpImpl(raw, query)
      : parseAsnImpl(raw, query === undefined ? undefined : Number(query.replace(/^AS/i, "")))

/** The referral in a WHOIS answer (`refer:`, `Registrar WHOIS Server:`, ARIN `ReferralServer:`). */
export const findReferral = (raw: string, domain?: string): Referral =>
  findReferralImpl(raw, domain)

const serverOption = (text: string, field: string): Either.Either<Server, ToolError> => {
  const s = parseServer(text)
  return s === undefined
    ? Either.left(invalidInput(field, `"${text}" is not host[:port]`))
    : Either.right(s)
}

// Merges registry and registrar answers: the registry is authoritative for dates, status and name
// servers; the registrar usually adds the abuse contact and registrant.
const mergeDomain = (registry: DomainRecord, registrar: DomainRecord | undefined): DomainRecord => {
  if (registrar === undefined || registrar.available) return registry
  return {
    ...registry,
    domain: registry.domain ?? registrar.domain,
    registrar: registry.registrar ?? registrar.registrar,
    whoisServer: registry.whoisServer ?? registrar.whoisServer,
    created: registry.created ?? registrar.created,
    updated: registry.updated ?? registrar.updated,
    expires: registry.expires ?? registrar.expires,
    status: registry.status.length > 0 ? registry.status : registrar.status,
    nameServers: registry.nameServers.length > 0 ? registry.nameServers : registrar.nameServers,
    dnssec: registry.dnssec ?? registrar.dnssec,
    abuse: {
      email: registrar.abuse.email ?? registry.abuse.email,
      phone: registrar.abuse.phone ?? registry.abuse.phone,
    },
    registrant: {
      organization: registrar.registrant.organization ?? registry.registrant.organization,
      country: registrar.registrant.country ?? registry.registrant.country,
    },
  }
}

const isIana = (host: string): boolean => host === "whois.iana.org"

const firstServer = (
  q: Query,
  options: Options,
): Effect.Effect<{ name: Server; iana: boolean }, ToolError> =>
  Effect.gen(function* () {
    if (options.server !== undefined) {
      const s = yield* Either.match(serverOption(options.server, "server"), {
        onLeft: Effect.fail,
        onRight: Effect.succeed,
      })
      return { name: s, iana: false }
    }
    if (q.kind === "domain") {
      const s = yield* Either.match(
        serverOption(options.ianaServer ?? DEFAULT_IANA_SERVER, "ianaServer"),
        {
          onLeft: Effect.fail,
          onRight: Effect.succeed,
        },
      )
      return { name: s, iana: true }
    }
    // The bootstrap's RDAP URL names the RIR; ARIN (which refers onward) when unknown.
    const rdapOptions = typeof options.rdap === "object" ? options.rdap : {}
    const boot = yield* Effect.either(
      rdapOptions.bootstrap !== undefined
        ? Effect.succeed(rdapOptions.bootstrap)
        : B.load(rdapOptions.dataDir),
    )
    const url = Either.isRight(boot) ? B.baseUrlFor(boot.right, q) : undefined
    const rir = url === undefined ? undefined : B.rirOfUrl(url)
    return {
      name: { host: rir === undefined ? RIR_WHOIS.arin : RIR_WHOIS[rir], port: 43 },
      iana: false,
    }
  })

/** Runs a port-43 lookup for a validated query, following referrals. */
export const queryValidated = (
  q: Query,
  options: Options = {},
): Effect.Effect<LookupResult, ToolError> =>
  Effect.flatMap(registered(q), (r) => follow(r, options))

/** The port-43 lookup itself, for a query `registered` has passed. */
const follow = (q: Query, options: Options): Effect.Effect<LookupResult, ToolError> =>
  Effect.gen(function* () {
    const limits = {
      connectTimeout: options.connectTimeout ?? "5 seconds",
      timeout: options.timeout ?? "10 seconds",
      maxBytes: options.maxBytes ?? 1024 * 1024,
    }
    const maxDepth = Math.max(1, options.maxDepth ?? 4)
    const start = yield* firstServer(q, options)
    const chain: Array<Step> = []
    const answers: Array<{ host: string; raw: string; iana: boolean }> = []
    const seen = new Set<string>()
    let next: Server | undefined = start.name
    let nextIsIana = start.iana
    // A registrar's answer names its own WHOIS server again: never follow registrar → registrar.
    let atRegistrar = false
    while (next !== undefined && chain.length < maxDepth) {
      const named: Server = next
      seen.add(serverLabel(named))
      const override = options.servers?.[named.host] ?? options.servers?.[serverLabel(named)]
      const target = override === undefined ? named : parseServer(override)
      if (target === undefined) {
        return yield* Effect.fail(
          invalidInput("servers", `override "${override}" for ${named.host} is not host[:port]`),
        )
      }
      const text = queryText(named.host, q)
      const answer = yield* Effect.either(exchange(target, text, limits))
      if (Either.isLeft(answer)) {
        // The first server failing is the lookup failing; a referral failing keeps what we have.
        if (answers.length === 0) return yield* Effect.fail(answer.left)
        chain.push({
          protocol: "whois",
          server: serverLabel(named),
          address: override === undefined ? undefined : serverLabel(target),
          query: text,
          bytes: 0,
          raw: "",
          error: answer.left.message,
        })
        break
      }
      const raw = answer.right.text
      const found: Referral =
        options.followReferrals === false
          ? {}
          : findReferralImpl(raw, q.kind === "domain" ? q.value : undefined)
      const ref: Referral =
        atRegistrar && (found.via === "registrar" || found.via === "thin") ? {} : found
      const refServer = ref.server === undefined ? undefined : parseServer(ref.server)
      chain.push({
        protocol: "whois",
        server: serverLabel(named),
        address: override === undefined ? undefined : serverLabel(target),
        query: text,
        bytes: answer.right.bytes,
        charset: answer.right.charset,
        raw,
        referral: ref.server ?? ref.unsupported,
      })
      answers.push({ host: named.host, raw, iana: nextIsIana || isIana(named.host) })
      // The loop guard: never ask the same host:port twice in one lookup.
      next = refServer !== undefined && !seen.has(serverLabel(refServer)) ? refServer : undefined
      nextIsIana = false
      atRegistrar = ref.via === "registrar" || ref.via === "thin"
    }
    const last = answers[answers.length - 1]
    if (last === undefined)
      return yield* Effect.fail(new ToolError({ reason: "Network", message: "no WHOIS answer" }))
    let parsed: Parsed<WhoisRecord>
    if (q.kind === "domain") {
      const registries = answers.filter((a) => !a.iana)
      const [registry, ...rest] = registries.map((a) => parseDomainImpl(a.raw))
      if (registry === undefined) {
        // Only IANA answered: its record describes the TLD, not the name asked about.
        const tldOnly = !q.value.includes(".")
        parsed = tldOnly
          ? parseDomainImpl(last.raw)
          : {
              raw: last.raw,
              status: /returned 0 objects|no match/i.test(last.raw) ? "notFound" : "partial",
              record: {
                kind: "domain",
                domain: q.value,
                available: false,
                status: [],
                nameServers: [],
                abuse: {},
                registrant: {},
              },
            }
      } else {
        const registrar = rest.filter((p) => p.status === "ok").map((p) => p.record)
        parsed = {
          ...registry,
          raw: last.raw,
          record: registrar.reduce(mergeDomain, registry.record),
        }
      }
    } else {
      const all = answers.map((a) =>
        q.kind === "ip" ? parseIpImpl(a.raw, q.value) : parseAsnImpl(a.raw, q.asn),
      )
      parsed =
        [...all].reverse().find((p) => p.status === "ok") ??
        all[all.length - 1] ??
        parse(last.raw, q.kind)
    }
    const result: LookupResult = {
      query: q.input,
      normalized: q.value,
      kind: q.kind,
      source: "whois",
      status: parsed.status,
      record: parsed.record,
      raw: parsed.raw,
      chain,
    }
    return result
  })

/** Looks a domain, IP or AS number up over WHOIS only (port 43), following referrals. */
export const query = (
  input: string,
  options: Options = {},
): Effect.Effect<LookupResult, ToolError> =>
  Either.match(parseQueryImpl(input), {
    onLeft: Effect.fail,
    onRight: (q) => queryValidated(q, options),
  })

/**
 * Looks a domain, IP or AS number up: RDAP when the bootstrap knows a server (and `rdap` is not
 * `false`), WHOIS otherwise or when RDAP fails; the RDAP attempt stays in the chain.
 */
export const lookup = (
  input: string,
  options: Options = {},
): Effect.Effect<LookupResult, ToolError> =>
  Effect.gen(function* () {
    const q = yield* Either.match(parseQueryImpl(input), {
      onLeft: Effect.fail,
      onRight: registered,
    })
    if (options.rdap === false || options.server !== undefined) return yield* follow(q, options)
    const rdapOptions: Rdap.Options = {
      timeout: options.timeout,
      ...(typeof options.rdap === "object" ? options.rdap : {}),
    }
    const viaRdap = yield* Effect.either(fetchRdap(q, rdapOptions))
    if (Either.isRight(viaRdap) && viaRdap.right.status !== "partial") return viaRdap.right
    const whois = yield* follow(q, options)
    if (
      Either.isLeft(viaRdap) &&
      viaRdap.left.reason === "NotFound" &&
      viaRdap.left.field === "query"
    )
      return whois
    const rdapStep: Step = Either.isRight(viaRdap)
      ? { ...viaRdap.right.chain[0]!, error: "RDAP answer was incomplete" }
      : {
          protocol: "rdap",
          server: "rdap",
          query: q.value,
          bytes: 0,
          raw: "",
          error: viaRdap.left.message,
        }
    return { ...whois, chain: [rdapStep, ...whois.chain] }
  })

/** A configured WHOIS/RDAP client: options fixed once, the RDAP bootstrap loaded once. */
export interface WhoisService {
  /** RDAP first, WHOIS as fallback (see `lookup`). */
  readonly lookup: (input: string) => Effect.Effect<LookupResult, ToolError>
  /** WHOIS only (see `query`). */
  readonly query: (input: string) => Effect.Effect<LookupResult, ToolError>
}

/** The WHOIS/RDAP client service tag. */
export class WhoisClient extends Context.Tag("@netwark/tools/Whois")<WhoisClient, WhoisService>() {}

/** Builds the service, reading the RDAP bootstrap (data dir or bundled) once. */
export const make = (options: Options = {}): Effect.Effect<WhoisService, ToolError> =>
  Effect.gen(function* () {
    const rdapOptions: Rdap.Options = typeof options.rdap === "object" ? options.rdap : {}
    const bootstrap = rdapOptions.bootstrap ?? (yield* Rdap.loadBootstrap(rdapOptions.dataDir))
    const fixed: Options = {
      ...options,
      rdap: options.rdap === false ? false : { ...rdapOptions, bootstrap },
    }
    const forQuery: Options = { ...fixed, rdap: { ...rdapOptions, bootstrap } }
    return {
      lookup: (input) => lookup(input, fixed),
      query: (input) => query(input, forQuery),
    }
  })

/** A layer providing `WhoisClient` built with `options`. */
export const layer = (options: Options = {}): Layer.Layer<WhoisClient, ToolError> =>
  Layer.effect(WhoisClient, make(options))
