/**
 * The processes under test of the benches, so that the load generator's HTTP clients do not share
 * their CPU. `server`: the app on `BENCH_DATABASE_URL` (or, without it, on the embedded PGlite in
 * `BENCH_DATA_DIR`) and `BENCH_BROKER_URL` (with the trivial workers in the same runtime when it has
 * no broker), printing its URL; `worker`: the trivial
 * workers on RabbitMQ; `floor`: a bare Fastify handler doing one INSERT per POST. The workers are
 * two on the direct queue `netwark`, or `BENCH_BROADCAST` of them on the broadcast queue, announced
 * (a broadcast waits for the workers the registry knows).
 */
import "reflect-metadata"
import { RabbitMq, Transport } from "@netwark/transport"
import { Jobs } from "@netwark/worker"
// Effect's modules, not its barrel: the bench bundles this file as `dist/main.js` is bundled,
// whose plugin rewrites only the packages' `src/`
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import { createApp } from "../src/app.js"
import { Metrics } from "../src/health/metrics.js"
import type { ServerConfig } from "../src/config.js"
import { env } from "./proc.js"

const broadcast = Number(process.env["BENCH_BROADCAST"] ?? 0)

/** Workers that answer at once, without running a tool. */
const trivialWorkers = Effect.gen(function* () {
  const transport = yield* Transport.Transport
  const queues = [broadcast > 0 ? "netwark.broadcast" : "netwark"]
  for (let i = 0; i < (broadcast > 0 ? broadcast : 2); i++) {
    const id = `bench-${i}`
    yield* transport.serve({ workerId: id, queues, concurrency: broadcast > 0 ? 4 : 64 }, () =>
      Effect.succeed({ status: "ok", raw: "" }),
    )
    if (broadcast > 0)
      yield* transport.announce(
        { id, hostname: id, version: "bench", queues, locations: [], capabilities: {} },
        { interval: Duration.seconds(5) },
      )
  }
})

/**
 * Count the statements this process sends to PostgreSQL (`pg`'s `Client#query`), and write the
 * count to `BENCH_QUERY_FILE` on SIGUSR2, so the bench can report round trips per operation. The
 * counts written on SIGUSR2 follow the time of writing (the bench waits for one newer than its
 * signal: a long statement on the embedded PGlite holds the event loop).
 */
const countQueries = async () => {
  const file = process.env["BENCH_QUERY_FILE"]
  if (file === undefined) return
  const { writeFileSync } = await import("node:fs")
  const { default: pg } = await import("pg")
  let queries = 0
  const query = pg.Client.prototype.query
  pg.Client.prototype.query = function (this: unknown, ...args: Array<unknown>) {
    queries++
    return (query as (...a: Array<unknown>) => unknown).apply(this, args)
  } as typeof query
  process.on("SIGUSR2", () => writeFileSync(file, `${Date.now()} ${queries}`))
}
await countQueries()

if (process.argv[2] === "floor") {
  // the floor: bare Fastify storing each POST with one autocommitted INSERT (no validation, no
  // outbox, no dispatch), answering 202 with the stored row
  const { default: Fastify } = await import("fastify")
  const { default: pg } = await import("pg")
  const pool = new pg.Pool({ connectionString: env("BENCH_DATABASE_URL"), max: 10 })
  await pool.query(`CREATE TABLE IF NOT EXISTS floor_operations (
    id uuid PRIMARY KEY, body jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT clock_timestamp())`)
  const { randomUUID } = await import("node:crypto")
  const app = Fastify()
  app.post("/api/v1/operations", async (request, reply) => {
    const { rows } = await pool.query(
      "INSERT INTO floor_operations (id, body) VALUES ($1, $2) RETURNING *",
      [randomUUID(), JSON.stringify(request.body)],
    )
    return reply.status(202).send(rows[0])
  })
  const address = await app.listen({ port: 0, host: "127.0.0.1" })
  process.once("SIGTERM", () => void app.close().finally(() => process.exit(0)))
  process.stdout.write(`${address}\n`)
} else if (process.argv[2] === "worker") {
  const runtime = ManagedRuntime.make(
    Layer.scopedDiscard(trivialWorkers).pipe(
      Layer.provide(
        RabbitMq.layer({
          url: env("BENCH_BROKER_URL"),
          namespace: env("BENCH_NAMESPACE"),
          // the server sends a direct job of these types to its type's queue
          jobTypes: Jobs.types,
        }),
      ),
    ),
  )
  await runtime.runtime()
  process.once("SIGTERM", () => void runtime.dispose().finally(() => process.exit(0)))
  process.stdout.write("ready\n")
} else {
  const brokerUrl = process.env["BENCH_BROKER_URL"]
  const config: ServerConfig = {
    port: 0,
    host: "127.0.0.1",
    queues: [],
    localWorker: false,
    pollMillis: 200,
    ...(process.env["BENCH_DATABASE_URL"] === undefined
      ? { dataDir: env("BENCH_DATA_DIR") }
      : { dataDir: "/tmp/unused", databaseUrl: Redacted.make(env("BENCH_DATABASE_URL")) }),
    ...(brokerUrl === undefined
      ? {}
      : { brokerUrl: Redacted.make(brokerUrl), namespace: env("BENCH_NAMESPACE") }),
    // BENCH_BROADCAST_DELIVERY=transient: as NETWARK_BROADCAST_DELIVERY
    ...(process.env["BENCH_BROADCAST_DELIVERY"] === "transient"
      ? { broadcastDelivery: "transient" as const }
      : {}),
  }
  const server = await createApp(config, { logger: false })
  // the operations settled so far, to `BENCH_SETTLED_FILE` on SIGUSR2: the bench's count where it
  // cannot query the database (the embedded one takes one connection, the server's)
  const settledFile = process.env["BENCH_SETTLED_FILE"]
  if (settledFile !== undefined) {
    const { writeFileSync } = await import("node:fs")
    const counters = server.runtime.service(Metrics)
    process.on("SIGUSR2", () =>
      writeFileSync(settledFile, `${Date.now()} ${counters.operationsSettled["done"] ?? 0}`),
    )
  }
  const url = await server.listen()
  if (brokerUrl === undefined)
    server.runtime.managed.runFork(Effect.scoped(Effect.zipRight(trivialWorkers, Effect.never)))
  process.once("SIGTERM", () => void server.close().finally(() => process.exit(0)))
  process.stdout.write(`${url}\n`)
}
