/**
 * Recording the running tools and stopping those a dead worker left behind, with real processes:
 * `sleep` orphaned through a shell that exits (so it is no child of the test), a child of the
 * test, a recycled pid (recorded with another start time), a live recorder, another boot.
 */
import { execFile, spawn } from "node:child_process"
import { once } from "node:events"
import { existsSync, readFileSync } from "node:fs"
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import { promisify } from "node:util"
import { Effect, Fiber, Logger } from "effect"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import * as Orphans from "../src/internal/orphans.js"
import { until } from "./support/until.js"

const linux = process.platform === "linux" && existsSync("/proc/self/stat")

/** A `sleep` whose parent has exited: an orphan, as a tool is after its worker's `kill -9`. */
const orphan = async (): Promise<Orphans.Proc> => {
  const { stdout } = await promisify(execFile)("sh", [
    "-c",
    "sleep 60 </dev/null >/dev/null 2>&1 & echo $!",
  ])
  const pid = Number(stdout.trim())
  return { pid, start: Orphans.stat(pid)!.start }
}

/** Running: there, with the same start time, and not a zombie (no init here reaps those). */
const running = (p: Orphans.Proc): boolean => {
  const s = Orphans.stat(p.pid)
  return s !== undefined && s.start === p.start && s.state !== "Z"
}

const boot = () =>
  readFile("/proc/sys/kernel/random/boot_id", "utf8").then(
    (t) => t.trim(),
    () => "",
  )

/** Run with the log lines collected. */
const logged = async <A>(effect: Effect.Effect<A>) => {
  const lines: Array<{ message: unknown; fields: Record<string, unknown> }> = []
  const logger = Logger.make(({ message, annotations }) => {
    const fields: Record<string, unknown> = {}
    for (const [k, v] of annotations) fields[k] = v
    lines.push({ message: Array.isArray(message) ? message[0] : message, fields })
  })
  const value = await Effect.runPromise(
    effect.pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger))),
  )
  return { value, lines }
}

describe("parsing", () => {
  it("reads /proc/<pid>/stat with spaces and parentheses in the command name", () => {
    const fields = Array.from({ length: 50 }, (_, i) => String(i + 3))
    fields[0] = "S" // field 3, state
    fields[1] = "77" // field 4, ppid
    fields[19] = "123456" // field 22, start time
    expect(Orphans.parseStat(`4242 (a (b) c) ${fields.join(" ")}\n`)).toEqual({
      pid: 4242,
      comm: "a (b) c",
      state: "S",
      ppid: 77,
      start: 123456,
    })
    expect(Orphans.parseStat("")).toBeUndefined()
    expect(Orphans.parseStat("12 (x) S 1")).toBeUndefined()
  })

  it("decodes only well-formed tools files", () => {
    const good = { boot: "b", owner: { pid: 10, start: 5 }, tools: [{ pid: 11, start: 6 }] }
    expect(Orphans.decode(Orphans.encode(good))).toEqual(good)
    expect(Orphans.decode("{")).toBeUndefined()
    expect(Orphans.decode(JSON.stringify({ ...good, tools: [{ pid: "11", start: 6 }] }))).toBe(
      undefined,
    )
    // pid 1 (init) or below is never taken from a file
    expect(Orphans.decode(JSON.stringify({ ...good, tools: [{ pid: 1, start: 0 }] }))).toBe(
      undefined,
    )
    expect(Orphans.decode(JSON.stringify({ ...good, tools: [{ pid: -1, start: 0 }] }))).toBe(
      undefined,
    )
  })
})

describe.skipIf(!linux)("on Linux, with real processes", () => {
  let dir: string
  const made: Array<Orphans.Proc> = []
  const make = async () => {
    const p = await orphan()
    made.push(p)
    return p
  }

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "netwark-orphans-"))
  })
  afterEach(() => {
    // only what this test started, and only if it is still the same process
    for (const p of made.splice(0)) if (running(p)) process.kill(p.pid, "SIGKILL")
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it("stops a recorded orphan, and leaves a recycled pid and its own children alone", async () => {
    const file = Orphans.fileOf(dir, "reap")
    const left = await make()
    const recycled = await make()
    const child = spawn("sleep", ["60"], { stdio: "ignore" })
    const mine = { pid: child.pid!, start: Orphans.stat(child.pid!)!.start }
    try {
      await writeFile(
        file,
        Orphans.encode({
          boot: await boot(),
          // a worker that is gone: a pid no process has now
          owner: { pid: 2 ** 22 + 1, start: 1 },
          tools: [left, { pid: recycled.pid, start: recycled.start + 1 }, mine],
        }),
      )
      const { value, lines } = await logged(Orphans.reap(file))
      expect(value).toBe(1)
      expect(running(left)).toBe(false)
      expect(running(recycled)).toBe(true)
      expect(running(mine)).toBe(true)
      expect(lines).toEqual([
        {
          message: "stopped a tool the previous worker process left running",
          fields: { pid: left.pid, tool: "sleep", command: "sleep 60", signal: "SIGTERM" },
        },
      ])
    } finally {
      child.kill("SIGKILL")
    }
  })

  it("SIGKILLs a tool that ignores SIGTERM once the grace period is over", async () => {
    const { stdout } = await promisify(execFile)("sh", [
      "-c",
      "sh -c 'trap \"\" TERM; while :; do sleep 0.05; done' </dev/null >/dev/null 2>&1 & echo $!",
    ])
    const stubborn = { pid: Number(stdout.trim()), start: 0 }
    const proc = { ...stubborn, start: Orphans.stat(stubborn.pid)!.start }
    made.push(proc)
    // a SIGTERM sent before the shell has run its `trap` would stop it at once
    await until("the shell ignoring SIGTERM", () => {
      const ignored = /^SigIgn:\s*([0-9a-f]+)$/m.exec(
        readFileSync(`/proc/${proc.pid}/status`, "utf8"),
      )?.[1]
      return ignored !== undefined && (BigInt(`0x${ignored}`) & (1n << 14n)) !== 0n
    })
    const file = Orphans.fileOf(dir, "stubborn")
    await writeFile(
      file,
      Orphans.encode({ boot: await boot(), owner: { pid: 2 ** 22 + 1, start: 1 }, tools: [proc] }),
    )
    const { value, lines } = await logged(Orphans.reap(file, "300 millis"))
    expect(value).toBe(1)
    expect(running(proc)).toBe(false)
    expect(lines[0]?.fields["signal"]).toBe("SIGKILL")
  })

  it("stops nothing while the recording worker still runs, or after a reboot", async () => {
    const left = await make()
    const owner = await make()
    const live = Orphans.fileOf(dir, "live")
    await writeFile(live, Orphans.encode({ boot: await boot(), owner, tools: [left] }))
    const first = await logged(Orphans.reap(live))
    expect(first.value).toBe(0)
    expect(first.lines.map((l) => l.message)).toEqual([
      "worker: the process that recorded these tools still runs (two workers with one instance name?); leaving them alone",
    ])
    const rebooted = Orphans.fileOf(dir, "rebooted")
    await writeFile(
      rebooted,
      Orphans.encode({
        boot: "another boot",
        owner: { pid: 2 ** 22 + 1, start: 1 },
        tools: [left],
      }),
    )
    expect((await logged(Orphans.reap(rebooted))).value).toBe(0)
    expect(running(left)).toBe(true)
    expect((await logged(Orphans.reap(Orphans.fileOf(dir, "missing")))).value).toBe(0)
  })

  it("records a tool as it is spawned, before the event loop turns, not at the next pass", async () => {
    const file = Orphans.fileOf(dir, "spawned")
    // no periodic pass within the test: only the spawn itself can put the tool in the file
    const fiber = Effect.runFork(Orphans.record(file, () => true, "1 hour"))
    const read = () => Orphans.decode(readFileSync(file, "utf8"))?.tools
    await until("the first (empty) list", () => existsSync(file) && read())
    expect(read()).toEqual([])
    const child = spawn("sleep", ["60"], { stdio: "ignore" })
    try {
      const tool = { pid: child.pid!, start: Orphans.stat(child.pid!)!.start }
      // `spawn` is emitted on the next tick, before any I/O or timer could run a pass
      await once(child, "spawn")
      expect(read()).toEqual([tool])
      // interrupted, it no longer follows spawns
      await Effect.runPromise(Fiber.interrupt(fiber))
      await once(spawn("true", { stdio: "ignore" }), "exit")
      expect(read()).toEqual([tool])
    } finally {
      await Effect.runPromise(Fiber.interrupt(fiber))
      // reaped before the next test looks at this process's children
      child.kill("SIGKILL")
      if (child.exitCode === null && child.signalCode === null) await once(child, "exit")
    }
  })

  it("records this process's tools while busy, then empties the file", async () => {
    // a state directory nobody created yet (the worker id is configured)
    const file = Orphans.fileOf(path.join(dir, "new", "state"), "record")
    let busy = true
    const fiber = Effect.runFork(Orphans.record(file, () => busy, "20 millis"))
    const read = async () => Orphans.decode(await readFile(file, "utf8").catch(() => ""))
    try {
      const tool = spawn("sh", ["-c", "sleep 60 & wait"], { stdio: "ignore" })
      const shell = { pid: tool.pid!, start: Orphans.stat(tool.pid!)!.start }
      const seen = await until("both the tool and its own child recorded", async () => {
        const r = await read()
        return (r?.tools.length ?? 0) >= 2 && r
      })
      expect(seen.owner).toEqual({ pid: process.pid, start: Orphans.stat(process.pid)!.start })
      expect(seen.boot).toBe(await boot())
      expect(seen.tools).toContainEqual(shell)
      const grandchild = seen.tools.find((t) => t.pid !== shell.pid)!
      expect(Orphans.stat(grandchild.pid)?.ppid).toBe(shell.pid)
      process.kill(grandchild.pid, "SIGKILL")
      busy = false
      await until("the file emptied", async () => (await read())?.tools.length === 0)
      expect(running(shell)).toBe(false)
    } finally {
      await Effect.runPromise(Fiber.interrupt(fiber))
    }
  })
})
