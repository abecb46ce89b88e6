/**
 * What the server's benches share: a throwaway PostgreSQL database and a throwaway RabbitMQ vhost
 * (the test environment's, `test/support/env.ts`), each removed after its run with everything in
 * it; and the processes under test, built and started as `npm start` starts the server (its
 * bundle, its V8 flags).
 */
import { type ChildProcess, spawn } from "node:child_process"
import { readFileSync } from "node:fs"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { build, type Options } from "tsup"
import { createBroker, createDatabase } from "../test/support/env.js"
import { cpuOfPid } from "./proc.js"

const here = path.dirname(fileURLToPath(import.meta.url))

/** Run `f` on a database of its own (dropped after). */
export const withDatabase = async <A>(f: (url: string) => Promise<A>): Promise<A> => {
  const db = await createDatabase()
  try {
    return await f(db.url)
  } finally {
    await db.drop()
  }
}

/** Run `f` on a RabbitMQ vhost of its own (deleted after, with its queues and exchanges). */
export const withVhost = async <A>(f: (url: string) => Promise<A>): Promise<A> => {
  const broker = await createBroker()
  try {
    return await f(broker.url)
  } finally {
    await broker.remove()
  }
}

/** `BENCH_NODE_FLAGS="--cpu-prof"`: V8 flags to add to the children (profiles, heap settings). */
export const nodeFlags = (process.env["BENCH_NODE_FLAGS"] ?? "").split(" ").filter((f) => f !== "")

/** The V8 flags of a package's `start` script (`--max-semi-space-size`…). */
export const startFlags = (packageDir: string): ReadonlyArray<string> =>
  (
    JSON.parse(readFileSync(path.join(packageDir, "package.json"), "utf8")) as {
      scripts: Record<string, string>
    }
  ).scripts["start"]
    ?.split(" ")
    .filter((f) => f.startsWith("--")) ?? []

/** The server's `npm start` flags. */
export const serverFlags = startFlags(path.resolve(here, ".."))

/**
 * `child.ts` bundled as `dist/main.js` is (same esbuild options and plugins: Netwark from source,
 * Effect through its modules, minified whitespace), into `.bench/` beside `dist/` so the paths the
 * server makes from `import.meta.url` reach the same files. Run from source through tsx, the
 * server held ~80 MB of live heap (module sources, source maps) against the bundle's 32-34 MB: a
 * larger old space to mark, and a figure for code nobody deploys.
 */
let bundled: Promise<string> | undefined
const bundle = (): Promise<string> =>
  (bundled ??= (async () => {
    const outDir = path.resolve(here, "../.bench")
    // by path: the configuration imports the worker's, outside this package's `rootDir`
    const { default: binary } = (await import(path.resolve(here, "../tsup.config.ts"))) as {
      default: Options
    }
    await build({
      ...binary,
      entry: {
        child: path.join(here, "child.ts"),
        "fanout-client": path.join(here, "fanout.client.ts"),
      },
      outDir,
      config: false,
      silent: true,
    })
    return outDir
  })())

/** The bundled script of a bench entry (`child`, `fanout-client`). */
export const script = async (entry: "child" | "fanout-client"): Promise<string> =>
  path.join(await bundle(), `${entry}.js`)

/** A child of `child.ts` in a role, and its first stdout line (its URL, or `ready`). */
export interface Child {
  readonly process: ChildProcess
  readonly line: string
}

/**
 * Start the bundled `child.ts <role>` with `flags` (and `BENCH_NODE_FLAGS`); resolves on its URL
 * or `ready` line. `BENCH_CHILD_STDOUT=1` copies the children's stdout to stderr (`--trace-gc`
 * output, say).
 */
export const child = async (
  role: "server" | "worker" | "floor",
  env: Record<string, string>,
  flags: ReadonlyArray<string> = [],
): Promise<Child> => {
  const file = await script("child")
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [...flags, ...nodeFlags, file, role], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "inherit"],
    })
    // its line is the first that is a URL or `ready`: --trace-gc and the like print there too
    let out: string | undefined = ""
    p.stdout.on("data", (d: Buffer) => {
      if (process.env["BENCH_CHILD_STDOUT"] !== undefined) process.stderr.write(d)
      if (out === undefined) return
      out += d.toString()
      const line = /^(?:http:\/\/\S+|ready)$/m.exec(out)?.[0]
      if (line === undefined) return
      out = undefined
      resolve({ process: p, line })
    })
    p.once("exit", (code) => reject(new Error(`bench ${role} exited ${code}`)))
  })
}

/** SIGTERM a child and wait for it to exit (SIGKILL after 10 s). */
export const stop = (p: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (p.exitCode !== null) return resolve()
    const timer = setTimeout(() => p.kill("SIGKILL"), 10_000)
    p.once("exit", () => {
      clearTimeout(timer)
      resolve()
    })
    p.kill("SIGTERM")
  })

/** CPU milliseconds a child process has used so far (see `proc.ts`). */
export const cpuOf = async (p: ChildProcess | undefined): Promise<number> =>
  p?.pid === undefined ? 0 : cpuOfPid(p.pid)
