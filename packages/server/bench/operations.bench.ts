/**
 * Operations per second end to end: POST /operations → outbox → transport → a trivial worker →
 * result stored and the operation settled. Runs on the machine's PostgreSQL and RabbitMQ (each in
 * a database/namespace of its own), and on the in-process transport for comparison.
 */
import { randomBytes } from "node:crypto"
import { InProcess, RabbitMq, Transport } from "@netwark/transport"
import { Effect, Fiber, Layer, ManagedRuntime, Redacted } from "effect"
import pg from "pg"
import { createApp } from "../src/app.js"
import type { ServerConfig } from "../src/config.js"

const adminUrl =
  process.env["NETWARK_TEST_PG"] ?? "postgres://postgres:root@127.0.0.1:5432/postgres"
const brokerUrl = process.env["NETWARK_TEST_AMQP"] ?? "amqp://guest:guest@127.0.0.1:5672"

const withDatabase = async <A>(f: (url: string) => Promise<A>): Promise<A> => {
  const name = `netwark_bench_${randomBytes(5).toString("hex")}`
  const admin = new pg.Client({ connectionString: adminUrl })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${name}`)
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  try {
    return await f(url.toString())
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    await admin.end()
  }
}

/** A worker that answers at once, without running a tool. */
const trivialWorkers = (count: number) =>
  Effect.gen(function* () {
    const transport = yield* Transport.Transport
    for (let i = 0; i < count; i++)
      yield* transport.serve({ workerId: `bench-${i}`, queues: ["netwark"], concurrency: 64 }, () =>
        Effect.succeed({ status: "ok", raw: "" }),
      )
  })

const post = (base: string) =>
  fetch(`${base}/operations`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ type: "ping", target: "127.0.0.1", queues: ["netwark"], timeout: 600 }),
  }).then(async (r) => {
    await r.arrayBuffer()
    if (r.status !== 202) throw new Error(`POST answered ${r.status}`)
  })

const measure = async (
  label: string,
  config: ServerConfig,
  workerTransport: "same" | Layer.Layer<Transport.Transport, unknown>,
  total: number,
  concurrency: number,
) => {
  const server = await createApp(config, { logger: false })
  const url = `${await server.listen()}/api/v1`
  const workerFiber =
    workerTransport === "same"
      ? server.runtime.managed.runFork(
          Effect.scoped(Effect.zipRight(trivialWorkers(2), Effect.never)),
        )
      : undefined
  const workerRuntime =
    workerTransport === "same"
      ? undefined
      : ManagedRuntime.make(
          Layer.scopedDiscard(trivialWorkers(2)).pipe(Layer.provide(workerTransport)),
        )
  await workerRuntime?.runtime()
  const db = new pg.Client({ connectionString: Redacted.value(config.databaseUrl!) })
  await db.connect()
  const done = async () =>
    Number((await db.query("SELECT count(*) AS n FROM operations WHERE status = 'done'")).rows[0].n)
  // warm up
  await Promise.all(Array.from({ length: 50 }, () => post(url)))
  while ((await done()) < 50) await new Promise((r) => setTimeout(r, 20))
  const started = performance.now()
  let next = 0
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next++
        await post(url)
      }
    }),
  )
  const accepted = performance.now()
  while ((await done()) < total + 50) await new Promise((r) => setTimeout(r, 10))
  const finished = performance.now()
  const postRate = total / ((accepted - started) / 1000)
  const e2eRate = total / ((finished - started) / 1000)
  console.log(
    `${label.padEnd(34)} ${total} ops, ${concurrency} clients: accepted ${postRate.toFixed(0).padStart(6)}/s, end to end ${e2eRate.toFixed(0).padStart(6)} ops/s (${((finished - started) / 1000).toFixed(2)} s)`,
  )
  await db.end()
  if (workerFiber) await server.runtime.managed.runPromise(Fiber.interrupt(workerFiber))
  await workerRuntime?.dispose()
  await server.close()
  return e2eRate
}

/** Run the operations benchmark. */
export const run = async (): Promise<void> => {
  const total = Number(process.env["BENCH_OPS"] ?? 3000)
  const base = {
    port: 0,
    host: "127.0.0.1",
    dataDir: "/tmp/unused",
    queues: [],
    localWorker: false,
    pollMillis: 200,
  } as const
  const inProcess = await withDatabase((url) =>
    measure(
      "PostgreSQL + in-process transport",
      { ...base, databaseUrl: Redacted.make(url) },
      "same",
      total,
      64,
    ),
  )
  const namespace = `bench${randomBytes(4).toString("hex")}`
  const rabbit = await withDatabase((url) =>
    measure(
      "PostgreSQL + RabbitMQ",
      { ...base, databaseUrl: Redacted.make(url), brokerUrl: Redacted.make(brokerUrl), namespace },
      RabbitMq.layer({ url: brokerUrl, namespace }),
      total,
      64,
    ),
  )
  console.log(
    `RabbitMQ / in-process ratio: ${(rabbit / inProcess).toFixed(2)}x (aim: >= 2000 ops/s with RabbitMQ)`,
  )
  void InProcess
}
