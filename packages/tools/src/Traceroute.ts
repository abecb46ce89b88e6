/**
 * traceroute (Debian traceroute 2.x): typed options, a pure argv builder, a total parser, and a
 * runner that emits each hop as traceroute prints its line.
 *
 * @module
 */
import { Duration, Effect, Either, Option, Stream } from "effect"
import * as Exec from "./internal/exec/Exec.js"
import * as V from "./internal/options/Options.js"
import { checkWith, probePort } from "./internal/path/options.js"
import type { PolicyOptions } from "./internal/path/policy.js"
import { hops, prepare } from "./internal/path/run.js"
import {
  LineReader,
  type TracerouteHeader,
  type TracerouteHop,
} from "./internal/traceroute/parse.js"
import * as Target from "./Target.js"
import { ToolError, invalidInput } from "./ToolError.js"

export type {
  TracerouteHeader as Header,
  TracerouteHop as Hop,
  TracerouteProbe as Probe,
  TracerouteResponder as Responder,
} from "./internal/traceroute/parse.js"

/** Probe protocol: UDP to increasing ports (traceroute's default), ICMP echo (`-I`), TCP SYN (`-T`). */
export type Protocol = "udp" | "icmp" | "tcp"

/** traceroute options; every field optional, validated by `validate`. */
export interface Options extends PolicyOptions {
  /** Default UDP. ICMP and TCP need root or CAP_NET_RAW. */
  readonly protocol?: Protocol
  /** Destination port, 1–65535 (`-p`): UDP base port, or the TCP port (default 80). */
  readonly port?: number
  /** Probes per hop, 1–10 (`-q`). Default 3. */
  readonly queries?: number
  /** Maximum TTL, 1–64 (`-m`). Default 30. */
  readonly maxHops?: number
  /** First TTL, 1–64 (`-f`), at most `maxHops`. Default 1. */
  readonly firstHop?: number
  /** Longest wait for a probe's answer, 0.1–10 s (`-w`). Default 5 s. */
  readonly wait?: Duration.DurationInput
  /** Force IPv4 or IPv6 (`-4`/`-6`); an IP literal target implies its own version. */
  readonly ipVersion?: 4 | 6
  /** Skip reverse DNS of hop addresses (`-n`). Default true: no DNS traffic unless asked for. */
  readonly noDns?: boolean
  /** Hard deadline; default maxHops × queries × wait / 16 in flight, at least 10 s, plus 10 s. */
  readonly timeout?: Duration.DurationInput
  /** Output cap in bytes. Default 1 MiB. */
  readonly maxOutputBytes?: number
}

/** Options after validation, with defaults. */
export interface Resolved {
  readonly protocol: Protocol
  readonly port: number | undefined
  readonly queries: number
  readonly maxHops: number
  readonly firstHop: number
  readonly wait: Duration.Duration
  readonly ipVersion: 4 | 6 | undefined
  readonly noDns: boolean
  readonly timeout: Duration.Duration
  readonly maxOutputBytes: number
}

/** Validates options; the error names the field and its range. */
export const validate = (options: Options = {}): Either.Either<Resolved, ToolError> =>
  Either.gen(function* () {
    const protocol = yield* V.oneOf("protocol", options.protocol ?? "udp", [
      "udp",
      "icmp",
      "tcp",
    ] as const)
    const port = yield* probePort(options.port, protocol)
    const queries = yield* V.int("queries", options.queries ?? 3, 1, 10)
    const maxHops = yield* V.int("maxHops", options.maxHops ?? 30, 1, 64)
    const firstHop = yield* V.int("firstHop", options.firstHop ?? 1, 1, 64)
    if (firstHop > maxHops)
      return yield* Either.left(
        invalidInput("firstHop", `firstHop must be from 1 to maxHops ${maxHops} (got ${firstHop})`),
      )
    const wait = yield* V.duration("wait", options.wait ?? "5 seconds", "100 millis", "10 seconds")
    const ipVersion = yield* V.optional(options.ipVersion, (v) =>
      V.oneOf("ipVersion", v, [4, 6] as const),
    )
    const noDns = yield* V.boolean("noDns", options.noDns ?? true)
    // traceroute keeps 16 probes in flight, so the worst case is about hops×queries×wait/16.
    const worst = Duration.millis(
      Math.max(10_000, (Duration.toMillis(wait) * maxHops * queries) / 16) + 10_000,
    )
    const timeout = yield* V.duration("timeout", options.timeout ?? worst, "1 second", "1 hour")
    const maxOutputBytes = yield* V.maxOutputBytes(options.maxOutputBytes, 1024 * 1024)
    return {
      protocol,
      port,
      queries,
      maxHops,
      firstHop,
      wait,
      ipVersion,
      noDns,
      timeout,
      maxOutputBytes,
    }
  })

const checked = checkWith(validate)

/**
 * Everything `argv` checks (the options, and an `ipVersion` that fits the target's address), for
 * a caller that needs the resolved options (the timeout) before any run.
 */
export const check = (
  target: Target.Target,
  options: Options = {},
): Either.Either<Resolved, ToolError> => Either.map(checked(target, options), (c) => c.options)

/** The traceroute argument list (pure). The target is last, as traceroute's parser expects. */
export const argv = (
  target: Target.Target,
  options: Options = {},
): Either.Either<ReadonlyArray<string>, ToolError> =>
  Either.gen(function* () {
    const { options: o, version } = yield* checked(target, options)
    const args: Array<string> = []
    if (version !== undefined) args.push(`-${version}`)
    if (o.protocol === "icmp") args.push("-I")
    if (o.protocol === "tcp") args.push("-T")
    if (o.port !== undefined) args.push("-p", String(o.port))
    args.push("-q", String(o.queries), "-m", String(o.maxHops), "-f", String(o.firstHop))
    args.push("-w", String(Duration.toMillis(o.wait) / 1000))
    if (o.noDns) args.push("-n")
    // Target validation already refuses a leading "-"; "--" makes option parsing stop regardless.
    args.push("--", Target.toArg(target))
    return args
  })

/** Outcome of reading the text. `error`: traceroute printed an error and no hop. */
export type Status = "ok" | "empty" | "error" | "unparseable"

/** What `parse` found. */
export interface Parsed {
  readonly raw: string
  readonly status: Status
  readonly header?: TracerouteHeader
  readonly hops: ReadonlyArray<TracerouteHop>
  /** Whether the last hop's answer came from the destination address. */
  readonly reached: boolean
  /** Error lines traceroute printed (e.g. `Cannot handle "host" cmdline arg`). */
  readonly errors: ReadonlyArray<string>
  readonly unparsedLines: ReadonlyArray<string>
}

const finish = (raw: string, reader: LineReader): Parsed => {
  const dest = reader.header?.destinationAddress
  const last = reader.hops.at(-1)
  const reached =
    dest !== undefined && last !== undefined && last.responders.some((r) => r.address === dest)
  const status: Status =
    reader.hops.length > 0
      ? "ok"
      : reader.errors.length > 0
        ? "error"
        : reader.header !== undefined || raw.trim() === ""
          ? "empty"
          : "unparseable"
  return {
    raw,
    status,
    ...(reader.header !== undefined ? { header: reader.header } : {}),
    hops: reader.hops,
    reached,
    errors: reader.errors,
    unparsedLines: reader.unparsed,
  }
}

/** Reads traceroute output (stdout, optionally with stderr appended); total, never throws. */
export const parse = (raw: string): Parsed => {
  const text = typeof raw === "string" ? raw : ""
  const reader = new LineReader()
  for (const line of text.split("\n")) reader.push(line)
  return finish(text, reader)
}

/** A live update: a hop line was printed, or the run finished. */
export type Progress =
  | { readonly _tag: "Hop"; readonly hop: TracerouteHop }
  | { readonly _tag: "Done"; readonly result: Result }

/** A finished run: the parsed output plus how the process ended. */
export interface Result extends Parsed {
  readonly target: string
  readonly exitCode: number | null
  readonly stderr: string
  readonly durationMs: number
}

const failure = (
  stderr: string,
  exitCode: number | null,
  parsed: Parsed,
): Option.Option<ToolError> => {
  if (parsed.hops.length > 0) return Option.none()
  const message = stderr.trim().split("\n")[0] ?? ""
  if (
    /Name or service not known|Temporary failure in name resolution|No address associated/i.test(
      stderr,
    )
  )
    return Option.some(new ToolError({ reason: "UnknownHost", field: "target", message }))
  if (exitCode !== 0 || message !== "")
    return Option.some(
      new ToolError({
        reason: "NonZeroExit",
        message: message || `traceroute exited with status ${exitCode}`,
      }),
    )
  return Option.none()
}

/** Runs traceroute, emitting each hop as its line arrives, then `Done`. Validates before spawning. */
export const stream = (
  target: Target.Target | string,
  options: Options = {},
): Stream.Stream<Progress, ToolError> =>
  Stream.unwrap(
    Effect.map(prepare(target, options, validate, argv), ({ asked, resolved: o, args }) => {
      const reader = new LineReader()
      return hops({
        command: "traceroute",
        packageHint: "traceroute",
        args,
        timeout: o.timeout,
        maxOutputBytes: o.maxOutputBytes,
        line: (line) => reader.push(line),
        parse: (raw) => finish(raw, reader),
        failure,
        result: (parsed, end): Result => ({
          ...parsed,
          target: Target.display(asked),
          exitCode: end.exitCode,
          stderr: end.stderr,
          durationMs: end.durationMs,
        }),
      })
    }),
  )

/** Runs traceroute to the end and returns the result. */
export const run = (
  target: Target.Target | string,
  options: Options = {},
): Effect.Effect<Result, ToolError> =>
  Exec.finalResult<Result, Progress, ToolError>("traceroute", stream(target, options))
