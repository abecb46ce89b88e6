/**
 * A broadcast to 100 workers: POST /operations → every worker's result stored and the final
 * status streamed over SSE. Trivial workers (no tool runs), so the figure is the system's own
 * latency. Runs on the machine's PostgreSQL and RabbitMQ, and on the in-process transport
 * (`BENCH_ONLY=inprocess|rabbitmq` for one of them), after `BENCH_WARMUP` rounds (default 100).
 *
 * The processes are laid out as deployed: the server in a child process with its `npm start` V8
 * flags (with the 100 workers inside it on the in-process transport: that is what that transport
 * is); on RabbitMQ the workers in a second child, as on their own machines; this process is only
 * the client, on `node:http` (a browser's EventSource costs the server nothing more).
 */
import { randomBytes } from "node:crypto"
import { Agent, request } from "node:http"
import {
  type Child,
  child,
  cpuOf,
  cpuOfCommand,
  serverFlags,
  stop,
  withDatabase,
  withVhost,
} from "./support.js"

const percentile = (sorted: ReadonlyArray<number>, p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN

const body = JSON.stringify({ type: "ping", target: "127.0.0.1", timeout: 30 })

/** One HTTP exchange on a keep-alive agent; `onData` may end it early by returning true. */
const exchange = (
  agent: Agent,
  url: URL,
  method: "GET" | "POST",
  onData: (text: string) => boolean,
) =>
  new Promise<number>((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method,
        agent,
        headers:
          method === "POST"
            ? { "content-type": "application/json", "content-length": body.length }
            : { accept: "text/event-stream" },
      },
      (res) => {
        res.setEncoding("utf8")
        res.on("data", (text: string) => {
          if (onData(text)) {
            resolve(res.statusCode ?? 0)
            res.destroy()
          }
        })
        res.once("end", () => resolve(res.statusCode ?? 0))
        res.once("error", reject)
      },
    )
    req.once("error", reject)
    req.end(method === "POST" ? body : undefined)
  })

/** The stream's last event: the final status (results come before it). */
const finalStatus =
  /event: status\n(?:id: [^\n]*\n)?data: \{[^\n]*"status":"(done|partial|error|timeout)"/

/** When a round's milestones came, in milliseconds from its POST. */
interface Round {
  /** The POST's 202. */
  readonly accepted: number
  /** The first result on the stream. */
  readonly first: number
  /** The final status on the stream. */
  readonly end: number
}

/**
 * POST, then read the SSE stream until its final status event arrives (what a console shows;
 * the server closes the stream just after). Only the tail of what came before a chunk is searched
 * again, so the client's cost does not grow with the stream.
 */
const round = async (base: string, agent: Agent): Promise<Round> => {
  const started = performance.now()
  let json = ""
  const posted = await exchange(agent, new URL(`${base}/operations`), "POST", (text) => {
    json += text
    return false
  })
  if (posted !== 202) throw new Error(`POST answered ${posted}: ${json}`)
  const accepted = performance.now() - started
  const { id } = JSON.parse(json) as { id: string }
  let tail = ""
  let status: string | undefined
  let first: number | undefined
  // a stream opened after the end has the final status in its snapshot, and ends there
  let snapshotDone = false
  await exchange(agent, new URL(`${base}/operations/${id}/events`), "GET", (text) => {
    if (first === undefined && text.includes("event: result")) first = performance.now() - started
    tail = tail.slice(-512) + text
    status = finalStatus.exec(tail)?.[1]
    snapshotDone ||= tail.includes('"status":"done"')
    return status !== undefined
  })
  const end = performance.now() - started
  if (status !== "done" && !(status === undefined && snapshotDone))
    throw new Error(`operation ${id} did not end as done: ${tail.slice(-300)}`)
  return { accepted, first: first ?? end, end }
}

/** p50/p90/p99 of one milestone, in milliseconds. */
const spread = (rounds: ReadonlyArray<Round>, milestone: keyof Round): string => {
  const sorted = rounds.map((r) => r[milestone]).sort((a, b) => a - b)
  return [50, 90, 99].map((p) => percentile(sorted, p).toFixed(1)).join("/")
}

const measure = async (
  label: string,
  server: Child,
  workers: Child | undefined,
  count: number,
  rounds: number,
) => {
  const base = `${server.line}/api/v1`
  for (;;) {
    const r = (await (await fetch(`${base}/workers`)).json()) as { online: number }
    if (r.online >= count) break
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  const agent = new Agent({ keepAlive: true, maxSockets: 2 })
  try {
    // the JIT reaches its steady state over the first ~100 rounds (each handler runs once a round)
    const warmup = Number(process.env["BENCH_WARMUP"] ?? 100)
    for (let i = 0; i < warmup; i++) await round(base, agent)
    const measured: Array<Round> = []
    const serverBefore = await cpuOf(server.process)
    const workersBefore = await cpuOf(workers?.process)
    const postgresBefore = await cpuOfCommand("postgres")
    const brokerBefore = workers === undefined ? 0 : await cpuOfCommand("beam.smp")
    const cpu = process.cpuUsage()
    // BENCH_MARK=1: SIGUSR2 to the server around the measured rounds, for a profiling preload
    const mark = () => process.env["BENCH_MARK"] !== undefined && server.process.kill("SIGUSR2")
    mark()
    for (let i = 0; i < rounds; i++) measured.push(await round(base, agent))
    mark()
    const used = process.cpuUsage(cpu)
    const serverMs = ((await cpuOf(server.process)) - serverBefore) / rounds
    const workersMs = ((await cpuOf(workers?.process)) - workersBefore) / rounds
    const postgresMs = ((await cpuOfCommand("postgres")) - postgresBefore) / rounds
    const brokerMs =
      workers === undefined ? 0 : ((await cpuOfCommand("beam.smp")) - brokerBefore) / rounds
    const times = measured.map((r) => r.end).sort((a, b) => a - b)
    // CPU is steadier than latency on a shared 2-core machine: it does not count waiting for a core
    console.log(
      `${label.padEnd(24)} broadcast to ${count}: POST → all results stored and streamed: p50 ${percentile(times, 50).toFixed(1)} ms, p90 ${percentile(times, 90).toFixed(1)} ms, p99 ${percentile(times, 99).toFixed(1)} ms (${rounds} rounds); CPU per round: server ${serverMs.toFixed(1)} ms${workers === undefined ? ` (the ${count} workers in it)` : `, the ${count} workers ${workersMs.toFixed(1)} ms`}, client ${((used.user + used.system) / 1000 / rounds).toFixed(1)} ms, PostgreSQL ${postgresMs.toFixed(1)} ms${workers === undefined ? "" : `, RabbitMQ ${brokerMs.toFixed(1)} ms`}`,
    )
    // where a round's time goes: the 202, then the results (the first and the final status
    // arrive together when one batch stores them all)
    console.log(
      `${"".padEnd(24)} p50/p90/p99 ms after the POST: 202 ${spread(measured, "accepted")}, first result ${spread(measured, "first")}, final status ${spread(measured, "end")}`,
    )
  } finally {
    agent.destroy()
  }
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
