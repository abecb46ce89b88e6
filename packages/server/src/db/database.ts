/**
 * The database: `@effect/sql-pg` on a real PostgreSQL, or on an embedded PGlite served through
 * `@electric-sql/pglite-socket` (the embedded mode). Same schema, migrations and queries in both;
 * the embedded pool has exactly one connection, because the socket server serves one.
 *
 * @module
 */
import { spawn } from "node:child_process"
import { existsSync, mkdirSync } from "node:fs"
import { Worker } from "node:worker_threads"
import { Migrator, SqlClient } from "@effect/sql"
import type { PgClient } from "@effect/sql-pg"
import { Effect, Layer, Redacted } from "effect"
import type { ServerConfig } from "../config.js"
import { migrations } from "../migrations/index.js"
import * as Prepared from "./prepared.js"

/** An advisory lock key so that replicas starting together migrate one at a time. */
const migrationLock = 0x6e657477 // "netw"

/** Apply the pending migrations (serialised across replicas); the ones applied now. */
export const applyMigrations = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const run = Migrator.make({})({ loader: migrations, table: "netwark_migrations" })
  // created here, outside the transaction: the migrator probes for it with a query that would
  // abort the surrounding transaction when it fails
  yield* sql`
    CREATE TABLE IF NOT EXISTS netwark_migrations (
      migration_id integer PRIMARY KEY,
      created_at timestamptz NOT NULL DEFAULT now(),
      name text NOT NULL
    )`.pipe(Effect.retry({ times: 2 }))
  return yield* sql.withTransaction(
    Effect.zipRight(sql`SELECT pg_advisory_xact_lock(${migrationLock})`, run),
  )
})

// PostgreSQL's default 128 MB of shared buffers would double the embedded server's memory
const pgliteOptions = { postgresqlconf: ["shared_buffers = 16MB"] }

/**
 * PGlite's modules by URL, for the initdb child and the database's thread: found from this module
 * (source or bundle), whatever the working directory.
 */
const pglite = import.meta.resolve("@electric-sql/pglite")
const pgliteSocket = import.meta.resolve("@electric-sql/pglite-socket")

/**
 * Create a new PGlite cluster in `dataDir` in a child process. PGlite runs initdb in a second
 * WASM instance whose memory stays in the process after it is closed (first start 825 MB RSS
 * against 340 MB on a restart); a child returns it to the system when it exits.
 */
const initdb = (dataDir: string) =>
  new Promise<void>((resolve, reject) => {
    const script =
      `const { PGlite } = await import(process.argv[1]);` +
      `const db = await PGlite.create(process.argv[2], JSON.parse(process.argv[3]));` +
      `await db.close();`
    const child = spawn(
      process.execPath,
      ["--input-type=module", "-e", script, pglite, dataDir, JSON.stringify(pgliteOptions)],
      { stdio: ["ignore", "ignore", "pipe"] },
    )
    let stderr = ""
    // decoded across reads: a character cut between two reads stays whole
    child.stderr.setEncoding("utf8")
    child.stderr.on("data", (d: string) => (stderr += d))
    child.once("error", reject)
    child.once("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`PGlite initdb exited ${code}: ${stderr.trim()}`)),
    )
  })

/**
 * The embedded database's thread: PGlite and its socket server, answering `{ port }` once serving
 * (or `{ error }`), and closing both on any message.
 */
const pgliteThread = `
const { parentPort, workerData } = require("node:worker_threads");
(async () => {
  const { PGlite } = await import(workerData.pglite);
  const { PGLiteSocketServer } = await import(workerData.socket);
  const db = await PGlite.create(workerData.dataDir, workerData.options);
  const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0, maxConnections: 1 });
  await server.start();
  parentPort.once("message", async () => {
    await server.stop();
    await db.close();
    parentPort.close();
  });
  parentPort.postMessage({ port: Number(server.getServerConn().split(":").pop()) });
})().catch((e) => parentPort.postMessage({ error: String(e && e.stack || e) }));
`

/**
 * Start PGlite in `dataDir` on a thread of its own and serve it on a loopback port (scoped). On the
 * server's thread every statement held the event loop while PGlite ran it (a vacuum for ~0.4 s),
 * and the database's CPU could not use the second core.
 */
export const embedded = (dataDir: string) =>
  Effect.acquireRelease(
    Effect.promise(async () => {
      mkdirSync(dataDir, { recursive: true })
      if (!existsSync(`${dataDir}/PG_VERSION`)) await initdb(dataDir)
      const thread = new Worker(pgliteThread, {
        eval: true,
        workerData: {
          pglite,
          socket: pgliteSocket,
          dataDir,
          options: pgliteOptions,
        },
      })
      try {
        const port = await new Promise<number>((resolve, reject) => {
          thread.once("message", (m: { port?: number; error?: string }) =>
            m.port === undefined ? reject(new Error(`PGlite: ${m.error}`)) : resolve(m.port),
          )
          thread.once("error", reject)
          thread.once("exit", (code) => reject(new Error(`PGlite's thread exited ${code}`)))
        })
        // from now on a failing thread is the process's failure, as PGlite's own was before
        thread.removeAllListeners()
        return { thread, port }
      } catch (cause) {
        await thread.terminate()
        throw cause
      }
    }),
    ({ thread }) =>
      Effect.promise(
        () =>
          new Promise<void>((resolve) => {
            thread.once("exit", () => resolve())
            thread.postMessage("close")
          }),
      ),
  )

/** The SQL client for this configuration (not migrated). */
export const client = (
  config: ServerConfig,
  maxConnections = 10,
): Layer.Layer<SqlClient.SqlClient | PgClient.PgClient, unknown> =>
  config.databaseUrl !== undefined
    ? Prepared.layer({ url: config.databaseUrl, maxConnections, applicationName: "netwark-server" })
    : Layer.unwrapScoped(
        Effect.map(embedded(config.dataDir), ({ port }) =>
          Prepared.layer({
            url: Redacted.make(`postgres://postgres@127.0.0.1:${port}/postgres`),
            // the socket server serves one connection: a second one would be dropped
            maxConnections: 1,
            minConnections: 1,
            applicationName: "netwark-embedded",
          }),
        ),
      )

/** The SQL client for this configuration, migrated. */
export const layer = (
  config: ServerConfig,
): Layer.Layer<SqlClient.SqlClient | PgClient.PgClient, unknown> =>
  Layer.tap(client(config), (context) => Effect.provide(applyMigrations, context))

/** Connect, apply the pending migrations, disconnect: `netwark-server migrate`. */
export const migrate = (config: ServerConfig): Promise<ReadonlyArray<readonly [number, string]>> =>
  Effect.runPromise(Effect.provide(applyMigrations, client(config, 1)))
