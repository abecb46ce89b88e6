/**
 * `GET /api/v1/ip-calc/{address}/{prefix}`: the NestJS route against a bare Fastify handler doing
 * the same calculation. The Nest app is built as the server builds it (`fastifyAdapter`,
 * `configureHttp`: prefix, problem filter, request counter, OpenAPI), with the ip-calc module
 * alone, as the real app has no database on this route. Both servers run at once in child
 * processes of their own and answer the same bytes (checked first); this process generates the
 * load over keep-alive connections and alternates short rounds between them, so that both meet
 * the same machine. Reports requests/s (wall clock, sensitive to whatever else runs) and each
 * server's CPU time per request (all its threads), which holds up better on a busy machine.
 *
 * Knobs: `NETWARK_BENCH_SECONDS` per round (2), `NETWARK_BENCH_ROUNDS` per server (6),
 * `NETWARK_BENCH_WARMUP` seconds per server first (4: the JIT settles after ~20k requests).
 */
import { type ChildProcess, spawn } from "node:child_process"
import { Agent, request } from "node:http"
import path from "node:path"
import { fileURLToPath } from "node:url"
import type { NestFastifyApplication } from "@nestjs/platform-fastify"

const here = fileURLToPath(import.meta.url)
const PATHS = [
  "/api/v1/ip-calc/192.168.1.10/24",
  "/api/v1/ip-calc/2001:db8::1/64",
  "/api/v1/ip-calc/10.0.0.0/8",
]
const KINDS = ["bare", "nest"] as const
type Kind = (typeof KINDS)[number]

/** Serves the route in this process and prints the port (the child side of the bench). */
const serve = async (kind: string): Promise<void> => {
  if (kind === "bare") {
    const { default: Fastify } = await import("fastify")
    const { IpCalc } = await import("@netwark/tools")
    const { Either } = await import("effect")
    const app = Fastify({ bodyLimit: 1024 * 1024, routerOptions: { maxParamLength: 1024 } })
    app.get<{ Params: { address: string; prefix: string } }>(
      "/api/v1/ip-calc/:address/:prefix",
      async (req, reply) => {
        const r = IpCalc.info(`${req.params.address}/${req.params.prefix}`)
        if (Either.isLeft(r)) return reply.status(400).send({ detail: r.left.message })
        return r.right
      },
    )
    app.get("/cpu", async () => process.cpuUsage())
    await app.listen({ port: 0, host: "127.0.0.1" })
    const address = app.server.address() as { port: number }
    process.stdout.write(`${address.port}\n`)
    return
  }
  await import("reflect-metadata")
  const { Module } = await import("@nestjs/common")
  const { NestFactory } = await import("@nestjs/core")
  const { configureHttp, fastifyAdapter } = await import("../src/app.js")
  const Metrics = await import("../src/health/metrics.js")
  const { IpCalcModule } = await import("../src/ipcalc/ipcalc.module.js")
  class BenchModule {}
  Module({ imports: [IpCalcModule] })(BenchModule)
  const app = await NestFactory.create<NestFastifyApplication>(BenchModule, fastifyAdapter(), {
    logger: false,
  })
  configureHttp(app, Metrics.make())
  app
    .getHttpAdapter()
    .getInstance()
    .get("/cpu", async () => process.cpuUsage())
  await app.listen(0, "127.0.0.1")
  const address = app.getHttpServer().address() as { port: number }
  process.stdout.write(`${address.port}\n`)
}

const start = (kind: Kind): Promise<{ child: ChildProcess; port: number }> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", here, "--serve", kind], {
      cwd: path.resolve(path.dirname(here), ".."),
      stdio: ["ignore", "pipe", "inherit"],
    })
    child.stdout!.once("data", (d: Buffer) => resolve({ child, port: Number(d.toString().trim()) }))
    child.once("exit", (code) => reject(new Error(`${kind} server exited with ${code}`)))
  })

const get = (port: number, p: string): Promise<{ status: number; type: string; body: string }> =>
  new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path: p }, (res) => {
      let body = ""
      res.setEncoding("utf8")
      res.on("data", (d: string) => (body += d))
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, type: res.headers["content-type"] ?? "", body }),
      )
    })
    req.on("error", reject)
    req.end()
  })

const cpu = async (port: number): Promise<number> => {
  const u = JSON.parse((await get(port, "/cpu")).body) as { user: number; system: number }
  return u.user + u.system
}

/** Sends requests for `ms` with `concurrency` in flight; returns requests/s and how many. */
const load = async (
  port: number,
  ms: number,
  concurrency: number,
): Promise<{ rps: number; done: number }> => {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency })
  const until = Date.now() + ms
  let done = 0
  let failed = 0
  const one = (i: number) =>
    new Promise<void>((resolve) => {
      const req = request(
        { host: "127.0.0.1", port, path: PATHS[i % PATHS.length], agent },
        (res) => {
          if (res.statusCode !== 200) failed++
          res.resume()
          res.on("end", resolve)
        },
      )
      req.on("error", () => {
        failed++
        resolve()
      })
      req.end()
    })
  const worker = async (w: number) => {
    for (let i = w; Date.now() < until; i += concurrency) {
      await one(i)
      done++
    }
  }
  const t0 = performance.now()
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)))
  const seconds = (performance.now() - t0) / 1000
  agent.destroy()
  if (failed > 0) throw new Error(`${failed} requests failed`)
  return { rps: done / seconds, done }
}

const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!

/** Runs the comparison and prints requests/s, server CPU per request and the ratios. */
export const run = async (): Promise<void> => {
  const seconds = Number(process.env["NETWARK_BENCH_SECONDS"] ?? "2")
  const rounds = Number(process.env["NETWARK_BENCH_ROUNDS"] ?? "6")
  const warmup = Number(process.env["NETWARK_BENCH_WARMUP"] ?? "4")
  const servers = {} as Record<Kind, { child: ChildProcess; port: number }>
  try {
    for (const kind of KINDS) servers[kind] = await start(kind)
    // the same answer, byte for byte, or the comparison means nothing
    for (const p of PATHS) {
      const [bare, nest] = await Promise.all(KINDS.map((k) => get(servers[k].port, p)))
      if (bare!.status !== 200 || JSON.stringify(bare) !== JSON.stringify(nest))
        throw new Error(`${p}: the servers answer differently\n${bare!.body}\n${nest!.body}`)
    }
    for (const kind of KINDS) await load(servers[kind].port, warmup * 1000, 32)
    const rps: Record<Kind, Array<number>> = { bare: [], nest: [] }
    const cpuPer: Record<Kind, Array<number>> = { bare: [], nest: [] }
    for (let round = 0; round < rounds; round++) {
      // alternate which goes first, so neither always follows the other's load
      for (const kind of round % 2 === 0 ? KINDS : [...KINDS].reverse()) {
        const { port } = servers[kind]
        const before = await cpu(port)
        const r = await load(port, seconds * 1000, 32)
        const perRequest = ((await cpu(port)) - before) / r.done
        rps[kind].push(r.rps)
        cpuPer[kind].push(perRequest)
        console.log(
          `  ${kind.padEnd(5)} ${Math.round(r.rps).toLocaleString("en").padStart(7)} req/s  ${perRequest.toFixed(1)} µs server CPU/request`,
        )
      }
    }
    const wall = median(rps.nest) / median(rps.bare)
    const byCpu = median(cpuPer.bare) / median(cpuPer.nest)
    // each round's pair ran back to back: their ratio cancels slow swings in the machine's load
    const paired = median(cpuPer.bare.map((b, i) => b / cpuPer.nest[i]!))
    console.log(
      `ip-calc (medians of ${rounds} rounds of ${seconds} s): NestJS ${Math.round(median(rps.nest))} req/s vs bare Fastify ${Math.round(median(rps.bare))} req/s = ${wall.toFixed(2)}x; ` +
        `server CPU/request ${median(cpuPer.nest).toFixed(1)} vs ${median(cpuPer.bare).toFixed(1)} µs = ${byCpu.toFixed(2)}x the bare throughput per core ` +
        `(per-round pairs ${paired.toFixed(2)}x; aim >= 0.8x)`,
    )
  } finally {
    for (const s of Object.values(servers)) s.child.kill()
  }
}

const serveAt = process.argv.indexOf("--serve")
if (serveAt >= 0) await serve(process.argv[serveAt + 1] ?? "nest")
