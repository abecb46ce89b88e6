/**
 * Memory of the built binaries, each started as a child process the way `npm start` starts it
 * (the workspace's Node, the V8 flags of the package's `start` script): the embedded server
 * (PGlite, local worker), one distributed replica (PostgreSQL + RabbitMQ, no local worker, OUI and
 * GeoIP loaded) and the worker alone. After /api/v1/health answers, a few requests (ip-calc,
 * mac-oui, one ping operation to 127.0.0.1) are made, then RSS is sampled with `ps` and the heap
 * figures are read from inside the child through an IPC preload. Then a burst of ping operations
 * (`BENCH_BURST`, default 200): Node keeps the heap pages a burst made it commit, so this is
 * the figure a busy process stays at. Needs `npm run build` in server and worker first.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process"
import { randomBytes } from "node:crypto"
import { existsSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { nodeFlags, startFlags, stop, withDatabase, withVhost } from "./support.js"

const here = path.dirname(fileURLToPath(import.meta.url))
const serverMain = path.resolve(here, "../dist/main.js")
const workerMain = path.resolve(here, "../../worker/dist/main.js")
const fixtures = path.resolve(here, "../test/fixtures/geoip")

/** Answers `"mem"` over IPC with `process.memoryUsage()`, so the binaries need no bench hook. */
const preload = `data:text/javascript,${encodeURIComponent(
  `process.on("message", (m) => { if (m === "mem") process.send(process.memoryUsage()) });` +
    `process.channel?.unref();`,
)}`

interface Sample {
  readonly rss: number
  readonly heapUsed: number
  readonly heapTotal: number
  readonly external: number
  readonly arrayBuffers: number
}

const flagsOf = new Map([
  [serverMain, startFlags(path.resolve(here, ".."))],
  [workerMain, startFlags(path.resolve(here, "../../worker"))],
])

/**
 * The Node `npm start` runs: the workspace's (the root devDependency `node`), not whichever one
 * runs this script (a system Node 20 gives other figures, and the packages need >= 24).
 */
const workspaceNode = path.resolve(here, "../../../node_modules/.bin/node")
const node = existsSync(workspaceNode) ? workspaceNode : process.execPath

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1).padStart(6)

const start = (main: string, env: Record<string, string>): ChildProcess =>
  spawn(node, [...(flagsOf.get(main) ?? []), ...nodeFlags, "--import", preload, main], {
    env: { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "/tmp", ...env },
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  })

/** RSS from the kernel (what `ps -o rss=` reports), plus the V8 figures from inside. */
const sample = async (child: ChildProcess): Promise<Sample> => {
  const inside = await new Promise<NodeJS.MemoryUsage>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no memory answer")), 5000)
    child.once("message", (m) => {
      clearTimeout(timer)
      resolve(m as NodeJS.MemoryUsage)
    })
    child.send("mem")
  })
  const rssKb = await new Promise<number>((resolve, reject) =>
    execFile("ps", ["-o", "rss=", "-p", String(child.pid)], (error, stdout) =>
      error ? reject(error) : resolve(Number(stdout.trim())),
    ),
  )
  return { ...inside, rss: rssKb * 1024 }
}

const waitHealthy = async (base: string, child: ChildProcess, log: () => string) => {
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited ${child.exitCode}: ${log()}`)
    const ok = await fetch(`${base}/health`).then(
      (r) => r.ok,
      () => false,
    )
    if (ok) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`not healthy after 60 s: ${log()}`)
}

const expectOk = async (response: Promise<Response>, what: string) => {
  const r = await response
  await r.arrayBuffer()
  if (!r.ok) throw new Error(`${what} answered ${r.status}`)
}

/** POST a ping operation to 127.0.0.1; its id. */
const postPing = async (base: string): Promise<string> => {
  const r = await fetch(`${base}/operations`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      type: "ping",
      target: "127.0.0.1",
      options: { count: 1, timeout: 1 },
      timeout: 30,
    }),
  })
  const body = (await r.json()) as { id?: string }
  if (r.status !== 202 || body.id === undefined) throw new Error(`POST answered ${r.status}`)
  return body.id
}

/** Wait until the operation is neither pending nor running. */
const settled = async (base: string, id: string, seconds: number) => {
  const deadline = Date.now() + seconds * 1000
  while (Date.now() < deadline) {
    const op = (await (await fetch(`${base}/operations/${id}`)).json()) as { status?: string }
    if (op.status !== "pending" && op.status !== "running") return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`operation ${id} did not settle in ${seconds} s`)
}

/** A few requests a user makes right after start, so lazily loaded data is in the figure. */
const exercise = async (base: string, operationDone: boolean) => {
  await expectOk(fetch(`${base}/ip-calc/192.0.2.10/24`), "ip-calc")
  await expectOk(fetch(`${base}/mac-oui/00:00:0c:12:34:56`), "mac-oui")
  await expectOk(fetch(`${base}/geoip/81.2.69.160`), "geoip")
  const id = await postPing(base)
  if (operationDone) await settled(base, id, 20)
}

/** `BENCH_BURST` ping operations posted by 8 clients at once, then all of them settled. */
const burst = async (base: string): Promise<number> => {
  const total = Number(process.env["BENCH_BURST"] ?? 200)
  const ids: Array<string> = []
  let next = 0
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next++ < total) ids.push(await postPing(base))
    }),
  )
  for (const id of ids) await settled(base, id, 120)
  return total
}

const freePort = () => 20000 + Math.floor(Math.random() * 20000)

const line = (label: string, s: Sample, aim?: number) =>
  console.log(
    `${label.padEnd(40)} rss ${mb(s.rss)} MB  heapUsed ${mb(s.heapUsed)}  heapTotal ${mb(s.heapTotal)}  external ${mb(s.external)}  arrayBuffers ${mb(s.arrayBuffers)}` +
      (aim === undefined
        ? ""
        : `  (aim <= ${aim} MB: ${s.rss <= aim * 1024 * 1024 ? "met" : "NOT met"})`),
  )

const geoEnv = {
  NETWARK_GEOIP_CITY: path.join(fixtures, "GeoLite2-City-Test.mmdb"),
  NETWARK_GEOIP_ASN: path.join(fixtures, "GeoLite2-ASN-Test.mmdb"),
}

/** One embedded start on `dataDir`; `label` says whether it is the first (initdb) or a restart. */
const embeddedOnce = async (dataDir: string, label: string) => {
  const port = freePort()
  const child = start(serverMain, {
    NETWARK_DATA_DIR: dataDir,
    NETWARK_PORT: String(port),
    NETWARK_WEB_DIR: path.resolve(here, "../../web/dist"),
    ...geoEnv,
  })
  let log = ""
  child.stderr?.on("data", (d: Buffer) => (log += d.toString()))
  child.stdout?.resume()
  const base = `http://127.0.0.1:${port}/api/v1`
  try {
    await waitHealthy(base, child, () => log)
    line(`embedded, ${label}: after /health`, await sample(child))
    await exercise(base, true)
    line(`embedded, ${label}: after requests`, await sample(child))
  } finally {
    await stop(child)
  }
}

const embedded = async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), "netwark-mem-"))
  try {
    await embeddedOnce(dataDir, "first start")
    await embeddedOnce(dataDir, "restart")
  } finally {
    rmSync(dataDir, { recursive: true, force: true })
  }
}

const distributed = (brokerUrl: string) =>
  withDatabase((databaseUrl) => distributedOn(databaseUrl, brokerUrl))

const distributedOn = async (databaseUrl: string, brokerUrl: string) => {
  const namespace = `mem${randomBytes(4).toString("hex")}`
  const port = freePort()
  const server = start(serverMain, {
    NETWARK_DATABASE_URL: databaseUrl,
    NETWARK_BROKER_URL: brokerUrl,
    NETWARK_NAMESPACE: namespace,
    NETWARK_LOCAL_WORKER: "false",
    NETWARK_HOST: "127.0.0.1",
    NETWARK_PORT: String(port),
    NETWARK_WEB_DIR: path.resolve(here, "../../web/dist"),
    ...geoEnv,
  })
  const stateDir = mkdtempSync(path.join(tmpdir(), "netwark-mem-worker-"))
  const worker = start(workerMain, {
    NETWARK_BROKER_URL: brokerUrl,
    NETWARK_NAMESPACE: namespace,
    NETWARK_STATE_DIR: stateDir,
  })
  let log = ""
  for (const c of [server, worker]) {
    c.stderr?.on("data", (d: Buffer) => (log += d.toString()))
    c.stdout?.resume()
  }
  const base = `http://127.0.0.1:${port}/api/v1`
  try {
    await waitHealthy(base, server, () => log)
    await new Promise((r) => setTimeout(r, 1000))
    line("distributed server: after /health", await sample(server))
    line("worker alone: idle", await sample(worker))
    await exercise(base, true)
    line("distributed server: after requests", await sample(server), 150)
    line("worker alone: after one ping", await sample(worker), 80)
    const n = await burst(base)
    line(`distributed server: after ${n} more pings`, await sample(server), 150)
    line(`worker alone: after ${n} more pings`, await sample(worker), 80)
    // what they settle to once idle (V8 collects the old generation lazily)
    await new Promise((r) => setTimeout(r, 10_000))
    line(`distributed server: 10 s after the burst`, await sample(server), 150)
    line(`worker alone: 10 s after the burst`, await sample(worker), 80)
  } finally {
    await Promise.all([stop(server), stop(worker)])
    rmSync(stateDir, { recursive: true, force: true })
  }
}

/** Run the memory benchmark. */
export const run = async (): Promise<void> => {
  const flags = (main: string) => (flagsOf.get(main) ?? []).join(" ")
  console.log(`${node}; server ${flags(serverMain)}; worker ${flags(workerMain)}`)
  const only = process.env["BENCH_ONLY"]
  if (only === undefined || only === "embedded") await embedded()
  if (only === undefined || only === "distributed") await withVhost(distributed)
}
