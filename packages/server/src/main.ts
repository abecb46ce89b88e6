#!/usr/bin/env node
/**
 * `node dist/main.js`: the server. With no `NETWARK_DATABASE_URL`/`NETWARK_BROKER_URL` it is the
 * embedded one-command mode (PGlite, in-process transport, a local worker); with both it is one
 * replica of the distributed deployment. `node dist/main.js migrate` only applies migrations.
 *
 * @module
 */
import "reflect-metadata"
import { createRequire } from "node:module"
import { createApp } from "./app.js"
import { ConfigError, fromEnv } from "./config.js"
import { migrate } from "./db/database.js"

const usage = `Usage: netwark-server [migrate]

  (no command)   run the server: the REST API /api/v1, the web console, and without a broker
                 the embedded database, the in-process transport and a local worker
  migrate        apply the database migrations and exit
  -h, --help     print this help
  -V, --version  print the version

Configuration comes from the environment (NETWARK_PORT, NETWARK_HOST, NETWARK_DATABASE_URL,
NETWARK_BROKER_URL, NETWARK_DATA_DIR, NETWARK_QUEUES, ...) and the YAML file NETWARK_CONFIG names.
`

const version = (): string =>
  (createRequire(import.meta.url)("../package.json") as { version: string }).version

const main = async (): Promise<void> => {
  // Arguments first: `--help` or a typo started a server (on port 6543, with ./.netwark-data).
  const [command, ...extra] = process.argv.slice(2)
  if (command === "--help" || command === "-h" || command === "help") {
    process.stdout.write(usage)
    return
  }
  if (command === "--version" || command === "-V") {
    process.stdout.write(`netwark-server ${version()}\n`)
    return
  }
  if ((command !== undefined && command !== "migrate") || extra.length > 0) {
    process.stderr.write(
      `netwark-server: unknown ${command === "migrate" ? "argument" : "command"} "${command === "migrate" ? extra[0] : command}"\n\n${usage}`,
    )
    process.exit(2)
  }
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
  if (command === "migrate") {
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
