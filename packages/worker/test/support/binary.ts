/** The built `netwark-worker` binary, rebuilt when a source it bundles is newer. */
import { execFile, spawn as spawnChild, type ChildProcess } from "node:child_process"
import { existsSync } from "node:fs"
import { readdir, stat } from "node:fs/promises"
import nodePath from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"

const packageDir = fileURLToPath(new URL("../..", import.meta.url))

/** `dist/main.js`. */
export const path = nodePath.join(packageDir, "dist/main.js")

const stale = async (): Promise<boolean> => {
  if (!existsSync(path)) return true
  const built = (await stat(path)).mtimeMs
  for (const dir of ["src", "../tools/src", "../transport/src"])
    for (const file of await readdir(nodePath.join(packageDir, dir), { recursive: true }))
      if (
        file.endsWith(".ts") &&
        (await stat(nodePath.join(packageDir, dir, file))).mtimeMs > built
      )
        return true
  return false
}

/** Build the binary if it is missing or stale (turbo builds it before the tests in CI). */
export const ensureBuilt = async (): Promise<void> => {
  if (await stale())
    await promisify(execFile)("npx", ["tsup"], { cwd: packageDir, timeout: 120_000 })
}

/** Run the binary to its end with an environment of its own (PATH and HOME kept). */
export const run = (
  args: ReadonlyArray<string>,
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> =>
  new Promise((resolve) => {
    execFile(
      process.execPath,
      [path, ...args],
      {
        env: { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "", ...env },
        timeout: 30_000,
      },
      (error, stdout, stderr) =>
        resolve({
          code: error ? (typeof error.code === "number" ? error.code : null) : 0,
          stdout,
          stderr,
        }),
    )
  })

/** A binary started by {@link spawn}, with its output so far. */
export interface Spawned {
  readonly process: ChildProcess
  /** Its JSON log lines, parsed (`{ unparsed }` for any other line). */
  readonly lines: Array<Record<string, unknown>>
  /** Every stdout line as written, and stderr chunks prefixed `stderr: `. */
  readonly raw: Array<string>
  /** Its exit code (`null` when a signal ended it). */
  readonly exited: Promise<number | null>
}

/** Start the binary with this process's environment plus `env`, collecting what it logs. */
export const spawn = (env: Record<string, string>): Spawned => {
  const child = spawnChild(process.execPath, [path], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  })
  const spawned: Spawned = {
    process: child,
    lines: [],
    raw: [],
    exited: new Promise((resolve) => child.once("exit", (code) => resolve(code))),
  }
  let buffer = ""
  child.stdout!.on("data", (chunk: Buffer) => {
    buffer += chunk.toString("utf8")
    let nl: number
    while ((nl = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, nl)
      buffer = buffer.slice(nl + 1)
      spawned.raw.push(line)
      try {
        spawned.lines.push(JSON.parse(line) as Record<string, unknown>)
      } catch {
        spawned.lines.push({ unparsed: line })
      }
    }
  })
  child.stderr!.on("data", (chunk: Buffer) => spawned.raw.push(`stderr: ${chunk.toString("utf8")}`))
  return spawned
}
