/**
 * A broadcast to 100 workers: POST /operations → every worker's result stored and the final
 * status streamed over SSE. Trivial workers (no tool runs), so the figure is the system's own
 * latency. Runs on the machine's PostgreSQL and RabbitMQ, and on the in-process transport
 * (`BENCH_ONLY=inprocess|rabbitmq` for one of them), after `BENCH_WARMUP` rounds (default 100).
 *
 * The processes are laid out as deployed: the server in a child process with its `npm start` V8
 * flags (with the 100 workers inside it on the in-process transport: that is what that transport
 * is); on RabbitMQ the workers in a second child, as on their own machines; the client in a third,
 * on `node:http` (`fanout.client.ts`; a browser's EventSource costs the server nothing more).
 */
import { execFile } from "node:child_process"
import { randomBytes } from "node:crypto"
import { promisify } from "node:util"
import type { Round } from "./fanout.client.js"
import { type Child, child, script, serverFlags, stop, withDatabase, withVhost } from "./support.js"

const percentile = (sorted: ReadonlyArray<number>, p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN

/** p50, p90 and p99 of one milestone, in milliseconds (one decimal). */
const spread = (rounds: ReadonlyArray<Round>, milestone: keyof Round): ReadonlyArray<string> => {
  const sorted = rounds.map((r) => r[milestone]).sort((a, b) => a - b)
  return [50, 90, 99].map((p) => percentile(sorted, p).toFixed(1))
}

const execFileAsync = promisify(execFile)

const measure = async (
  label: string,
  server: Child,
  workers: Child | undefined,
  count: number,
  rounds: number,
) => {
  const { stdout } = await execFileAsync(process.execPath, [await script("fanout-client")], {
    env: {
      ...process.env,
      BENCH_BASE: `${server.line}/api/v1`,
      BENCH_WORKERS: String(count),
      BENCH_ROUNDS: String(rounds),
      BENCH_WARMUP: process.env["BENCH_WARMUP"] ?? "100",
      BENCH_SERVER_PID: String(server.process.pid),
      ...(workers === undefined ? {} : { BENCH_WORKERS_PID: String(workers.process.pid) }),
    },
    maxBuffer: 64 * 1024 * 1024,
  })
  const out = JSON.parse(stdout) as {
    rounds: ReadonlyArray<Round>
    cpu: Record<"server" | "workers" | "postgres" | "broker" | "client", number>
  }
  const { cpu } = out
  const [p50, p90, p99] = spread(out.rounds, "end")
  // CPU is steadier than latency on a shared 2-core machine: it does not count waiting for a core
  console.log(
    `${label.padEnd(24)} broadcast to ${count}: POST → all results stored and streamed: p50 ${p50} ms, p90 ${p90} ms, p99 ${p99} ms (${rounds} rounds); CPU per round: server ${cpu.server.toFixed(1)} ms${workers === undefined ? ` (the ${count} workers in it)` : `, the ${count} workers ${cpu.workers.toFixed(1)} ms`}, client ${cpu.client.toFixed(1)} ms, PostgreSQL ${cpu.postgres.toFixed(1)} ms${workers === undefined ? "" : `, RabbitMQ ${cpu.broker.toFixed(1)} ms`}`,
  )
  // where a round's time goes: the 202, then the results (the first comes with the final status
  // when one batch stores them all)
  console.log(
    `${"".padEnd(24)} p50/p90/p99 ms after the POST: 202 ${spread(out.rounds, "accepted").join("/")}, first result ${spread(out.rounds, "first").join("/")}`,
  )
}

/** Run the fan-out benchmark. */
export const run = async (): Promise<void> => {
  const count = Number(process.env["BENCH_WORKERS"] ?? 100)
  const rounds = Number(process.env["BENCH_ROUNDS"] ?? 300)
  const workerEnv = { BENCH_BROADCAST: String(count) }
  const only = process.env["BENCH_ONLY"]
  if (only === undefined || only === "inprocess")
    await withDatabase(async (url) => {
      const server = await child("server", { BENCH_DATABASE_URL: url, ...workerEnv }, serverFlags)
      try {
        await measure("PostgreSQL + in-process", server, undefined, count, rounds)
      } finally {
        await stop(server.process)
      }
    })
  if (only === undefined || only === "rabbitmq")
    await withVhost((brokerUrl) =>
      withDatabase(async (url) => {
        const broker = {
          BENCH_BROKER_URL: brokerUrl,
          BENCH_NAMESPACE: `fan${randomBytes(4).toString("hex")}`,
        }
        const workers = await child("worker", { ...broker, ...workerEnv })
        try {
          const server = await child("server", { BENCH_DATABASE_URL: url, ...broker }, serverFlags)
          try {
            await measure(
              process.env["BENCH_BROADCAST_DELIVERY"] === "transient"
                ? "PostgreSQL + RabbitMQ (transient copies)"
                : "PostgreSQL + RabbitMQ",
              server,
              workers,
              count,
              rounds,
            )
          } finally {
            await stop(server.process)
          }
        } finally {
          await stop(workers.process)
        }
      }),
    )
}
