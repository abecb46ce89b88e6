/**
 * Writes `openapi.json`, the API contract `@netwark/client` is generated from. The document is
 * built from the controllers and schemas alone: the Nest app is created (not initialised, not
 * listening) on an Effect runtime that provides nothing, so no database or broker is needed.
 * `npm run openapi` writes it; `test/openapi.test.ts` fails when the committed file drifts.
 */
import "reflect-metadata"
import { writeFile } from "node:fs/promises"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { NestFactory } from "@nestjs/core"
import { FastifyAdapter, type NestFastifyApplication } from "@nestjs/platform-fastify"
import { Layer, ManagedRuntime } from "effect"
import * as prettier from "prettier"
import { apiPrefix } from "../src/app.js"
import { AppModule } from "../src/app.module.js"
import { fromEnv } from "../src/config.js"
import { buildDocument } from "../src/core/openapi.js"
import { EffectRuntime } from "../src/core/runtime.js"
import type { AppServices } from "../src/server.layer.js"

const here = path.dirname(fileURLToPath(import.meta.url))

/** The committed document. */
export const OUTPUT = path.resolve(here, "../openapi.json")

/** The OpenAPI document of the current code, as the formatted text `openapi.json` holds. */
export const generate = async (): Promise<string> => {
  // A runtime that is never built: only a request handler would use it, and none runs here.
  const empty = ManagedRuntime.make(Layer.empty as unknown as Layer.Layer<AppServices, unknown>)
  const runtime = new EffectRuntime<AppServices>(empty)
  // Machine-independent configuration: the document must not depend on who generates it.
  const config = fromEnv({}, "/")
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(runtime, config),
    new FastifyAdapter(),
    { logger: false, abortOnError: false },
  )
  try {
    app.setGlobalPrefix(apiPrefix)
    const document = buildDocument(app)
    const config = (await prettier.resolveConfig(OUTPUT)) ?? {}
    return await prettier.format(JSON.stringify(document), { ...config, parser: "json" })
  } finally {
    await app.close()
    await empty.dispose()
  }
}

if (
  process.argv[1] !== undefined &&
  path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)
) {
  const text = await generate()
  await writeFile(OUTPUT, text)
  process.stdout.write(`wrote ${path.relative(process.cwd(), OUTPUT)} (${text.length} bytes)\n`)
}
