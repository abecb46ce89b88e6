/**
 * `GET /api/v1/ip-calc/{address}/{prefix}` requests per second: the NestJS route (Fastify
 * adapter, SchemaPipe validation, problem filter) against a bare Fastify handler doing the same
 * calculation. Each server runs in a child process of its own; this process generates the load
 * over keep-alive connections, so both are measured by the same client on the same machine.
 * Besides requests/s (wall clock, sensitive to whatever else runs), it reports the server
 * process's CPU time per request, which holds up on a busy machine.
 */
import { spawn, type ChildProcess } from "node:child_process"
import { Agent, request } from "node:http"
import path from "node:path"
import { fileURLToPath } from "node:url"

const here = fileURLToPath(import.meta.url)
const PATHS = [
  "/api/v1/ip-calc/192.168.1.10/24",
  "/api/v1/ip-calc/2001:db8::1/64",
  "/api/v1/ip-calc/10.0.0.0/8",
]

/** Serves the route in this process and prints the port (the child side of the bench). */
const serve = async (kind: string): Promise<void> => {
  if (kind === "bare") {
    const { default: Fastify } = await import("fastify")
    const { IpCalc } = await import("@netwark/tools")
    const { Either } = await import("effect")
    const app = Fastify({ routerOptions: { maxParamLength: 1024 } })
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
  const { FastifyAdapter } = await import("@nestjs/platform-fastify")
  const { apiPrefix } = await import("../src/app.js")
  const { ProblemFilter } = await import("../src/core/problem.filter.js")
  const { IpCalcModule } = await import("../src/ipcalc/ipcalc.module.js")
  class BenchModule {}
  Module({ imports: [IpCalcModule] })(BenchModule)
  const app = await NestFactory.create(
    BenchModule,
    new FastifyAdapter({ bodyLimit: 1024 * 1024, routerOptions: { maxParamLength: 1024 } }),
    { logger: false },
  )
  app.setGlobalPrefix(apiPrefix)
  app.useGlobalFilters(new ProblemFilter())
  const fastify = (app.getHttpAdapter() as InstanceType<typeof FastifyAdapter>).getInstance()
  fastify.get("/cpu", async () => process.cpuUsage())
  await app.listen(0, "127.0.0.1")
  const address = app.getHttpServer().address() as { port: number }
  process.stdout.write(`${address.port}\n`)
}

const start = (kind: string): Promise<{ child: ChildProcess; port: number }> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", here, "--serve", kind], {
      cwd: path.resolve(path.dirname(here), ".."),
      stdio: ["ignore", "pipe", "inherit"],
    })
    child.stdout!.once("data", (d: Buffer) => resolve({ child, port: Number(d.toString().trim()) }))
    child.once("exit", (code) => reject(new Error(`${kind} server exited with ${code}`)))
  })

const cpu = async (port: number): Promise<number> => {
  const res = await fetch(`http://127.0.0.1:${port}/cpu`)
  const u = (await res.json()) as { user: number; system: number }
  return u.user + u.system
}

/** Sends requests for `ms` with `concurrency` in flight; returns completed requests per second. */
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
  const seconds = Number(process.env["NETWARK_BENCH_SECONDS"] ?? "4")
  const rounds = Number(process.env["NETWARK_BENCH_ROUNDS"] ?? "3")
  const rps: Record<string, Array<number>> = { bare: [], nest: [] }
  const cpuPer: Record<string, Array<number>> = { bare: [], nest: [] }
  for (let round = 0; round < rounds; round++) {
    for (const kind of ["bare", "nest"]) {
      const { child, port } = await start(kind)
      try {
        await load(port, 1000, 32) // warm-up: JIT, connections
        const before = await cpu(port)
        const r = await load(port, seconds * 1000, 32)
        const usedUs = (await cpu(port)) - before
        rps[kind]!.push(r.rps)
        cpuPer[kind]!.push(usedUs / r.done)
        console.log(
          `  ${kind.padEnd(5)} ${Math.round(r.rps).toLocaleString("en").padStart(7)} req/s  ${(usedUs / r.done).toFixed(1)} µs server CPU/request`,
        )
      } finally {
        child.kill()
      }
    }
  }
  const wall = median(rps["nest"]!) / median(rps["bare"]!)
  const byCpu = median(cpuPer["bare"]!) / median(cpuPer["nest"]!)
  console.log(
    `ip-calc (medians of ${rounds}): NestJS ${Math.round(median(rps["nest"]!))} req/s vs bare Fastify ${Math.round(median(rps["bare"]!))} req/s = ${wall.toFixed(2)}x; ` +
      `server CPU/request ${median(cpuPer["nest"]!).toFixed(1)} vs ${median(cpuPer["bare"]!).toFixed(1)} µs = ${byCpu.toFixed(2)}x the bare throughput per core (aim >= 0.8x)`,
  )
}

const serveAt = process.argv.indexOf("--serve")
if (serveAt >= 0) await serve(process.argv[serveAt + 1] ?? "nest")
