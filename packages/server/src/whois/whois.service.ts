import { Inject, Injectable, Logger } from "@nestjs/common"
import { Whois } from "@netwark/tools"
import { Effect, Either } from "effect"
import { Problem } from "../core/problem.js"
import { GeoIpService } from "../geoip/geoip.service.js"
import type { Lookup, LookupQuery } from "./whois.dto.js"

/** Injection token of the WHOIS/RDAP client options. */
export const WHOIS_OPTIONS = Symbol.for("netwark.WhoisOptions")

/** Why the WHOIS settings in the environment are unusable. */
export class WhoisConfigError extends Error {
  override readonly name = "WhoisConfigError"
}

const map = (name: string, text: string | undefined): Record<string, string> | undefined => {
  const t = text?.trim()
  if (t === undefined || t === "") return undefined
  if (t.startsWith("{")) {
    let parsed: unknown
    try {
      parsed = JSON.parse(t)
    } catch {
      throw new WhoisConfigError(`${name} is not valid JSON`)
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
      throw new WhoisConfigError(`${name} must be a JSON object of strings`)
    const out: Record<string, string> = {}
    for (const [k, v] of Object.entries(parsed)) {
      if (typeof v !== "string") throw new WhoisConfigError(`${name}.${k} must be a string`)
      out[k] = v
    }
    return out
  }
  // `from=to,from=to`: split on the first "=" of each pair, so URLs with ":" stay whole.
  const out: Record<string, string> = {}
  for (const pair of t.split(",")) {
    const eq = pair.indexOf("=")
    if (eq <= 0) throw new WhoisConfigError(`${name}: "${pair}" is not from=to`)
    out[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim()
  }
  return out
}

/**
 * Reads the WHOIS/RDAP options from the environment (all optional):
 * `NETWARK_WHOIS_IANA_SERVER` (host[:port]), `NETWARK_WHOIS_SERVERS` (redirects, `name=host:port,…`
 * or JSON), `NETWARK_WHOIS_TIMEOUT_MS`, `NETWARK_RDAP` (`false`: WHOIS only), `NETWARK_RDAP_DATA`
 * (bootstrap data dir), `NETWARK_RDAP_SERVERS` (base URL redirects, `url=url,…` or JSON).
 */
export const whoisOptionsFromEnv = (
  env: Readonly<Record<string, string | undefined>>,
): Whois.Options => {
  const iana = env["NETWARK_WHOIS_IANA_SERVER"]?.trim()
  const servers = map("NETWARK_WHOIS_SERVERS", env["NETWARK_WHOIS_SERVERS"])
  const timeoutText = env["NETWARK_WHOIS_TIMEOUT_MS"]?.trim()
  const timeout = timeoutText === undefined || timeoutText === "" ? undefined : Number(timeoutText)
  if (timeout !== undefined && (!Number.isInteger(timeout) || timeout <= 0))
    throw new WhoisConfigError(
      `NETWARK_WHOIS_TIMEOUT_MS must be a positive integer, got ${timeoutText}`,
    )
  const rdapOff = /^(0|false|no|off)$/i.test(env["NETWARK_RDAP"]?.trim() ?? "")
  const dataDir = env["NETWARK_RDAP_DATA"]?.trim()
  const rdapServers = map("NETWARK_RDAP_SERVERS", env["NETWARK_RDAP_SERVERS"])
  return {
    ...(iana === undefined || iana === "" ? {} : { ianaServer: iana }),
    ...(servers === undefined ? {} : { servers }),
    ...(timeout === undefined ? {} : { timeout: timeout }),
    rdap: rdapOff
      ? false
      : {
          ...(dataDir === undefined || dataDir === "" ? {} : { dataDir }),
          ...(rdapServers === undefined ? {} : { servers: rdapServers }),
          ...(timeout === undefined ? {} : { timeout }),
        },
  }
}

/** Provides `WHOIS_OPTIONS` from `process.env`. */
export const whoisOptionsProvider = {
  provide: WHOIS_OPTIONS,
  useFactory: (): Whois.Options => whoisOptionsFromEnv(process.env),
}

/** WHOIS/RDAP lookups over `@netwark/tools` `Whois`, with GeoIP added for IP addresses. */
@Injectable()
export class WhoisService {
  private readonly logger = new Logger("Whois")
  private readonly client: Promise<Whois.WhoisService | undefined>

  constructor(
    @Inject(WHOIS_OPTIONS) private readonly options: Whois.Options,
    @Inject(GeoIpService) private readonly geoip: GeoIpService,
  ) {
    // The RDAP bootstrap is read once; if it cannot be, each lookup loads it (and says why).
    this.client = Effect.runPromise(
      Effect.catchAll(Whois.make(options), (e) =>
        Effect.sync(() => {
          this.logger.warn(`RDAP bootstrap not preloaded: ${e.message}`)
          return undefined
        }),
      ),
    )
  }

  /** Looks `resource` up: RDAP first (unless `source` says otherwise), WHOIS as fallback. */
  async lookup(resource: string, query: LookupQuery, signal?: AbortSignal): Promise<Lookup> {
    const parsed = Whois.parseQuery(resource)
    if (Either.isLeft(parsed)) throw Problem.invalid("resource", parsed.left.message)
    const source = query.source ?? "auto"
    const client = await this.client
    const program =
      source === "whois"
        ? client !== undefined
          ? client.query(resource)
          : Whois.query(resource, this.options)
        : source === "rdap"
          ? Whois.lookup(resource, { ...this.options, rdap: rdapOnly(this.options) }).pipe(
              Effect.filterOrFail(
                (r) => r.source === "rdap",
                (r) =>
                  new Problem(
                    502,
                    "Network",
                    `no RDAP answer for ${resource}: ${r.chain.find((s) => s.protocol === "rdap")?.error ?? "no RDAP server known"}`,
                  ),
              ),
            )
          : client !== undefined
            ? client.lookup(resource)
            : Whois.lookup(resource, this.options)
    const result = await Effect.runPromise(
      Effect.either(program),
      signal === undefined ? undefined : { signal },
    )
    if (Either.isLeft(result)) {
      const e = result.left
      if (e instanceof Problem) throw e
      if (e.reason === "InvalidInput") throw Problem.invalid("resource", e.message)
      throw e
    }
    const r = result.right
    if (r.kind !== "ip" || !(await this.geoip.available())) return r
    const geo = await this.geoip.find(r.normalized, "resource").catch(() => undefined)
    return { ...r, geoip: geo ?? null }
  }
}

const rdapOnly = (options: Whois.Options) => (typeof options.rdap === "object" ? options.rdap : {})
