import { Inject, Injectable, Logger, Optional } from "@nestjs/common"
import { Rdap, Whois } from "@netwark/tools"
import { Duration, Effect, Either } from "effect"
import { Problem } from "../core/problem.js"
import { GeoIpService } from "../geoip/geoip.service.js"
import type { Lookup, LookupQuery } from "./whois.dto.js"

/** Injection token of the WHOIS/RDAP client options. */
export const WHOIS_OPTIONS = Symbol.for("netwark.WhoisOptions")

/**
 * Injection token (optional) of how long a bootstrap read from the RDAP data dir is used before
 * the dir is read again (default 10 minutes), so a `whois update-bootstrap` reaches a running
 * server.
 */
export const RDAP_BOOTSTRAP_MAX_AGE = Symbol.for("netwark.RdapBootstrapMaxAge")

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
  /** The options with the RDAP bootstrap read (when it can be; else each lookup reads it). */
  private ready: Promise<Whois.Options>
  private readonly maxAgeMs: number
  private loadedAt = Date.now()
  private reloading = false

  constructor(
    @Inject(WHOIS_OPTIONS) private readonly options: Whois.Options,
    @Inject(GeoIpService) private readonly geoip: GeoIpService,
    @Optional() @Inject(RDAP_BOOTSTRAP_MAX_AGE) maxAge?: Duration.DurationInput,
  ) {
    this.maxAgeMs = Duration.toMillis(Duration.decode(maxAge ?? "10 minutes"))
    this.ready = Effect.runPromise(
      Rdap.loadBootstrap(rdapOf(options).dataDir).pipe(
        Effect.map((bootstrap) => this.withBootstrap(bootstrap)),
        Effect.catchAll((e) =>
          Effect.sync(() => {
            this.logger.warn(`RDAP bootstrap not preloaded: ${e.message}`)
            return options
          }),
        ),
      ),
    )
  }

  private withBootstrap(bootstrap: Rdap.Bootstrap): Whois.Options {
    const o = this.options
    return { ...o, rdap: o.rdap === false ? false : { ...rdapOf(o), bootstrap } }
  }

  /**
   * The options to look up with. Once the bootstrap is older than the max age, the data dir is
   * read again in the background: this lookup (and those during the read) use the one loaded, and
   * a failed read keeps it (logged). The bundled snapshot never changes, so is never read again.
   */
  private current(): Promise<Whois.Options> {
    const dataDir = this.options.rdap === false ? undefined : rdapOf(this.options).dataDir
    if (dataDir !== undefined && !this.reloading && Date.now() - this.loadedAt >= this.maxAgeMs) {
      this.reloading = true
      void Effect.runPromise(Effect.either(Rdap.loadBootstrap(dataDir))).then((loaded) => {
        if (Either.isRight(loaded)) this.ready = Promise.resolve(this.withBootstrap(loaded.right))
        else
          this.logger.warn(
            `RDAP bootstrap not reloaded from ${dataDir}, keeping the one loaded: ${loaded.left.message}`,
          )
        this.loadedAt = Date.now()
        this.reloading = false
      })
    }
    return this.ready
  }

  /** Looks `resource` up: RDAP first (unless `source` says otherwise), WHOIS as fallback. */
  async lookup(resource: string, query: LookupQuery, signal?: AbortSignal): Promise<Lookup> {
    const parsed = Whois.parseQuery(resource)
    if (Either.isLeft(parsed)) throw Problem.invalid("resource", parsed.left.message)
    const options = await this.current()
    const source = query.source ?? "auto"
    const program =
      source === "whois"
        ? Whois.query(resource, options)
        : source === "rdap"
          ? Rdap.lookup(resource, rdapOf(options))
          : Whois.lookup(resource, options)
    const result = await Effect.runPromise(
      Effect.either(program),
      signal === undefined ? undefined : { signal },
    ).catch((e: unknown) => {
      // Interrupted because the caller went away: nobody reads this answer.
      if (signal?.aborted === true) throw new Problem(503, "Aborted", "the caller went away")
      throw e
    })
    if (Either.isLeft(result)) {
      const e = result.left
      if (e.reason === "InvalidInput") throw Problem.invalid("resource", e.message)
      // "No RDAP server is known" is about the resource, not a missing record: still a 404.
      if (e.reason === "NotFound") throw Problem.notFound(e.message)
      throw e
    }
    const r = result.right
    if (r.kind !== "ip" || !(await this.geoip.available())) return r
    const geo = await this.geoip.find(r.normalized, "resource").catch(() => undefined)
    return { ...r, geoip: geo ?? null }
  }
}

const rdapOf = (options: Whois.Options): Rdap.Options =>
  typeof options.rdap === "object" ? options.rdap : {}
