/**
 * mtr: typed options, a pure argv builder, a total parser (raw, json and report outputs) and a
 * runner that streams hop updates while mtr runs.
 *
 * Output mode: the runner uses `mtr --raw`. Raw is a log of every probe (sent, replied, by which
 * address), so it is the only mode that (a) streams while mtr runs, for live progress, (b) keeps
 * every address of an equal-cost hop with its own replies (`--json`/`--report` keep only the hop's
 * latest address), and (c) gives the individual RTTs. Statistics are computed here from the
 * probes, the way mtr does (stdev over n-1). Raw has no AS numbers, so with `asLookup: true` the
 * runner switches to `--json -z` and reports only the final result.
 *
 * @module
 */
import { Duration, Effect, Either, Option, Stream } from "effect"
import * as Exec from "./internal/exec/Exec.js"
import type { MtrHop } from "./internal/mtr/model.js"
import { parseAny, type MtrParsed } from "./internal/mtr/parse.js"
import { RawReader } from "./internal/mtr/raw.js"
import * as V from "./internal/options/Options.js"
import { checkWith, probePort } from "./internal/path/options.js"
import type { PolicyOptions } from "./internal/path/policy.js"
import { hops, prepare } from "./internal/path/run.js"
import * as Target from "./Target.js"
import { ToolError } from "./ToolError.js"

export type { MtrFormat as Format, MtrStatus as Status } from "./internal/mtr/parse.js"
export type { MtrHop as Hop, MtrHost as Host } from "./internal/mtr/model.js"

/** What `parse` found: raw text, status, format, hops. */
export type Parsed = MtrParsed

/** Probe protocol. */
export type Protocol = "icmp" | "udp" | "tcp"

/** mtr options; every field is optional and validated by `validate`. */
export interface Options extends PolicyOptions {
  /** Probes per hop, 1–100 (mtr `-c`). Default 10. */
  readonly cycles?: number
  /** Packet size in bytes, 28–9000 (mtr `-s`). Default mtr's 64. */
  readonly packetSize?: number
  /** Default ICMP. */
  readonly protocol?: Protocol
  /** Destination port for UDP/TCP, 1–65535 (mtr `-P`). */
  readonly port?: number
  /** Force IPv4 or IPv6 (`-4`/`-6`); an IP literal target implies its own version. */
  readonly ipVersion?: 4 | 6
  /** Look up origin AS numbers (`-z`). Off by default: it sends DNS queries to origin.asn.cymru.com. */
  readonly asLookup?: boolean
  /** Maximum TTL, 1–64 (mtr `-m`). Default 30. */
  readonly maxHops?: number
  /** Skip reverse DNS of hop addresses (`-n`). Default true: no DNS traffic unless asked for. */
  readonly noDns?: boolean
  /** Time between cycles, 0.1–60 s (mtr `-i`). Default 1 s. */
  readonly interval?: Duration.DurationInput
  /** How long mtr waits for late replies after the last cycle, 0.1–30 s (`-G`). Default 2 s. */
  readonly gracePeriod?: Duration.DurationInput
  /** Hard deadline; default cycles × interval + grace period + 15 s. */
  readonly timeout?: Duration.DurationInput
  /** Output cap in bytes. Default 4 MiB. */
  readonly maxOutputBytes?: number
}

/** Options after validation, with defaults filled in. */
export interface Resolved {
  readonly cycles: number
  readonly packetSize: number | undefined
  readonly protocol: Protocol
  readonly port: number | undefined
  readonly ipVersion: 4 | 6 | undefined
  readonly asLookup: boolean
  readonly maxHops: number
  readonly noDns: boolean
  readonly interval: Duration.Duration
  readonly gracePeriod: Duration.Duration
  readonly timeout: Duration.Duration
  readonly maxOutputBytes: number
}

/** Validates options (ranges, port only with UDP/TCP); the error names the field and range. */
export const validate = (options: Options = {}): Either.Either<Resolved, ToolError> =>
  Either.gen(function* () {
    const cycles = yield* V.int("cycles", options.cycles ?? 10, 1, 100)
    const packetSize = yield* V.optional(options.packetSize, (v) =>
      V.int("packetSize", v, 28, 9000),
    )
    const protocol = yield* V.oneOf("protocol", options.protocol ?? "icmp", [
      "icmp",
      "udp",
      "tcp",
    ] as const)
    const port = yield* probePort(options.port, protocol)
    const ipVersion = yield* V.optional(options.ipVersion, (v) =>
      V.oneOf("ipVersion", v, [4, 6] as const),
    )
    const asLookup = yield* V.boolean("asLookup", options.asLookup ?? false)
    const maxHops = yield* V.int("maxHops", options.maxHops ?? 30, 1, 64)
    const noDns = yield* V.boolean("noDns", options.noDns ?? true)
    const interval = yield* V.duration(
      "interval",
      options.interval ?? "1 second",
      "100 millis",
      "60 seconds",
    )
    const gracePeriod = yield* V.duration(
      "gracePeriod",
      options.gracePeriod ?? "2 seconds",
      "100 millis",
      "30 seconds",
    )
    const timeout = yield* V.duration(
      "timeout",
      options.timeout ??
        Duration.sum(Duration.sum(Duration.times(interval, cycles), gracePeriod), "15 seconds"),
      "1 second",
      "1 hour",
    )
    const maxOutputBytes = yield* V.maxOutputBytes(options.maxOutputBytes, 4 * 1024 * 1024)
    return {
      cycles,
      packetSize,
      protocol,
      port,
      ipVersion,
      asLookup,
      maxHops,
      noDns,
      interval,
      gracePeriod,
      timeout,
      maxOutputBytes,
    }
  })

const seconds = (d: Duration.Duration): string => String(Duration.toMillis(d) / 1000)

const checked = checkWith(validate)

/**
 * Everything `argv` checks (the options, and an `ipVersion` that fits the target's address), for
 * a caller that needs the resolved options (the timeout) before any run.
 */
export const check = (
  target: Target.Target,
  options: Options = {},
): Either.Either<Resolved, ToolError> => Either.map(checked(target, options), (c) => c.options)

/** The mtr argument list for a validated target and options (pure; the target comes after `--`). */
export const argv = (
  target: Target.Target,
  options: Options = {},
): Either.Either<ReadonlyArray<string>, ToolError> =>
  Either.gen(function* () {
    const { options: o, version } = yield* checked(target, options)
    const args: Array<string> = o.asLookup ? ["--json", "-z"] : ["--raw"]
    args.push("-c", String(o.cycles), "-i", seconds(o.interval), "-G", seconds(o.gracePeriod))
    args.push("-m", String(o.maxHops))
    if (o.packetSize !== undefined) args.push("-s", String(o.packetSize))
    if (o.protocol === "udp") args.push("-u")
    if (o.protocol === "tcp") args.push("-T")
    if (o.port !== undefined) args.push("-P", String(o.port))
    if (version !== undefined) args.push(`-${version}`)
    if (o.noDns) args.push("-n")
    args.push("--", Target.toArg(target))
    return args
  })

/** Reads mtr `--raw`, `--json` or `--report` output; total, never throws. */
export const parse = (raw: string, options: { readonly destination?: string } = {}): Parsed =>
  parseAny(raw, options.destination)

/** A live update: a hop changed, or the run finished with its full result. */
export type Progress =
  | { readonly _tag: "Hop"; readonly hop: MtrHop }
  | { readonly _tag: "Done"; readonly result: Result }

/** The result of a run: the parsed output plus how mtr ended. */
export interface Result extends Parsed {
  readonly target: string
  readonly stderr: string
  readonly durationMs: number
}

/** Maps what mtr wrote on stderr to an error when the run produced no hop (mtr exits 0 on failure). */
const failure = (
  stderr: string,
  exitCode: number | null,
  parsed: Parsed,
): Option.Option<ToolError> => {
  const message = stderr.trim().split("\n")[0] ?? ""
  if (/Failed to resolve host/i.test(message))
    return Option.some(new ToolError({ reason: "UnknownHost", field: "target", message }))
  if (parsed.hops.length === 0 && (message !== "" || (exitCode !== null && exitCode !== 0)))
    return Option.some(
      new ToolError({
        reason: "NonZeroExit",
        message: message || `mtr exited with status ${exitCode}`,
      }),
    )
  return Option.none()
}

/**
 * Runs mtr and streams a `Hop` update each time a probe is sent or answered, then `Done`.
 * Validation happens before anything spawns; the hard timeout and output cap come from the options.
 */
export const stream = (
  target: Target.Target | string,
  options: Options = {},
): Stream.Stream<Progress, ToolError> =>
  Stream.unwrap(
    Effect.map(
      prepare(target, options, validate, argv),
      ({ asked, resolved: o, target: t, args }) => {
        const destination = t.kind === "ip" ? t.address : undefined
        const reader = new RawReader()
        return hops({
          command: "mtr",
          packageHint: "mtr-tiny",
          args,
          timeout: o.timeout,
          maxOutputBytes: o.maxOutputBytes,
          line: (line) => {
            if (o.asLookup) return undefined
            const n = reader.push(line)
            const end = destination !== undefined ? reader.firstPositionOf(destination) : undefined
            // Probes past the destination's TTL are how mtr learns the path length; not hops.
            if (n === undefined || (end !== undefined && n - 1 > end)) return undefined
            return reader.hop(n - 1, false)
          },
          parse: (raw) => parse(raw, destination !== undefined ? { destination } : {}),
          failure,
          result: (parsed, end): Result => ({
            ...parsed,
            target: Target.display(asked),
            stderr: end.stderr,
            durationMs: end.durationMs,
          }),
        })
      },
    ),
  )

/** Runs mtr to the end and returns the result. */
export const run = (
  target: Target.Target | string,
  options: Options = {},
): Effect.Effect<Result, ToolError> =>
  Exec.finalResult<Result, Progress, ToolError>("mtr", stream(target, options))
