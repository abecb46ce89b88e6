/**
 * A broadcast to 100 workers: POST /operations → every worker's result stored and the final
 * status streamed over SSE. Trivial workers (no tool runs), so the figure is the system's own
 * latency. Runs on the machine's PostgreSQL and RabbitMQ, and on the in-process transport
 * (`BENCH_ONLY=inprocess|rabbitmq` for one of them).
 */
import { randomBytes } from "node:crypto"
import { RabbitMq, Transport } from "@netwark/transport"
import { Duration, Effect, Fiber, Layer, ManagedRuntime, Redacted } from "effect"
import { createApp, type Server } from "../src/app.js"
import type { ServerConfig } from "../src/config.js"
import { withDatabase, withVhost } from "./support.js"

const workers = (count: number) =>
  Effect.gen(function* () {
    const transport = yield* Transport.Transport
    for (let i = 0; i < count; i++) {
      const id = `fan-${i}`
      yield* transport.serve({ workerId: id, queues: ["netwark.broadcast"], concurrency: 4 }, () =>
        Effect.succeed({ status: "ok", raw: "" }),
      )
      yield* transport.announce(
        {
          id,
          hostname: id,
          version: "bench",
          queues: ["netwark.broadcast"],
          locations: [],
          capabilities: {},
        },
        { interval: Duration.seconds(5) },
      )
    }
  })

const percentile = (sorted: ReadonlyArray<number>, p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN

/**
 * POST, then read the SSE stream until its final status event arrives (what a console shows;
 * the server closes the stream just after); milliseconds.
 */
const round = async (base: string): Promise<number> => {
  const started = performance.now()
  const r = await fetch(`${base}/operations`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ type: "ping", target: "127.0.0.1", timeout: 30 }),
  })
  const { id } = (await r.json()) as { id: string }
  const res = await fetch(`${base}/operations/${id}/events`)
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader()
  let text = ""
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    text += value
    // the status event is the stream's last: results, then `event: status` with the final one
    if (
      /event: status\n(?:id: [^\n]*\n)?data: \{[^\n]*"status":"(done|partial|error|timeout)"/.test(
        text,
      )
    )
      break
  }
  const elapsed = performance.now() - started
  await reader.cancel()
  // a stream opened after the end has the final status in its snapshot, and ends there
  if (!/"status":"done"/.test(text))
    throw new Error(`operation ${id} did not end as done: ${text.slice(-300)}`)
  return elapsed
}

const measure = async (label: string, server: Server, count: number, rounds: number) => {
  const base = `${await server.listen()}/api/v1`
  for (;;) {
    const r = (await (await fetch(`${base}/workers`)).json()) as { online: number }
    if (r.online >= count) break
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  for (let i = 0; i < 5; i++) await round(base)
  const times: Array<number> = []
  const cpu = process.cpuUsage()
  for (let i = 0; i < rounds; i++) times.push(await round(base))
  const used = process.cpuUsage(cpu)
  times.sort((a, b) => a - b)
  // CPU is steadier than latency on a shared 2-core machine: it does not count waiting for a core
  const cpuMs = (used.user + used.system) / 1000 / rounds
  console.log(
    `${label.padEnd(30)} broadcast to ${count}: POST → all results stored and streamed: p50 ${percentile(times, 50).toFixed(1)} ms, p99 ${percentile(times, 99).toFixed(1)} ms, this process's CPU ${cpuMs.toFixed(1)} ms/round (server, the ${count} workers and the client all run in it; ${rounds} rounds)`,
  )
}

/** Run the fan-out benchmark. */
export const run = async (): Promise<void> => {
  const count = Number(process.env["BENCH_WORKERS"] ?? 100)
  const rounds = Number(process.env["BENCH_ROUNDS"] ?? 50)
  const base = {
    port: 0,
    host: "127.0.0.1",
    dataDir: "/tmp/unused",
    queues: [],
    localWorker: false,
    pollMillis: 200,
  } as const
  const only = process.env["BENCH_ONLY"]
  if (only === undefined || only === "inprocess")
    await withDatabase(async (url) => {
      const config: ServerConfig = { ...base, databaseUrl: Redacted.make(url) }
      const server = await createApp(config, { logger: false })
      const fiber = server.runtime.managed.runFork(
        Effect.scoped(Effect.zipRight(workers(count), Effect.never)),
      )
      await measure("PostgreSQL + in-process", server, count, rounds)
      await server.runtime.managed.runPromise(Fiber.interrupt(fiber))
      await server.close()
    })
  if (only === undefined || only === "rabbitmq")
    await withVhost((brokerUrl) =>
      withDatabase(async (url) => {
        const namespace = `fan${randomBytes(4).toString("hex")}`
        const config: ServerConfig = {
          ...base,
          databaseUrl: Redacted.make(url),
          brokerUrl: Redacted.make(brokerUrl),
          namespace,
        }
        const server = await createApp(config, { logger: false })
        const side = ManagedRuntime.make(
          Layer.scopedDiscard(workers(count)).pipe(
            Layer.provide(RabbitMq.layer({ url: brokerUrl, namespace })),
          ),
        )
        await side.runtime()
        await measure("PostgreSQL + RabbitMQ", server, count, rounds)
        await side.dispose()
        await server.close()
      }),
    )
}
