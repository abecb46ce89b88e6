/**
 * The fan-out bench's client, in a process of its own (bundled, started by `fanout.bench.ts`):
 * the bench process carries tsx, the bundler and the database set-up, and its old-space
 * collections (10-15 ms on that heap) landed in the measured rounds. A console or a script is a
 * lean process too. It waits for the workers, runs the warm-up and the measured rounds, reads the
 * CPU time of the processes under test around the measured ones, and prints one JSON line.
 *
 * Environment: `BENCH_BASE` (the API's URL), `BENCH_WORKERS`, `BENCH_ROUNDS`, `BENCH_WARMUP`,
 * `BENCH_SERVER_PID`, `BENCH_WORKERS_PID` (on RabbitMQ), `BENCH_MARK` (SIGUSR2 to the server
 * around the measured rounds, for a profiling preload).
 */
import { Agent, request } from "node:http"
import { cpuOfCommand, cpuOfPid, env } from "./proc.js"

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
export interface Round {
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

const base = env("BENCH_BASE")
const count = Number(env("BENCH_WORKERS"))
const rounds = Number(env("BENCH_ROUNDS"))
const warmup = Number(env("BENCH_WARMUP"))
const serverPid = Number(env("BENCH_SERVER_PID"))
const workersPid = process.env["BENCH_WORKERS_PID"]
const onRabbitMq = workersPid !== undefined

for (;;) {
  const r = (await (await fetch(`${base}/workers`)).json()) as { online: number }
  if (r.online >= count) break
  await new Promise((resolve) => setTimeout(resolve, 100))
}
const agent = new Agent({ keepAlive: true, maxSockets: 2 })
// the JIT reaches its steady state over the first ~100 rounds (each handler runs once a round)
for (let i = 0; i < warmup; i++) await round(base, agent)
const cpuNow = async () => ({
  server: await cpuOfPid(serverPid),
  workers: workersPid === undefined ? 0 : await cpuOfPid(workersPid),
  postgres: await cpuOfCommand("postgres"),
  broker: onRabbitMq ? await cpuOfCommand("beam.smp") : 0,
})
const before = await cpuNow()
const client = process.cpuUsage()
const mark = () => process.env["BENCH_MARK"] !== undefined && process.kill(serverPid, "SIGUSR2")
mark()
const measured: Array<Round> = []
for (let i = 0; i < rounds; i++) measured.push(await round(base, agent))
mark()
const used = process.cpuUsage(client)
const after = await cpuNow()
agent.destroy()
const perRound = (key: keyof typeof before) => (after[key] - before[key]) / rounds
process.stdout.write(
  `${JSON.stringify({
    rounds: measured,
    cpu: {
      server: perRound("server"),
      workers: perRound("workers"),
      postgres: perRound("postgres"),
      broker: perRound("broker"),
      client: (used.user + used.system) / 1000 / rounds,
    },
  })}\n`,
)
