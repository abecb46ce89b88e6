#!/usr/bin/env node
/**
 * `node dist/main.js`: the server. With no `NETWARK_DATABASE_URL`/`NETWARK_BROKER_URL` it is the
 * embedded one-command mode (PGlite, in-process transport, a local worker); with both it is one
 * replica of the distributed deployment. `node dist/main.js migrate` only applies migrations.
 *
 * @module
 */
import "reflect-metadata"
import { createApp } from "./app.js"
import { ConfigError, fromEnv } from "./config.js"
import { migrate } from "./db/database.js"

const main = async (): Promise<void> => {
  let config
  try {
    config = fromEnv()
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`netwark-server: ${error.message}\n`)
      process.exit(2)
    }
    throw error
  }
  if (process.argv[2] === "migrate") {
    const applied = await migrate(config)
    process.stdout.write(
      applied.length === 0
        ? "netwark-server: the schema is up to date\n"
        : `netwark-server: applied ${applied.map(([id, name]) => `${id}_${name}`).join(", ")}\n`,
    )
    return
  }
  const server = await createApp(config)
  const url = await server.listen()
  const mode = config.databaseUrl === undefined ? "embedded PGlite" : "PostgreSQL"
  const transport = config.brokerUrl === undefined ? "in-process transport" : "RabbitMQ"
  process.stdout.write(
    `netwark-server: listening on ${url} (${mode}, ${transport}${config.localWorker ? ", local worker" : ""})\n`,
  )
  let stopping = false
  const stop = (signal: string) => {
    if (stopping) return
    stopping = true
    process.stdout.write(`netwark-server: ${signal}, shutting down\n`)
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`netwark-server: shutdown failed: ${String(error)}\n`)
        process.exit(1)
      },
    )
  }
  process.once("SIGINT", () => stop("SIGINT"))
  process.once("SIGTERM", () => stop("SIGTERM"))
}

main().catch((error: unknown) => {
  process.stderr.write(
    `netwark-server: cannot start: ${error instanceof Error ? error.message : String(error)}\n`,
  )
  process.exit(1)
})
