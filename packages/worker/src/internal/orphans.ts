/**
 * The tools a crashed worker left running. A tool does not die with its worker: the kernel clears
 * a parent-death signal when ping or mtr-packet executes (they carry file capabilities), so after
 * a `kill -9` the tool goes on probing until its own deadline while the broker hands its job to
 * another worker. So the running worker records its tools (pid and start time) in
 * `<stateDir>/worker-<instance>.tools`, and its next incarnation stops, at start, those still
 * running. A process is signalled only when its pid still has the recorded start time on the same
 * boot, so a recycled pid is never touched.
 *
 * The file is rewritten as each tool is spawned (Node's `child_process` diagnostics channels, so
 * `@netwark/tools` needs no hook), not at the next periodic pass, which a `kill -9` right after a
 * spawn would never reach; the periodic pass adds the tools' own children (mtr's mtr-packet) and
 * drops the tools that ended.
 *
 * Linux only (`/proc`); elsewhere nothing is recorded or stopped.
 *
 * @internal
 */
import type { ChildProcess } from "node:child_process"
import { subscribe, unsubscribe } from "node:diagnostics_channel"
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs"
import { readFile } from "node:fs/promises"
import path from "node:path"
import { Duration, Effect, Schedule } from "effect"
import { pidsOf } from "./children.js"

/** A process as `/proc` names it for good: its pid and its start time (clock ticks since boot). */
export interface Proc {
  readonly pid: number
  readonly start: number
}

/** What the tools file holds. */
export interface Recorded {
  /** `/proc/sys/kernel/random/boot_id`: after a reboot, nothing recorded runs any more. */
  readonly boot: string
  /** The worker process that wrote it. */
  readonly owner: Proc
  /** Its tools (and their own children, such as mtr's mtr-packet) when it last looked. */
  readonly tools: ReadonlyArray<Proc>
}

/** The fields of `/proc/<pid>/stat` used here. */
export interface Stat extends Proc {
  readonly comm: string
  readonly state: string
  readonly ppid: number
}

/** Where an instance's tools are recorded, beside its id file. */
export const fileOf = (stateDir: string, instance: string): string =>
  path.join(stateDir, `worker-${instance}.tools`)

/** Parse `/proc/<pid>/stat`; `undefined` for anything else. */
export const parseStat = (text: string): Stat | undefined => {
  // the command name is in parentheses and may itself hold spaces and parentheses
  const open = text.indexOf("(")
  const close = text.lastIndexOf(")")
  if (open < 0 || close < open) return undefined
  const pid = Number(text.slice(0, open).trim())
  // from field 3 (state) on; the start time is field 22
  const rest = text
    .slice(close + 1)
    .trim()
    .split(/\s+/)
  const state = rest[0]
  const ppid = Number(rest[1])
  const start = Number(rest[19])
  if (
    state === undefined ||
    !Number.isSafeInteger(pid) ||
    !Number.isSafeInteger(ppid) ||
    !Number.isSafeInteger(start)
  )
    return undefined
  return { pid, start, ppid, state, comm: text.slice(open + 1, close) }
}

const isProc = (value: unknown): value is Proc =>
  typeof value === "object" &&
  value !== null &&
  Number.isSafeInteger((value as Proc).pid) &&
  (value as Proc).pid > 1 &&
  Number.isSafeInteger((value as Proc).start) &&
  (value as Proc).start >= 0

/** Read a tools file's text; `undefined` when it is not one. */
export const decode = (text: string): Recorded | undefined => {
  try {
    const doc = JSON.parse(text) as Partial<Recorded>
    if (
      typeof doc.boot !== "string" ||
      !isProc(doc.owner) ||
      !Array.isArray(doc.tools) ||
      !doc.tools.every(isProc)
    )
      return undefined
    return {
      boot: doc.boot,
      owner: { pid: doc.owner.pid, start: doc.owner.start },
      tools: doc.tools.map((t) => ({ pid: t.pid, start: t.start })),
    }
  } catch {
    return undefined
  }
}

/** A tools file's text. */
export const encode = (recorded: Recorded): string => JSON.stringify(recorded) + "\n"

/** A process's stat, or `undefined` when it does not exist (or there is no `/proc`). */
export const stat = (pid: number): Stat | undefined => {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, "utf8"))
  } catch {
    return undefined
  }
}

const bootId = (): string => {
  try {
    return readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim()
  } catch {
    return ""
  }
}

const commandOf = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim().slice(0, 200)
  } catch {
    return ""
  }
}

/** The recorded process itself, still running (a zombie has ended: only its entry is left). */
const running = (proc: Proc): Stat | undefined => {
  const now = stat(proc.pid)
  return now !== undefined && now.start === proc.start && now.state !== "Z" && now.state !== "X"
    ? now
    : undefined
}

/** This process's descendants, the tools it runs and their own children. */
export const descendants = (): ReadonlyArray<Proc> => {
  const found: Array<Proc> = []
  const queue = [...pidsOf("self")]
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    const s = stat(pid)
    if (s === undefined) continue
    found.push({ pid, start: s.start })
    queue.push(...pidsOf(pid))
  }
  return found
}

const linux = process.platform === "linux"

/** Published synchronously once `spawn()` has started the process (recent Node releases only). */
const spawned = "tracing:child_process.spawn:end"
/** Published as each `ChildProcess` is made, before it spawns (every supported Node). */
const made = "child_process"

/**
 * Keep `file` listing this process's tools: rewritten as each child process is spawned, and
 * every `every` while `busy()` says jobs run (and once more after, to empty it). Runs until
 * interrupted; never fails. The writes are synchronous, so a spawn's write is done before the
 * spawn returns where Node publishes the spawn tracing channel, and otherwise before the event
 * loop next turns (the child's `spawn` event); a `kill -9` can then miss a tool only in the
 * moment between its start and that write.
 */
export const record = (
  file: string,
  busy: () => boolean,
  every: Duration.DurationInput = "200 millis",
): Effect.Effect<void> =>
  Effect.gen(function* () {
    const self = linux ? stat(process.pid) : undefined
    if (self === undefined) return
    const base = { boot: bootId(), owner: { pid: self.pid, start: self.start } }
    let written: string | undefined
    let failed = false
    let dirMade = false
    const write = (): void => {
      const tools = descendants()
      const key = tools.map((t) => `${t.pid}:${t.start}`).join(",")
      if (key === written) return
      written = key
      try {
        // a configured worker id leaves the state directory uncreated
        if (!dirMade) mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 })
        dirMade = true
        // write-then-rename: the next incarnation never reads half a file
        const tmp = `${file}.${process.pid}.tmp`
        writeFileSync(tmp, encode({ ...base, tools }), { mode: 0o644 })
        renameSync(tmp, file)
      } catch {
        failed = true
      }
    }
    // the `spawn` event only until this Node is seen to publish the synchronous channel
    let traced = false
    const onSpawned = () => {
      traced = true
      write()
    }
    const onMade = (message: unknown) => {
      if (!traced) (message as { readonly process: ChildProcess }).process.once("spawn", write)
    }
    yield* Effect.acquireRelease(
      Effect.sync(() => {
        subscribe(spawned, onSpawned)
        subscribe(made, onMade)
      }),
      () =>
        Effect.sync(() => {
          unsubscribe(spawned, onSpawned)
          unsubscribe(made, onMade)
        }),
    )
    let warned = false
    const tick = Effect.suspend(() => {
      // an empty file stays so until jobs run again
      if (written !== "" || busy()) write()
      if (!failed || warned) return Effect.void
      warned = true
      return Effect.logWarning(
        "worker: cannot record the running tools; a crash may leave them running",
      ).pipe(Effect.annotateLogs({ file }))
    })
    yield* Effect.repeat(tick, Schedule.spaced(every))
  }).pipe(Effect.scoped)

/**
 * Stop the tools a previous worker process recorded in `file` and left running: SIGTERM, then
 * SIGKILL after `grace`. Only processes whose pid still has the recorded start time, on the same
 * boot, not children of this process, and only when the recording worker is gone. One log line
 * per tool stopped; returns how many.
 */
export const reap = (
  file: string,
  grace: Duration.DurationInput = "1 second",
): Effect.Effect<number> =>
  Effect.gen(function* () {
    if (!linux) return 0
    const text = yield* Effect.promise(() => readFile(file, "utf8").catch(() => undefined))
    if (text === undefined) return 0
    const recorded = decode(text)
    if (recorded === undefined) {
      yield* Effect.logWarning("worker: ignoring a tools file it cannot read").pipe(
        Effect.annotateLogs({ file }),
      )
      return 0
    }
    if (recorded.boot !== bootId()) return 0
    if (recorded.owner.pid !== process.pid && running(recorded.owner) !== undefined) {
      yield* Effect.logWarning(
        "worker: the process that recorded these tools still runs (two workers with one instance name?); leaving them alone",
      ).pipe(Effect.annotateLogs({ file, pid: recorded.owner.pid }))
      return 0
    }
    const left = recorded.tools.flatMap((tool) => {
      const now = running(tool)
      return now !== undefined && now.ppid !== process.pid && tool.pid !== process.pid
        ? [{ ...tool, comm: now.comm, command: commandOf(tool.pid) }]
        : []
    })
    if (left.length === 0) return 0
    const signal = (tool: Proc, name: NodeJS.Signals) => {
      try {
        process.kill(tool.pid, name)
      } catch {
        // ended in between
      }
    }
    const gone = (within: Duration.DurationInput) =>
      Effect.repeat(
        Effect.sync(() => left.some((t) => running(t) !== undefined)),
        { while: (any) => any, schedule: Schedule.spaced("50 millis") },
      ).pipe(Effect.timeout(within), Effect.ignore)
    for (const tool of left) signal(tool, "SIGTERM")
    yield* gone(grace)
    const killed = left.filter((tool) => running(tool) !== undefined)
    for (const tool of killed) signal(tool, "SIGKILL")
    // a killed process is gone only once the kernel has run its exit: wait for that, so the
    // new worker takes jobs after its predecessor's tools have stopped, not while they stop
    if (killed.length > 0) yield* gone("1 second")
    for (const tool of left)
      yield* Effect.logWarning("stopped a tool the previous worker process left running").pipe(
        Effect.annotateLogs({
          pid: tool.pid,
          tool: tool.comm,
          command: tool.command,
          signal: killed.includes(tool) ? "SIGKILL" : "SIGTERM",
        }),
      )
    return left.length
  })
