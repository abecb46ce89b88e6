/**
 * The commands that run a network tool on one TARGET (ping, mtr, traceroute) share their modes:
 * through a Netwark server (`--server URL`), a batch (`-`), JSON (`--json`), or live. The checks,
 * messages and exit codes of each mode live here; a command says how its tool runs and prints.
 */
import type { ToolError as TE } from "@netwark/tools"
import { Effect, Either } from "effect"
import {
  Exit,
  UsageError,
  batch,
  failWith,
  ipVersionFlags,
  json,
  runEffect,
  type FlagValues,
  type Io,
} from "./command.js"
import { isServerUrl, remoteFlags, runRemote, type Render } from "./remote.js"

/** The flags such a command takes besides its tool's own: `-4`/`-6`, `--json` and the remote ones. */
export const targetFlags = { ...ipVersionFlags, json: { type: "boolean" }, ...remoteFlags } as const

/** The help of `--json`, `--server` and `--queue`, which such a command lists last. */
export const targetHelp = `  --json              print the parsed result as JSON (with --server: the stored operation)
  --server URL        run through the Netwark server at URL (http or https) and print its workers'
                      progress and results as they arrive
  --queue Q           send to queue Q (repeatable); default: every worker (broadcast)
`

/** How a command runs its tool on a target with options `O`, to a result `R`, mode by mode. */
export interface TargetTool<V, O, R> {
  /** The command's name, also the operation's type on a server. */
  readonly command: "ping" | "mtr" | "traceroute"
  /** The tool's option names that differ from the command's flags (see `withFlagNames`). */
  readonly flagNames?: Readonly<Record<string, string>>
  /** The tool's options from the flags, read before anything else (a bad flag is exit 2). */
  readonly options: (values: V) => O
  /** The operation's options, read only with `--server URL` (after the target is checked). */
  readonly apiOptions: (values: V) => Readonly<Record<string, unknown>>
  /** How the server's records print. */
  readonly render: Render
  /** Checks the target and options without spawning anything. */
  readonly validate: (target: string, options: O) => Either.Either<unknown, TE.ToolError>
  /** Runs the tool to its end. */
  readonly run: (target: string, options: O) => Effect.Effect<R, TE.ToolError>
  /** A batch line for a result (a failed line reads `{ target, error }`). */
  readonly batchLine: (result: R, target: string) => unknown
  /** Runs the tool printing as it goes, the default output; its error is reported here. */
  readonly live: (target: string, options: O) => Promise<Either.Either<unknown, TE.ToolError>>
}

/** Runs `tool` on the one TARGET of `positionals` in the mode the flags ask for; the exit code. */
export const runTarget = async <V extends FlagValues<typeof targetFlags>, O, R>(
  io: Io,
  { values, positionals }: { readonly values: V; readonly positionals: ReadonlyArray<string> },
  tool: TargetTool<V, O, R>,
): Promise<number> => {
  const options = tool.options(values)
  if (positionals.length !== 1)
    throw new UsageError(positionals.length === 0 ? "missing TARGET" : "one TARGET at a time")
  const target = positionals[0]!
  if (isServerUrl(values.server)) {
    if (target === "-") throw new UsageError("--server runs one TARGET at a time, not -")
    return runRemote(
      {
        command: tool.command,
        ...(tool.flagNames === undefined ? {} : { flagNames: tool.flagNames }),
        type: tool.command,
        target,
        options: tool.apiOptions(values),
        server: values.server,
        queues: values.queue ?? [],
        json: values.json === true,
        render: tool.render,
      },
      io,
    )
  }
  if (values.server !== undefined) throw new UsageError("--server must be an http(s) URL")
  if (target === "-") return batch(io, "target", (line) => tool.run(line, options), tool.batchLine)
  const fail = (e: TE.ToolError): number => failWith(io, tool.command, e, tool.flagNames)
  // Validate first so that bad input never spawns and reports exit 2 before any output.
  const valid = tool.validate(target, options)
  if (Either.isLeft(valid)) return fail(valid.left)
  if (values.json === true) {
    const r = await runEffect(io, Effect.either(tool.run(target, options)))
    if (Either.isLeft(r)) return fail(r.left)
    io.stdout(json(r.right))
    return Exit.Ok
  }
  const r = await tool.live(target, options)
  return Either.isLeft(r) ? fail(r.left) : Exit.Ok
}
