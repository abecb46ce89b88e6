/**
 * The synchronous-tools routes on their own: the same Fastify adapter settings, `/api/v1` prefix
 * and problem filter as `createApp`, without the database and broker the operations need.
 */
import "reflect-metadata"
import { type DynamicModule, Module } from "@nestjs/common"
import { NestFactory } from "@nestjs/core"
import type { NestFastifyApplication } from "@nestjs/platform-fastify"
import { Schema } from "effect"
import { apiPrefix, fastifyAdapter } from "../../src/app.js"
import { ProblemFilter } from "../../src/core/problem.filter.js"
import { GeoIpModule } from "../../src/geoip/geoip.module.js"
import { IpCalcModule } from "../../src/ipcalc/ipcalc.module.js"
import { OuiModule } from "../../src/oui/oui.module.js"
import { WhoisModule } from "../../src/whois/whois.module.js"

@Module({})
class ToolsModule {
  static forRoot(): DynamicModule {
    return { module: ToolsModule, imports: [IpCalcModule, OuiModule, GeoIpModule, WhoisModule] }
  }
}

/** Builds the tools-only app with `env` applied to `process.env` while the providers read it. */
export const toolsApp = async (
  env: Readonly<Record<string, string | undefined>> = {},
): Promise<NestFastifyApplication> => {
  const saved: Record<string, string | undefined> = {}
  for (const [k, v] of Object.entries(env)) {
    saved[k] = process.env[k]
    if (v === undefined) delete process.env[k]
    else process.env[k] = v
  }
  try {
    const adapter = fastifyAdapter()
    const app = await NestFactory.create<NestFastifyApplication>(ToolsModule.forRoot(), adapter, {
      logger: false,
      abortOnError: false,
    })
    app.setGlobalPrefix(apiPrefix)
    app.useGlobalFilters(new ProblemFilter())
    await app.init()
    await app.getHttpAdapter().getInstance().ready()
    return app
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
  }
}

/** A problem-details body, as the tests read it. */
export interface ProblemJson {
  readonly status: number
  readonly reason: string
  readonly field?: string
  readonly detail: string
  readonly errors?: ReadonlyArray<{ readonly field: string; readonly message: string }>
}

/**
 * Checks an answer against the Effect Schema its route documents in OpenAPI (extra properties
 * included), so the tests also hold the code to the published contract. Returns the answer.
 */
export const conforms = <A, I>(schema: Schema.Schema<A, I, never>, body: unknown): unknown => {
  Schema.decodeUnknownSync(schema, { onExcessProperty: "error", errors: "all" })(body)
  return body
}
