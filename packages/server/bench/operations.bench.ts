/**
 * Operations per second end to end: POST /operations → outbox → transport → a trivial worker →
 * result stored and the operation settled. Runs on the machine's PostgreSQL and RabbitMQ (each in
 * a database and vhost of its own), on the in-process transport for comparison, and as `npm start`
 * runs by default (the embedded PGlite and the in-process transport). The server
 * and the workers run in child processes (`child.ts`, the server with its `npm start` V8 flags); this process only generates the
 * HTTP load and counts settled rows, so the figure is the server's, not the load generator's.
 */
import { randomBytes } from "node:crypto"
import { mkdtemp, readFile, rm } from "node:fs/promises"
import type { ChildProcess } from "node:child_process"
import { Agent, request } from "node:http"
import { availableParallelism, tmpdir } from "node:os"
import path from "node:path"
import pg from "pg"
import { cpuOfCommand } from "./proc.js"
import { child, cpuOf, serverFlags, stop, withDatabase, withVhost } from "./support.js"

const body = JSON.stringify({
  type: "ping",
  target: "127.0.0.1",
  queues: ["netwark"],
  timeout: 600,
})

/**
 * POST one operation over a keep-alive `node:http` agent: `fetch` costs this process ~1 ms of CPU
 * per request here (6x `node:http`), and the load generator shares the machine's cores with the
 * server, so a heavy client would understate the server.
 */
const post = (base: string, agent: Agent) =>
  new Promise<void>((resolve, reject) => {
    const url = new URL(`${base}/operations`)
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: "POST",
        agent,
        headers: { "content-type": "application/json", "content-length": body.length },
      },
      (res) => {
        res.resume()
        res.once("end", () =>
          res.statusCode === 202 ? resolve() : reject(new Error(`POST answered ${res.statusCode}`)),
        )
      },
    )
    req.once("error", reject)
    req.end(body)
  })

/** The cores the processes of a run share. */
const cpus = availableParallelism()

/**
 * Start counting the CPU of a run's processes (the server, the worker, the machine's PostgreSQL
 * and RabbitMQ, this load generator); the returned function reads it, in milliseconds, with the
 * sum: where the machine's cores went.
 */
const countCpu = async (server: ChildProcess, worker?: ChildProcess, broker = false) => {
  const read = async () => ({
    server: await cpuOf(server),
    worker: await cpuOf(worker),
    postgres: await cpuOfCommand("postgres"),
    broker: broker ? await cpuOfCommand("beam.smp") : 0,
  })
  const before = await read()
  const load = process.cpuUsage()
  return async () => {
    const own = process.cpuUsage(load)
    const after = await read()
    const used = {
      server: after.server - before.server,
      worker: after.worker - before.worker,
      postgres: after.postgres - before.postgres,
      broker: after.broker - before.broker,
      load: (own.user + own.system) / 1000,
    }
    return { ...used, all: used.server + used.worker + used.postgres + used.broker + used.load }
  }
}

/** How busy the machine's cores were, in %, for `ms` of CPU over `seconds`. */
const busy = (ms: number, seconds: number) => ((ms / 1000 / seconds / cpus) * 100).toFixed(0)

/** Operations POSTed before the clock starts, on the floor and on Netwark alike. */
const warmup = Number(process.env["BENCH_WARMUP"] ?? 2000)

/** The window of the sustained rates (`BENCH_WINDOW`, seconds). */
const windowSeconds = Number(process.env["BENCH_WINDOW"] ?? 30)

/**
 * Count the operations settled in each whole window from `started` until `stop()`, and the outbox
 * entries at its end: a long run (`BENCH_OPS=3000000`) shows whether the rate holds as the tables
 * grow, and whether the outbox stays at its ten minutes once the sweeper starts deleting.
 */
const sustained = (
  started: number,
  done: () => Promise<number>,
  outbox: () => Promise<number | undefined>,
  base: number,
) => {
  const rates: Array<number> = []
  const outboxes: Array<number | undefined> = []
  let last = base
  let at = started
  const timer = setInterval(() => {
    void done().then(async (n) => {
      const now = performance.now()
      rates.push(((n - last) * 1000) / (now - at))
      last = n
      at = now
      outboxes.push(await outbox())
    })
  }, windowSeconds * 1000)
  return {
    stop: () => {
      clearInterval(timer)
      return { rates, outboxes }
    },
  }
}

/** Run `f` on a folder of its own for the embedded database (removed after). */
const withDataDir = async <A>(f: (dataDir: string) => Promise<A>): Promise<A> => {
  const dataDir = await mkdtemp(path.join(tmpdir(), "netwark-bench-embedded-"))
  try {
    return await f(dataDir)
  } finally {
    await rm(dataDir, { recursive: true, force: true })
  }
}

/**
 * Time a request that needs no database (`GET /ip-calc/…`) every 20 ms, on a connection of its
 * own, until `stop()`: how the API answers a console while operations flow (on the embedded
 * database, a statement that holds the server's event loop holds these too).
 */
const probe = (base: string) => {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  const times: Array<number> = []
  let running = true
  const url = new URL(`${base}/ip-calc/10.0.0.0/8`)
  const once = () =>
    new Promise<void>((resolve, reject) => {
      const started = performance.now()
      const req = request(
        { host: url.hostname, port: url.port, path: url.pathname, agent },
        (res) => {
          res.resume()
          res.once("end", () => {
            times.push(performance.now() - started)
            resolve()
          })
        },
      )
      req.once("error", reject)
      req.end()
    })
  const loop = (async () => {
    while (running) {
      await once()
      await new Promise((r) => setTimeout(r, 20))
    }
  })()
  return {
    stop: async () => {
      running = false
      await loop
      agent.destroy()
      const sorted = times.sort((a, b) => a - b)
      const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!
      return `${sorted.length} requests, p50 ${at(0.5).toFixed(1)} ms, p99 ${at(0.99).toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms`
    },
  }
}

/** POST `n` operations from `concurrency` clients at once. */
const load = (url: string, agent: Agent, n: number, concurrency: number) => {
  let next = 0
  return Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        next++
        await post(url, agent)
      }
    }),
  )
}

/**
 * `database`: a PostgreSQL URL, or the embedded PGlite's folder (`npm start`'s default), where the
 * server's own counter tells the operations done: PGlite takes one connection, the server's.
 */
const measure = async (
  label: string,
  database: { readonly url: string } | { readonly dataDir: string },
  broker: { readonly url: string; readonly namespace: string } | undefined,
  total: number,
  concurrency: number,
) => {
  const brokerEnv: Record<string, string> =
    broker === undefined ? {} : { BENCH_BROKER_URL: broker.url, BENCH_NAMESPACE: broker.namespace }
  const workers = broker === undefined ? undefined : await child("worker", brokerEnv)
  const queryFile = path.join(tmpdir(), `netwark-bench-queries-${process.pid}`)
  const settledFile = path.join(tmpdir(), `netwark-bench-settled-${process.pid}`)
  const server = await child(
    "server",
    {
      ...("url" in database
        ? { BENCH_DATABASE_URL: database.url }
        : { BENCH_DATA_DIR: database.dataDir, BENCH_SETTLED_FILE: settledFile }),
      BENCH_QUERY_FILE: queryFile,
      ...brokerEnv,
    },
    serverFlags,
  )
  /**
   * Ask the server to write its counts (statements sent; operations done, when embedded), and read
   * one written after the asking.
   */
  const counted = async (file: string) => {
    const asked = Date.now()
    server.process.kill("SIGUSR2")
    for (;;) {
      await new Promise((r) => setTimeout(r, 20))
      const [at, n] = (await readFile(file, "utf8").catch(() => "0 0")).split(" ").map(Number)
      if (at! >= asked) return n!
    }
  }
  /** How many statements the server has sent so far. */
  const queries = () => counted(queryFile)
  const url = `${server.line}/api/v1`
  const db = "url" in database ? new pg.Client({ connectionString: database.url }) : undefined
  await db?.connect()
  const done = async () =>
    db === undefined
      ? counted(settledFile)
      : Number(
          (await db.query("SELECT count(*) AS n FROM operations WHERE status = 'done'")).rows[0].n,
        )
  const outbox = async () =>
    db === undefined
      ? undefined
      : Number((await db.query("SELECT count(*) AS n FROM outbox")).rows[0].n)
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency })
  try {
    // warm up as long as the floor does (the JIT and the pools settle first), then measure
    await load(url, agent, warmup, concurrency)
    while ((await done()) < warmup) await new Promise((r) => setTimeout(r, 20))
    const queriesBefore = await queries()
    const started = performance.now()
    const cpuUsed = await countCpu(server.process, workers?.process, broker !== undefined)
    const windows = sustained(started, done, outbox, warmup)
    const ipCalc = probe(url)
    await load(url, agent, total, concurrency)
    const accepted = performance.now()
    const probed = await ipCalc.stop()
    while ((await done()) < total + warmup) await new Promise((r) => setTimeout(r, 10))
    const finished = performance.now()
    const { rates, outboxes } = windows.stop()
    const cpu = await cpuUsed()
    const seconds = (finished - started) / 1000
    const statements = (await queries()) - queriesBefore
    const postRate = total / ((accepted - started) / 1000)
    const e2eRate = total / seconds
    const perOp = (ms: number) => (ms * 1000) / total
    console.log(
      `${label.padEnd(34)} ${total} ops, ${concurrency} clients: accepted ${postRate.toFixed(0).padStart(6)}/s, end to end ${e2eRate.toFixed(0).padStart(6)} ops/s (${seconds.toFixed(2)} s; load generator CPU ${((cpu.load / 1000 / seconds) * 100).toFixed(0)} %; server CPU ${perOp(cpu.server).toFixed(0)} µs/op, ${(statements / total).toFixed(2)} SQL statements/op${workers ? `, worker process ${perOp(cpu.worker).toFixed(0)} µs/op` : ""})`,
    )
    console.log(
      `${"".padEnd(34)} CPU per op: server ${perOp(cpu.server).toFixed(0)}, PostgreSQL ${perOp(cpu.postgres).toFixed(0)}${workers ? `, RabbitMQ ${perOp(cpu.broker).toFixed(0)}, worker ${perOp(cpu.worker).toFixed(0)}` : ""}, load generator ${perOp(cpu.load).toFixed(0)}: ${perOp(cpu.all).toFixed(0)} µs in all (the cores busy ${busy(cpu.all, seconds)} % of the run)`,
    )
    console.log(`${"".padEnd(34)} GET /ip-calc meanwhile, one at a time: ${probed}`)
    if (rates.length >= 3)
      console.log(
        `${"".padEnd(34)} sustained: ops/s settled per ${windowSeconds} s window, in order: ${rates.map((r) => r.toFixed(0)).join(", ")} (lowest ${Math.min(...rates).toFixed(0)}, last ${rates.at(-1)!.toFixed(0)})${outboxes.every((n) => n === undefined) ? "" : `; outbox entries at each window's end: ${outboxes.join(", ")}`}`,
      )
    return { rate: e2eRate, cpu: perOp(cpu.server), machine: perOp(cpu.all) }
  } finally {
    agent.destroy()
    await db?.end()
    await stop(server.process)
    if (workers) await stop(workers.process)
    await rm(queryFile, { force: true })
    await rm(settledFile, { force: true })
  }
}

/** POSTs/s that a bare Fastify handler storing each with one INSERT takes: the floor here. */
const floor = async (databaseUrl: string, total: number, concurrency: number) => {
  const server = await child("floor", { BENCH_DATABASE_URL: databaseUrl }, serverFlags)
  const url = `${server.line}/api/v1`
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency })
  try {
    await load(url, agent, warmup, concurrency)
    const cpuUsed = await countCpu(server.process)
    const started = performance.now()
    await load(url, agent, total, concurrency)
    const seconds = (performance.now() - started) / 1000
    const rate = total / seconds
    const cpu = await cpuUsed()
    const perPost = (ms: number) => (ms * 1000) / total
    console.log(
      `${"floor: bare Fastify + 1 INSERT/POST".padEnd(34)} ${total} POSTs, ${concurrency} clients: ${rate.toFixed(0).padStart(6)}/s (server CPU ${perPost(cpu.server).toFixed(0)} µs/POST, PostgreSQL ${perPost(cpu.postgres).toFixed(0)}, ${perPost(cpu.all).toFixed(0)} µs in all; the cores busy ${busy(cpu.all, seconds)} %)`,
    )
    return { rate, cpu: perPost(cpu.server), machine: perPost(cpu.all) }
  } finally {
    agent.destroy()
    await stop(server.process)
  }
}

/** Run the operations benchmark. */
export const run = async (): Promise<void> => {
  const total = Number(process.env["BENCH_OPS"] ?? 10_000)
  // client counts, comma-separated: 64 (a busy API) and 256 (many scripts at once: the POSTs
  // batch deeper); 1 measures the cost of a lone operation, with nothing to batch
  const counts = (process.env["BENCH_CLIENTS"] ?? "64,256").split(",").map(Number)
  // `BENCH_ONLY=rabbitmq` (or `floor,rabbitmq`, `embedded`…): a long run of some of them; the
  // ratios of those that ran
  const only = process.env["BENCH_ONLY"]?.split(",")
  const runs = (name: string) => only === undefined || only.includes(name)
  for (const clients of counts) {
    const bare = runs("floor") ? await withDatabase((url) => floor(url, total, clients)) : undefined
    const inProcess = runs("inprocess")
      ? await withDatabase((url) =>
          measure("PostgreSQL + in-process transport", { url }, undefined, total, clients),
        )
      : undefined
    // `npm start` as it comes: PGlite and the in-process transport
    const embedded = runs("embedded")
      ? await withDataDir((dataDir) =>
          measure("embedded PGlite + in-process", { dataDir }, undefined, total, clients),
        )
      : undefined
    if (embedded !== undefined && inProcess !== undefined)
      console.log(
        `${clients} clients: embedded (PGlite) ${(embedded.rate / inProcess.rate).toFixed(2)}x the in-process transport's rate on PostgreSQL`,
      )
    const namespace = `bench${randomBytes(4).toString("hex")}`
    const rabbit = runs("rabbitmq")
      ? await withVhost((broker) =>
          withDatabase((url) =>
            measure("PostgreSQL + RabbitMQ", { url }, { url: broker, namespace }, total, clients),
          ),
        )
      : undefined
    if (bare === undefined || inProcess === undefined || rabbit === undefined) continue
    console.log(
      `${clients} clients: end to end with RabbitMQ ${(rabbit.rate / bare.rate).toFixed(2)}x the floor of a bare Fastify POST with one INSERT ` +
        `(in-process transport ${(inProcess.rate / bare.rate).toFixed(2)}x); RabbitMQ / in-process ${(rabbit.rate / inProcess.rate).toFixed(2)}x ` +
        `(aim: >= 2000 ops/s with RabbitMQ)`,
    )
    // the same comparison by cost: the server process's CPU for one operation against the
    // floor's for one POST (the rates also hang on how the processes share the cores)
    console.log(
      `${clients} clients: server CPU per operation ${(rabbit.cpu / bare.cpu).toFixed(2)}x the floor's per POST with RabbitMQ ` +
        `(in-process transport ${(inProcess.cpu / bare.cpu).toFixed(2)}x)`,
    )
    // the machine's ceiling: every process's CPU for one operation, against the cores there are
    console.log(
      `${clients} clients: the machine's CPU per operation ${(rabbit.machine / bare.machine).toFixed(2)}x the floor's per POST with RabbitMQ ` +
        `(in-process transport ${(inProcess.machine / bare.machine).toFixed(2)}x); at ${rabbit.machine.toFixed(0)} µs an operation, ${cpus} cores fully busy would carry ${((cpus * 1e6) / rabbit.machine).toFixed(0)} ops/s`,
    )
  }
}
