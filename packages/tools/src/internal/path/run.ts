/**
 * The runner that mtr and traceroute share around their own argv, line reader and parser: the
 * checks before anything spawns, then a stream of hop updates while the tool runs and its
 * result at the end. Each tool keeps what differs: its reader, its parser, its failure rules.
 */
import { type Duration, Effect, Either, Option, Stream } from "effect"
import * as Target from "../../Target.js"
import type { ToolError } from "../../ToolError.js"
import * as Exec from "../exec/Exec.js"
import { ipVersionFor } from "./options.js"
import { checkedTarget, type PolicyOptions } from "./policy.js"

/** A run ready to spawn: the target as asked (for display), the checked one and its argv. */
export interface Prepared<R> {
  readonly asked: Target.Target
  readonly resolved: R
  readonly target: Target.Target
  readonly args: ReadonlyArray<string>
}

/** Parses the target, validates the options and applies the policy; fails before any spawn. */
export const prepare = <
  O extends PolicyOptions,
  R extends { readonly ipVersion: 4 | 6 | undefined },
>(
  target: Target.Target | string,
  options: O,
  validate: (options: O) => Either.Either<R, ToolError>,
  argv: (target: Target.Target, options: O) => Either.Either<ReadonlyArray<string>, ToolError>,
): Effect.Effect<Prepared<R>, ToolError> =>
  Effect.gen(function* () {
    const asked = yield* typeof target === "string" ? Target.parse(target) : Either.right(target)
    const resolved = yield* validate(options)
    // An option/target conflict (-6 with an IPv4 literal) fails before any policy lookup.
    yield* ipVersionFor(asked, resolved.ipVersion)
    const checked = yield* checkedTarget(asked, options, resolved.ipVersion)
    const args = yield* argv(checked, options)
    return { asked, resolved, target: checked, args }
  })

/** How the process ended, for the tool's result. */
export interface End {
  readonly stderr: string
  readonly exitCode: number | null
  readonly durationMs: number
}

/** What a path tool brings to `hops`. */
export interface HopRun<H, P, R> {
  readonly command: string
  /** Debian package named when the binary is missing. */
  readonly packageHint: string
  readonly args: ReadonlyArray<string>
  readonly timeout: Duration.Duration
  readonly maxOutputBytes: number
  /** The hop a stdout line adds or updates, if any. */
  readonly line: (line: string) => H | undefined
  /** Reads the whole stdout at the end. */
  readonly parse: (raw: string) => P
  /** The error for a run that failed, from its stderr, exit status and what was read. */
  readonly failure: (stderr: string, exitCode: number | null, parsed: P) => Option.Option<ToolError>
  /** The tool's own result from what was read and how the process ended. */
  readonly result: (parsed: P, end: End) => R
}

/** A hop update while the tool runs, then its result. */
export type HopProgress<H, R> =
  { readonly _tag: "Hop"; readonly hop: H } | { readonly _tag: "Done"; readonly result: R }

/** Spawns the tool, emits a `Hop` for each line that makes one, then `Done` (or the failure). */
export const hops = <H, P, R>(
  run: HopRun<H, P, R>,
): Stream.Stream<HopProgress<H, R>, ToolError> => {
  const stdout: Array<string> = []
  const stderr: Array<string> = []
  return Exec.stream({
    command: run.command,
    args: run.args,
    timeout: run.timeout,
    maxOutputBytes: run.maxOutputBytes,
    packageHint: run.packageHint,
  }).pipe(
    Stream.mapEffect((event): Effect.Effect<ReadonlyArray<HopProgress<H, R>>, ToolError> => {
      if (event._tag === "Stderr") {
        stderr.push(event.line)
        return Effect.succeed([])
      }
      if (event._tag === "Stdout") {
        stdout.push(event.line)
        const hop = run.line(event.line)
        return Effect.succeed(hop === undefined ? [] : [{ _tag: "Hop", hop }])
      }
      const raw = stdout.length > 0 ? stdout.join("\n") + "\n" : ""
      const parsed = run.parse(raw)
      const err = stderr.join("\n")
      const failed = run.failure(err, event.exitCode, parsed)
      if (Option.isSome(failed)) return Effect.fail(failed.value)
      const end = { stderr: err, exitCode: event.exitCode, durationMs: event.durationMs }
      return Effect.succeed([{ _tag: "Done", result: run.result(parsed, end) }])
    }),
    Stream.flattenIterables,
  )
}
