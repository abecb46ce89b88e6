import { Inject, Injectable, Logger, type OnModuleDestroy } from "@nestjs/common"
import { GeoIp } from "@netwark/tools"
import { Effect, Either, Exit, Option, Scope } from "effect"
import { Problem } from "../core/problem.js"

/** Injection token of the GeoIP database paths (from `NETWARK_GEOIP_CITY` / `NETWARK_GEOIP_ASN`). */
export const GEOIP_OPTIONS = Symbol.for("netwark.GeoIpOptions")

/** The configured database paths; none configured means GeoIP answers 503. */
export interface GeoIpOptions {
  readonly cityPath?: string
  readonly asnPath?: string
}

/** Reads the GeoIP paths from the environment. */
export const geoIpOptionsFromEnv = (
  env: Readonly<Record<string, string | undefined>>,
): GeoIpOptions => {
  const city = env["NETWARK_GEOIP_CITY"]?.trim()
  const asn = env["NETWARK_GEOIP_ASN"]?.trim()
  return {
    ...(city === undefined || city === "" ? {} : { cityPath: city }),
    ...(asn === undefined || asn === "" ? {} : { asnPath: asn }),
  }
}

/** Provides `GEOIP_OPTIONS` from `process.env`. */
export const geoIpOptionsProvider = {
  provide: GEOIP_OPTIONS,
  useFactory: (): GeoIpOptions => geoIpOptionsFromEnv(process.env),
}

const NOT_CONFIGURED =
  "no GeoIP database is configured: set NETWARK_GEOIP_CITY and/or NETWARK_GEOIP_ASN to .mmdb files"

/**
 * GeoIP lookups over `@netwark/tools` `GeoIp`. The databases are opened once and reloaded when
 * their files are replaced; a missing or broken database leaves the server up and the route
 * answering 503 with the reason.
 */
@Injectable()
export class GeoIpService implements OnModuleDestroy {
  private readonly logger = new Logger("GeoIp")
  private readonly scope = Effect.runSync(Scope.make())
  private readonly ready: Promise<GeoIp.GeoIpService | string>

  constructor(@Inject(GEOIP_OPTIONS) options: GeoIpOptions) {
    if (options.cityPath === undefined && options.asnPath === undefined) {
      this.ready = Promise.resolve(NOT_CONFIGURED)
      return
    }
    this.ready = Effect.runPromise(
      GeoIp.make({
        ...options,
        onReload: (e) =>
          e._tag === "Reloaded"
            ? this.logger.log(`reloaded ${e.kind} database ${e.path}`)
            : this.logger.warn(`kept the previous ${e.kind} database: ${e.error.message}`),
      }).pipe(
        Scope.extend(this.scope),
        Effect.catchAll((e) =>
          Effect.sync(() => {
            this.logger.error(`GeoIP disabled: ${e.message}`)
            return `GeoIP is unavailable: ${e.message}`
          }),
        ),
      ),
    )
  }

  /** Whether a database is loaded. */
  async available(): Promise<boolean> {
    return typeof (await this.ready) !== "string"
  }

  /** The record of `ip`, or `undefined` when no database knows it. Bad input is a 400 on `field`. */
  async find(ip: string, field = "ip"): Promise<GeoIp.GeoIpRecord | undefined> {
    const service = await this.ready
    if (typeof service === "string") throw new Problem(503, "GeoIpUnavailable", service)
    const r = await Effect.runPromise(Effect.either(service.lookup(ip)))
    if (Either.isRight(r)) return Option.getOrUndefined(r.right)
    if (r.left.reason === "InvalidInput") throw Problem.invalid(field, r.left.message)
    throw r.left
  }

  /** The record of `ip`; a 404 problem when no database knows it. */
  async lookup(ip: string): Promise<GeoIp.GeoIpRecord> {
    const record = await this.find(ip)
    if (record === undefined) throw Problem.notFound(`no GeoIP record for ${ip}`)
    return record
  }

  async onModuleDestroy(): Promise<void> {
    await Effect.runPromise(Scope.close(this.scope, Exit.void))
  }
}
