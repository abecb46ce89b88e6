/**
 * Test environment: a fresh PostgreSQL database per run (dropped after), a RabbitMQ vhost per
 * run (deleted after, with every queue and exchange in it), and a server built on them.
 */
import { execFile } from "node:child_process"
import { randomBytes } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { promisify } from "node:util"
import pg from "pg"
import { Redacted } from "effect"
import { createApp, type Server } from "../../src/app.js"
import type { ServerConfig } from "../../src/config.js"

/** The machine's PostgreSQL (trust auth). */
export const adminUrl =
  process.env["NETWARK_TEST_PG"] ?? "postgres://postgres:root@127.0.0.1:5432/postgres"
/** The machine's RabbitMQ. */
export const brokerUrl = process.env["NETWARK_TEST_AMQP"] ?? "amqp://guest:guest@127.0.0.1:5672"

/** A database created for this test file; `drop` removes it. */
export const createDatabase = async (): Promise<{
  url: string
  name: string
  drop: () => Promise<void>
}> => {
  const name = `netwark_test_${randomBytes(6).toString("hex")}`
  const admin = new pg.Client({ connectionString: adminUrl })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${name}`)
  await admin.end()
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  return {
    name,
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: adminUrl })
      await client.connect()
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await client.end()
    },
  }
}

/** A unique broker namespace. */
export const namespace = (): string => `t${randomBytes(5).toString("hex")}`

const run = promisify(execFile)

/** `rabbitmqctl` with an argument array. */
export const rabbitmqctl = (...args: ReadonlyArray<string>) =>
  run("rabbitmqctl", [...args], { timeout: 60_000 })

/** A broker for this test file: a vhost of its own (`remove` deletes it) and a namespace in it. */
export interface Broker {
  readonly url: string
  readonly namespace: string
  readonly remove: () => Promise<void>
}

/** Create a throwaway vhost on the machine's RabbitMQ, with full rights for the test user. */
export const createBroker = async (ns: string = namespace()): Promise<Broker> => {
  const vhost = `netwark-test-${randomBytes(5).toString("hex")}`
  await rabbitmqctl("add_vhost", vhost)
  const url = new URL(brokerUrl)
  await rabbitmqctl(
    "set_permissions",
    "-p",
    vhost,
    decodeURIComponent(url.username),
    ".*",
    ".*",
    ".*",
  )
  url.pathname = `/${encodeURIComponent(vhost)}`
  return {
    url: url.toString(),
    namespace: ns,
    remove: () => rabbitmqctl("delete_vhost", vhost).then(() => undefined),
  }
}

/** A configuration for tests (port 0, loopback), overridable. */
export const testConfig = (overrides: Partial<ServerConfig> = {}): ServerConfig => ({
  port: 0,
  host: "127.0.0.1",
  dataDir: path.join(tmpdir(), "netwark-unused"),
  queues: [],
  localWorker: false,
  pollMillis: 200,
  ...overrides,
})

/** A temporary folder removed by `remove`. */
export const tempDir = (): { dir: string; remove: () => void } => {
  const dir = mkdtempSync(path.join(tmpdir(), "netwark-server-"))
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

/** A listening server and its base URL (`…/api/v1`). */
export interface Running {
  readonly server: Server
  readonly base: string
  readonly close: () => Promise<void>
}

/** Start a server on a configuration. */
export const start = async (config: ServerConfig): Promise<Running> => {
  const server = await createApp(config, {
    logger: process.env["NETWARK_TEST_LOG"] ? ["log", "warn", "error"] : false,
  })
  const url = await server.listen()
  return { server, base: `${url}/api/v1`, close: () => server.close() }
}

/** Shorthand for a Redacted URL. */
export const redacted = (url: string) => Redacted.make(url)
