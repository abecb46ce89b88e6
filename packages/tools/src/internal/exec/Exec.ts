/**
 * The one place `@netwark/tools` spawns processes. Always an argument array (never a shell), a hard
 * deadline, an output cap, and the child killed when the consumer stops (abort, interruption,
 * scope close). Runners stream lines from here and parse them; they never touch child_process.
 */
import { spawn } from "node:child_process"
import { StringDecoder } from "node:string_decoder"
import { Chunk, Duration, Effect, Option, Stream } from "effect"
import { ToolError, reasonFromErrno } from "../../ToolError.js"

/** What to run. `command` is a binary name looked up on PATH, `args` are passed verbatim. */
export interface ExecOptions {
  readonly command: string
  readonly args: ReadonlyArray<string>
  /** Hard deadline; past it the process is killed and the stream fails with `Timeout`. */
  readonly timeout: Duration.DurationInput
  /** Cap on stdout + stderr bytes; past it the process is killed (`OutputTooLarge`). Default 4 MiB. */
  readonly maxOutputBytes?: number
  /** Extra environment; `LC_ALL=C` is always set so output is parseable. */
  readonly env?: Readonly<Record<string, string>>
  /** Debian package that provides `command`, named in the `NotInstalled` message. */
  readonly packageHint?: string
}

/** One event of a running process. */
export type ExecEvent =
  | { readonly _tag: "Stdout"; readonly line: string }
  | { readonly _tag: "Stderr"; readonly line: string }
  | {
      readonly _tag: "Exit"
      readonly exitCode: number | null
      readonly signal: string | null
      readonly durationMs: number
    }

/** The collected outcome of a process that ran to its end. */
export interface ExecResult {
  readonly stdout: string
  readonly stderr: string
  readonly exitCode: number | null
  readonly signal: string | null
  readonly durationMs: number
}

const DEFAULT_MAX_OUTPUT = 4 * 1024 * 1024
const KILL_GRACE_MS = 500

/** Streams a process's stdout/stderr lines (`\r` stripped) and finally its exit. */
export const stream = (options: ExecOptions): Stream.Stream<ExecEvent, ToolError> =>
  Stream.asyncScoped<ExecEvent, ToolError>((emit) =>
    Effect.acquireRelease(
      Effect.sync(() => {
        const started = performance.now()
        const cap = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT
        let bytes = 0
        let done = false
        let killTimer: NodeJS.Timeout | undefined
        const child = spawn(options.command, [...options.args], {
          shell: false,
          stdio: ["ignore", "pipe", "pipe"],
          env: { ...process.env, ...options.env, LC_ALL: "C", LANG: "C" },
        })
        const kill = () => {
          if (child.exitCode !== null || child.signalCode !== null) return
          child.kill("SIGTERM")
          killTimer = setTimeout(() => child.kill("SIGKILL"), KILL_GRACE_MS)
          killTimer.unref()
        }
        const fail = (error: ToolError) => {
          if (done) return
          done = true
          kill()
          void emit.fail(error)
        }
        const deadline = setTimeout(
          () =>
            fail(
              new ToolError({
                reason: "Timeout",
                message: `${options.command} did not finish within ${Duration.format(Duration.decode(options.timeout))}`,
              }),
            ),
          Duration.toMillis(Duration.decode(options.timeout)),
        )
        const splitter = (tag: "Stdout" | "Stderr") => {
          // a character cut between two reads is decoded whole (chunk.toString made two U+FFFD
          // of it), and an unfinished line is kept as its parts, joined once at its end: prefixed
          // to every read, a long line was copied and searched again per read
          const decoder = new StringDecoder("utf8")
          let rest: Array<string> = []
          const line = (text: string) => ({ _tag: tag, line: text.replace(/\r$/, "") })
          return {
            push: (chunk: Buffer) => {
              if (done) return
              bytes += chunk.length
              if (bytes > cap) {
                fail(
                  new ToolError({
                    reason: "OutputTooLarge",
                    message: `${options.command} wrote more than ${cap} bytes of output`,
                  }),
                )
                return
              }
              const parts = decoder.write(chunk).split("\n")
              const last = parts.pop() ?? ""
              if (parts.length > 0) {
                parts[0] = rest.join("") + parts[0]
                rest = []
                void emit.chunk(Chunk.fromIterable(parts.map(line)))
              }
              if (last !== "") rest.push(last)
            },
            flush: () => {
              const tail = rest.join("") + decoder.end()
              if (!done && tail !== "") void emit.single(line(tail))
              rest = []
            },
          }
        }
        const out = splitter("Stdout")
        const err = splitter("Stderr")
        child.stdout.on("data", out.push)
        child.stderr.on("data", err.push)
        child.on("error", (e: NodeJS.ErrnoException) => {
          clearTimeout(deadline)
          const reason = reasonFromErrno(e.code)
          fail(
            new ToolError({
              reason,
              message:
                reason === "NotInstalled"
                  ? `${options.command} is not installed${options.packageHint ? ` (Debian package ${options.packageHint})` : ""}`
                  : `${options.command} failed to start: ${e.message}`,
              cause: e,
            }),
          )
        })
        child.on("close", (exitCode, signal) => {
          clearTimeout(deadline)
          if (killTimer) clearTimeout(killTimer)
          if (done) return
          out.flush()
          err.flush()
          done = true
          void emit.single({
            _tag: "Exit",
            exitCode,
            signal,
            durationMs: performance.now() - started,
          })
          void emit.end()
        })
        return { child, kill, deadline, isDone: () => done, markDone: () => (done = true) }
      }),
      (h) =>
        Effect.sync(() => {
          clearTimeout(h.deadline)
          h.markDone()
          h.kill()
        }),
    ),
  )

/** Runs a process to its end and collects its output. */
export const run = (options: ExecOptions): Effect.Effect<ExecResult, ToolError> =>
  Effect.map(Stream.runCollect(stream(options)), (events) => {
    const stdout: Array<string> = []
    const stderr: Array<string> = []
    let exit: Extract<ExecEvent, { _tag: "Exit" }> | undefined
    for (const e of events) {
      if (e._tag === "Stdout") stdout.push(e.line)
      else if (e._tag === "Stderr") stderr.push(e.line)
      else exit = e
    }
    return {
      stdout: stdout.length > 0 ? stdout.join("\n") + "\n" : "",
      stderr: stderr.length > 0 ? stderr.join("\n") + "\n" : "",
      exitCode: exit?.exitCode ?? null,
      signal: exit?.signal ?? null,
      durationMs: exit?.durationMs ?? 0,
    }
  })

/** The first line of `command args` output, or none when the binary is missing (for versions). */
export const firstLine = (
  command: string,
  args: ReadonlyArray<string>,
): Effect.Effect<Option.Option<string>> =>
  run({ command, args, timeout: "5 seconds", maxOutputBytes: 64 * 1024 }).pipe(
    Effect.map((r) =>
      Option.fromNullable(
        (r.stdout + r.stderr)
          .split("\n")
          .find((l) => l.trim() !== "")
          ?.trim(),
      ),
    ),
    Effect.orElseSucceed(() => Option.none<string>()),
  )

/** Runs a tool's progress stream to its end and returns the result of its final `Done` event. */
export const finalResult = <R, P extends { readonly _tag: string }, E>(
  tool: string,
  progress: Stream.Stream<P, E>,
): Effect.Effect<R, E | ToolError> =>
  progress.pipe(
    Stream.runFold(Option.none<R>(), (acc, p) =>
      p._tag === "Done" ? Option.some((p as unknown as { readonly result: R }).result) : acc,
    ),
    Effect.flatMap(
      Option.match({
        onNone: () =>
          Effect.fail(
            new ToolError({ reason: "Unparseable", message: `${tool} ended without a result` }),
          ),
        onSome: (r) => Effect.succeed(r),
      }),
    ),
  )
