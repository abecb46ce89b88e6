import { parseArgs, type ParseArgsConfig } from "node:util"
import { Effect, Either, Stream } from "effect"

/** A `netwark` sub-command. `run` returns the process exit code. */
export interface Command {
  readonly name: string
  readonly summary: string
  readonly usage: string
  readonly run: (argv: ReadonlyArray<string>, io: Io) => Promise<number>
}

/** The process edges a command may touch, so tests can run commands in process. */
export interface Io {
  readonly stdout: (text: string) => void
  readonly stderr: (text: string) => void
  readonly stdin: () => AsyncIterable<string>
  readonly env: Readonly<Record<string, string | undefined>>
  /**
   * Aborted when the process is told to stop (SIGINT, SIGTERM, SIGHUP), with the signal's name
   * as the reason: running tools are interrupted and their child processes killed.
   */
  readonly signal?: AbortSignal
}

/**
 * Exit codes: 0 success, 1 the operation failed (network, not found), 2 bad input; stopped by a
 * signal, 128 + its number, as a shell reports it (130 for Ctrl-C).
 */
export const Exit = { Ok: 0, Failed: 1, BadInput: 2, Interrupted: 130 } as const

const signalNumbers: Readonly<Record<string, number>> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGPIPE: 13,
  SIGTERM: 15,
}

/** The exit code of a run stopped by `signal` (its abort reason names the signal). */
export const interruptedExit = (signal: AbortSignal): number => {
  const n = typeof signal.reason === "string" ? signalNumbers[signal.reason] : undefined
  return n === undefined ? Exit.Interrupted : 128 + n
}

/**
 * Runs an effect to a promise that `io.signal` interrupts: the effect's finalizers run, so a tool
 * it spawned is killed rather than left running, and the promise rejects.
 */
export const runEffect = <A, E>(io: Io, effect: Effect.Effect<A, E>): Promise<A> =>
  Effect.runPromise(effect, io.signal === undefined ? undefined : { signal: io.signal })

/** Thrown by `parse` for a bad flag; the dispatcher turns it into exit code 2. */
export class UsageError extends Error {}

/** `util.parseArgs` with errors turned into `UsageError`, and strict positionals. */
export const parse = <const T extends ParseArgsConfig["options"]>(
  argv: ReadonlyArray<string>,
  options: T,
): { readonly values: FlagValues<T>; readonly positionals: ReadonlyArray<string> } => {
  try {
    // parseArgs loses the value types for some option tables; their shape is the table's.
    return parseArgs({
      args: [...argv],
      options: options ?? {},
      allowPositionals: true,
      strict: true,
    }) as { values: FlagValues<T>; positionals: Array<string> }
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e))
  }
}

/** Reads standard input as lines, trimming blanks and `#` comments (batch mode, `-`). */
export async function* lines(io: Io): AsyncIterable<string> {
  // an unfinished line is kept as its chunks and joined once at its end: appended to one string
  // and searched from its start at every chunk, a long line took time squared in its length
  let pending: Array<string> = []
  const kept = (line: string): string | undefined => {
    const t = line.trim()
    return t !== "" && !t.startsWith("#") ? t : undefined
  }
  for await (const chunk of io.stdin()) {
    let start = 0
    for (let nl = chunk.indexOf("\n"); nl >= 0; nl = chunk.indexOf("\n", start)) {
      pending.push(chunk.slice(start, nl))
      const line = kept(pending.join(""))
      pending = []
      start = nl + 1
      if (line !== undefined) yield line
    }
    if (start < chunk.length) pending.push(chunk.slice(start))
  }
  const last = kept(pending.join(""))
  if (last !== undefined) yield last
}

/** Renders rows of `[label, value]` as an aligned two-column table. */
export const keyValueTable = (
  rows: ReadonlyArray<readonly [string, string | number | boolean | null | undefined]>,
): string => {
  const shown = rows.filter(([, v]) => v !== undefined && v !== null && v !== "")
  const width = Math.max(0, ...shown.map(([k]) => k.length))
  return shown.map(([k, v]) => `${k.padEnd(width)}  ${String(v)}`).join("\n") + "\n"
}

/** Renders a table with a header row; columns are padded to the widest cell. */
export const table = (
  header: ReadonlyArray<string>,
  rows: ReadonlyArray<ReadonlyArray<string | number>>,
): string => {
  const all = [header, ...rows.map((r) => r.map(String))]
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? "").length)))
  return (
    all
      .map((r) =>
        r
          .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
          .join("  ")
          .trimEnd(),
      )
      .join("\n") + "\n"
  )
}

/** JSON with BigInt written as decimal strings. */
export const json = (value: unknown, pretty = true): string =>
  JSON.stringify(
    value,
    (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v),
    pretty ? 2 : undefined,
  ) + "\n"

/** The values `parse` gives for a flag table: booleans, string lists for `multiple`, else strings. */
export type FlagValues<F> = {
  readonly [K in keyof F]?: F[K] extends { type: "boolean" }
    ? boolean
    : F[K] extends { multiple: true }
      ? ReadonlyArray<string>
      : string
}

/** `-4` and `-6`, for the tools that take an IP version. */
export const ipVersionFlags = {
  ipv4: { type: "boolean", short: "4" },
  ipv6: { type: "boolean", short: "6" },
} as const

/** The tools' `ipVersion` option from `-4`/`-6`: none without either, 4 when both are given. */
export const ipVersionOf = (v: { readonly ipv4?: unknown; readonly ipv6?: unknown }) =>
  v.ipv4 === true ? { ipVersion: 4 as const } : v.ipv6 === true ? { ipVersion: 6 as const } : {}

/** {@link ipVersionOf} for a local run, where `-4` with `-6` is a `UsageError`. */
export const ipVersionFlag = (v: { readonly ipv4?: boolean; readonly ipv6?: boolean }) => {
  if (v.ipv4 === true && v.ipv6 === true) throw new UsageError("-4 and -6 exclude each other")
  return ipVersionOf(v)
}

/** A non-negative decimal flag value, or a `UsageError` naming the flag. */
export const numberFlag = (name: string, text: string | undefined): number | undefined => {
  if (text === undefined) return undefined
  if (!/^\d+(?:\.\d+)?$/.test(text))
    throw new UsageError(`--${name} must be a number (got ${JSON.stringify(text)})`)
  return Number(text)
}

/** Exit code for a tool error: 2 when the caller's input is at fault, 1 when the operation failed. */
export const exitCodeOf = (e: { readonly reason: string }): number =>
  e.reason === "InvalidInput" || e.reason === "InvalidTarget" ? Exit.BadInput : Exit.Failed

/** A tool error as JSON, for `--json` output and batch lines. */
export const errorJson = (e: {
  readonly reason: string
  readonly message: string
  readonly field?: string | undefined
}) => ({
  reason: e.reason,
  message: e.message,
  ...(e.field === undefined ? {} : { field: e.field }),
})

/**
 * A tool's message with its option names replaced by the command's flags where they differ
 * (`flags`: `{ maxHops: "--max-hops" }`), so that it names what the user typed.
 */
export const withFlagNames = (message: string, flags: Readonly<Record<string, string>>): string => {
  const names = Object.keys(flags)
  return names.length === 0
    ? message
    : message.replace(new RegExp(`\\b(?:${names.join("|")})\\b`, "g"), (n) => flags[n] ?? n)
}

/**
 * Reports a tool error on stderr as `netwark <command>: <message>` and returns its exit code;
 * `flags` as for {@link withFlagNames}.
 */
export const failWith = (
  io: Io,
  command: string,
  e: { readonly reason: string; readonly message: string },
  flags: Readonly<Record<string, string>> = {},
): number => {
  io.stderr(`netwark ${command}: ${withFlagNames(e.message, flags)}\n`)
  return exitCodeOf(e)
}

/**
 * Batch mode (`-`): runs `run` on each line of standard input and prints one JSON line for each,
 * `{ [key]: line, error }` for a line that failed, so that one bad line does not stop the batch.
 */
export const batch = async <A, E extends Parameters<typeof errorJson>[0]>(
  io: Io,
  key: string,
  run: (line: string) => Effect.Effect<A, E>,
  line: (result: A, input: string) => unknown,
): Promise<number> => {
  for await (const input of lines(io)) {
    const r = await runEffect(io, Effect.either(run(input)))
    io.stdout(
      json(
        Either.match(r, {
          onLeft: (e) => ({ [key]: input, error: errorJson(e) }),
          onRight: (result) => line(result, input),
        }),
        false,
      ),
    )
  }
  return Exit.Ok
}

type Done = { readonly _tag: "Done" }
type ResultOf<P> = P extends Done & { readonly result: infer R } ? R : never

/**
 * Runs a tool's progress stream, printing what `show` makes of each part as it arrives (nothing
 * for ""), to the result its final `Done` part carries (undefined if the tool ended without one).
 */
export const streamed = async <P extends { readonly _tag: string }, E>(
  io: Io,
  stream: Stream.Stream<P, E>,
  show: (part: Exclude<P, Done>) => string,
): Promise<Either.Either<ResultOf<P> | undefined, E>> => {
  let result: ResultOf<P> | undefined
  const r = await runEffect(
    io,
    Effect.either(
      Stream.runForEach(stream, (p) =>
        Effect.sync(() => {
          if (p._tag === "Done") result = (p as unknown as { readonly result: ResultOf<P> }).result
          else {
            const text = show(p as Exclude<P, Done>)
            if (text !== "") io.stdout(text)
          }
        }),
      ),
    ),
  )
  return Either.map(r, () => result)
}
