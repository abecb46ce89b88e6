/**
 * `ping` (iputils): typed options, a pure `argv`, a pure and total `parse`, and a thin runner that
 * streams each reply as it arrives. Plus `sweep`, many targets at once through `fping` when it is
 * installed (one process for all targets), else concurrent `ping` processes.
 *
 * Validation (target and options) happens before anything spawns; a bad value is an `InvalidInput`
 * or `InvalidTarget` error naming the field and the allowed range. 100 % loss is a result
 * (`status: "total-loss"`), an unknown host is the error `UnknownHost`.
 *
 * @module
 */
import { Cause, Chunk, Duration, Effect, Either, Exit, Option, Stream } from "effect"
import * as Exec from "./internal/exec/Exec.js"
import * as Options from "./internal/options/Options.js"
import * as Fping from "./internal/ping/fping.js"
import * as Parser from "./internal/ping/parse.js"
import * as Target from "./Target.js"
import { ToolError } from "./ToolError.js"

export type {
  PingEvent,
  PingIcmpError,
  PingLine,
  PingNoAnswer,
  PingReply,
  PingResult,
  PingStatus,
  PingSummary,
  PingUnparsed,
} from "./internal/ping/parse.js"
export type { FpingResult, FpingTarget } from "./internal/ping/fping.js"

/** Parses iputils (or BusyBox) ping output; pure and total. */
export const parse: (raw: string) => Parser.PingResult = Parser.parse

/** Classifies one line of ping output (what the runner uses to stream progress). */
export const parseLine: (line: string) => Parser.PingLine = Parser.parseLine

/** Parses `fping -C N -q` output; pure and total. */
export const parseFping: (raw: string) => Fping.FpingResult = Fping.parseFping

/** IP version to use: 4, 6, or whatever the name resolves to. */
export type IpVersion = 4 | 6 | "auto"

/** Ping options; every field optional. */
export interface PingOptions {
  /** Probes to send, 1–100 (default 3). */
  readonly count?: number
  /** Between probes, 0.2–60 s (default 1 s); privileged (root) callers may go down to 10 ms. */
  readonly interval?: Duration.DurationInput
  /** Payload bytes, 0–65507 (default 56). */
  readonly size?: number
  /** How long to wait for each reply (`-W`), 0.1–60 s (default: ping's own, 10 s). */
  readonly timeout?: Duration.DurationInput
  /** Stop after this long whatever happens (`-w`), 1–3600 s, rounded up to whole seconds. */
  readonly deadline?: Duration.DurationInput
  /** IP time to live, 1–255. */
  readonly ttl?: number
  /** Default "auto". */
  readonly ipVersion?: IpVersion
  /** Source interface (`-I`), a Linux interface name. */
  readonly interface?: string
  /** Reverse-resolve reply addresses (default false: `-n`, so no DNS traffic per reply). */
  readonly resolveNames?: boolean
}

/** Validated options with defaults applied; what `argv` takes. */
export interface PingRequest {
  readonly target: Target.Target
  readonly count: number
  readonly interval: Duration.Duration
  readonly size?: number
  readonly timeout?: Duration.Duration
  /** Whole seconds. */
  readonly deadline?: number
  readonly ttl?: number
  readonly ipVersion: IpVersion
  readonly interface?: string
  readonly resolveNames: boolean
}

/** Root or not, asked once: nothing in Netwark changes a process's uid after start. */
let privileged: boolean | undefined
const isPrivileged = (): boolean => (privileged ??= process.getuid?.() === 0)

/** Validates a target and options into a request. Pure apart from the root check for `interval`. */
export const validate = (
  target: string | Target.Target,
  options: PingOptions = {},
  context: { readonly privileged?: boolean } = {},
): Either.Either<PingRequest, ToolError> =>
  Either.gen(function* () {
    const t = typeof target === "string" ? yield* Target.parse(target) : target
    const count = yield* Options.int("count", options.count ?? 3, 1, 100)
    const minInterval = (context.privileged ?? isPrivileged()) ? "10 millis" : "200 millis"
    const interval = yield* Options.duration(
      "interval",
      options.interval ?? "1 second",
      minInterval,
      "60 seconds",
    )
    const size = yield* Options.optional(options.size, (v) => Options.int("size", v, 0, 65507))
    const timeout = yield* Options.optional(options.timeout, (v) =>
      Options.duration("timeout", v, "100 millis", "60 seconds"),
    )
    const deadline = yield* Options.optional(options.deadline, (v) =>
      Options.duration("deadline", v, "1 second", "3600 seconds"),
    )
    const ttl = yield* Options.optional(options.ttl, (v) => Options.int("ttl", v, 1, 255))
    const ipVersion = yield* Options.oneOf("ipVersion", options.ipVersion ?? "auto", [
      4,
      6,
      "auto",
    ] as const)
    if (t.kind === "ip" && ipVersion !== "auto" && ipVersion !== t.version)
      return yield* Either.left(
        new ToolError({
          reason: "InvalidInput",
          field: "ipVersion",
          message: `ipVersion ${ipVersion} does not match the IPv${t.version} target ${t.address}`,
        }),
      )
    const iface = yield* Options.optional(options.interface, (v) =>
      Options.interfaceName("interface", v),
    )
    const resolveNames = yield* Options.boolean("resolveNames", options.resolveNames ?? false)
    return {
      target: t,
      count,
      interval,
      ...(size !== undefined ? { size } : {}),
      ...(timeout !== undefined ? { timeout } : {}),
      ...(deadline !== undefined ? { deadline: Math.ceil(Duration.toSeconds(deadline)) } : {}),
      ...(ttl !== undefined ? { ttl } : {}),
      ipVersion,
      ...(iface !== undefined ? { interface: iface } : {}),
      resolveNames,
    }
  })

const secondsArg = (d: Duration.Duration): string =>
  String(Number(Duration.toSeconds(d).toFixed(3)))

/**
 * The argument vector for iputils ping. `-O` makes ping report each probe that has no answer yet
 * when the next one goes out, so timeouts stream live; the target comes last, after `--`.
 */
export const argv = (request: PingRequest): ReadonlyArray<string> => [
  "-O",
  ...(request.resolveNames ? [] : ["-n"]),
  ...(request.ipVersion === "auto" ? [] : [`-${request.ipVersion}`]),
  "-c",
  String(request.count),
  "-i",
  secondsArg(request.interval),
  ...(request.size !== undefined ? ["-s", String(request.size)] : []),
  ...(request.timeout !== undefined ? ["-W", secondsArg(request.timeout)] : []),
  ...(request.deadline !== undefined ? ["-w", String(request.deadline)] : []),
  ...(request.ttl !== undefined ? ["-t", String(request.ttl)] : []),
  ...(request.interface !== undefined ? ["-I", request.interface] : []),
  "--",
  Target.toArg(request.target),
]

/** How long the process may run before it is killed: ping's own deadline, plus a margin. */
export const hardTimeout = (request: PingRequest): Duration.Duration => {
  const margin = 5_000
  if (request.deadline !== undefined) return Duration.millis(request.deadline * 1000 + margin)
  const waitMs = request.timeout !== undefined ? Duration.toMillis(request.timeout) : 10_000
  return Duration.millis(
    (request.count - 1) * Duration.toMillis(request.interval) + waitMs + margin,
  )
}

/** A live update: one probe's event as it arrives, then the final result. */
export type PingProgress =
  | { readonly _tag: "Event"; readonly event: Parser.PingEvent }
  | { readonly _tag: "Done"; readonly result: Parser.PingResult }

/** Runner options beyond the ping options. */
export interface RunOptions extends PingOptions {
  /** Checked after name resolution; the resolved address is then pinged (no second lookup). */
  readonly policy?: Target.Policy
  /** Resolver for the policy check (tests). */
  readonly resolve?: Target.Resolver
}

const MAX_OUTPUT = 1024 * 1024

const resultOrError = (
  result: Parser.PingResult,
  exit: { exitCode: number | null },
): Effect.Effect<Parser.PingResult, ToolError> => {
  if (result.status === "unknown-host")
    return Effect.fail(
      new ToolError({
        reason: "UnknownHost",
        field: "target",
        message: `ping: ${result.message ?? "unknown host"}`,
      }),
    )
  if (result.status === "error" || (result.status === "unparseable" && exit.exitCode !== 0))
    return Effect.fail(
      new ToolError({
        reason: "NonZeroExit",
        message: `ping exited with status ${exit.exitCode}: ${result.message ?? result.raw.trim().slice(0, 500)}`,
      }),
    )
  return Effect.succeed(result)
}

const checked = (
  request: PingRequest,
  options: RunOptions,
): Effect.Effect<PingRequest, ToolError> => {
  if (options.policy === undefined) return Effect.succeed(request)
  return Effect.map(
    Target.check(
      options.policy,
      request.target,
      options.resolve !== undefined ? { resolve: options.resolve } : {},
    ),
    (c) => {
      if (request.target.kind === "ip") return request
      const wanted = c.addresses.find(
        (a) => request.ipVersion === "auto" || (request.ipVersion === 6) === a.includes(":"),
      )
      const parsed = wanted === undefined ? undefined : Target.parse(wanted)
      return parsed !== undefined && Either.isRight(parsed)
        ? { ...request, target: parsed.right }
        : request
    },
  )
}

/** Streams each reply / no-answer / ICMP error as ping prints it, then the parsed result. */
export const stream = (
  target: string | Target.Target,
  options: RunOptions = {},
): Stream.Stream<PingProgress, ToolError> =>
  Either.match(validate(target, options), {
    onLeft: (e) => Stream.fail(e),
    onRight: (validated) =>
      Stream.unwrap(
        Effect.map(checked(validated, options), (request) => {
          const stdout: Array<string> = []
          const stderr: Array<string> = []
          return Exec.stream({
            command: "ping",
            args: argv(request),
            timeout: hardTimeout(request),
            maxOutputBytes: MAX_OUTPUT,
            packageHint: "iputils-ping",
          }).pipe(
            Stream.mapEffect((event): Effect.Effect<Option.Option<PingProgress>, ToolError> => {
              switch (event._tag) {
                case "Stdout": {
                  stdout.push(event.line)
                  const line = Parser.parseLine(event.line)
                  return Effect.succeed(
                    line.type === "reply" || line.type === "timeout" || line.type === "error"
                      ? Option.some({ _tag: "Event", event: line })
                      : Option.none(),
                  )
                }
                case "Stderr":
                  stderr.push(event.line)
                  return Effect.succeed(Option.none())
                case "Exit": {
                  const raw = [...stdout, ...stderr].join("\n") + "\n"
                  const parsed = Parser.parse(raw)
                  // Keep the name the caller asked for when we pinged a policy-checked address.
                  const result =
                    validated.target !== request.target && parsed.destination !== undefined
                      ? { ...parsed, destination: Target.display(validated.target) }
                      : parsed
                  return Effect.map(resultOrError(result, event), (r) =>
                    Option.some<PingProgress>({ _tag: "Done", result: r }),
                  )
                }
              }
            }),
            Stream.filterMap((x) => x),
          )
        }),
      ),
  })

/**
 * Runs ping to its end and returns the parsed result. Collects the output in one go instead of
 * streaming it (no per-line work), which matters when a sweep runs hundreds of these.
 */
export const run = (
  target: string | Target.Target,
  options: RunOptions = {},
): Effect.Effect<Parser.PingResult, ToolError> =>
  Either.match(validate(target, options), {
    onLeft: (e) => Effect.fail(e),
    onRight: (validated) =>
      Effect.flatMap(checked(validated, options), (request) =>
        Effect.flatMap(
          Exec.run({
            command: "ping",
            args: argv(request),
            timeout: hardTimeout(request),
            maxOutputBytes: MAX_OUTPUT,
            packageHint: "iputils-ping",
          }),
          (exec) => {
            const parsed = Parser.parse(exec.stdout + exec.stderr)
            return resultOrError(
              validated.target !== request.target && parsed.destination !== undefined
                ? { ...parsed, destination: Target.display(validated.target) }
                : parsed,
              exec,
            )
          },
        ),
      ),
  })

/** Converts an Effect exit into a promise outcome: the ToolError, or `Aborted` on interruption. */
const settle = <A>(exit: Exit.Exit<A, ToolError>): A => {
  if (Exit.isSuccess(exit)) return exit.value
  const failure = Cause.failureOption(exit.cause)
  if (Option.isSome(failure)) throw failure.value
  if (Cause.isInterruptedOnly(exit.cause))
    throw new ToolError({ reason: "Aborted", message: "ping was aborted" })
  throw Cause.squash(exit.cause)
}

/** Promise convenience: `run`, killed when `signal` aborts (rejects with `Aborted`). */
export const runPromise = async (
  target: string | Target.Target,
  options: RunOptions = {},
  { signal }: { readonly signal?: AbortSignal } = {},
): Promise<Parser.PingResult> =>
  settle(await Effect.runPromiseExit(run(target, options), signal !== undefined ? { signal } : {}))

/** Sweep options: one or a few probes to each of many targets. */
export interface SweepOptions {
  /** Probes per target, 1–10 (default 1). */
  readonly count?: number
  /** Per-probe wait for a reply, 10 ms–10 s (default 500 ms). */
  readonly timeout?: Duration.DurationInput
  /** Payload bytes, 0–65507. */
  readonly size?: number
  readonly ttl?: number
  readonly ipVersion?: IpVersion
  readonly interface?: string
  /**
   * Spacing between packets across all targets (fping `-i`), default 1 ms; 0 (no spacing) is allowed
   * for privileged callers, as fping itself allows, and is what makes a loopback sweep fastest.
   */
  readonly interval?: Duration.DurationInput
  /** Concurrent `ping` processes when fping is not installed, 1–256 (default 64). */
  readonly concurrency?: number
  /** "auto" (fping when installed, else ping), or force one. */
  readonly backend?: "auto" | "fping" | "ping"
}

/** One target's sweep outcome. */
export interface SweepResult {
  /** The target as given (canonical form). */
  readonly target: string
  readonly sent: number
  readonly received: number
  readonly lossPercent: number
  /** One entry per probe; undefined for no reply. */
  readonly rttMs: ReadonlyArray<number | undefined>
  readonly alive: boolean
  /** Why there is no measurement (e.g. unknown host), when that is the case. */
  readonly error?: string
}

/** Which engine ran a sweep. */
export interface SweepReport {
  readonly backend: "fping" | "ping"
  readonly results: ReadonlyArray<SweepResult>
}

interface SweepRequest {
  readonly targets: ReadonlyArray<Target.Target>
  readonly count: number
  readonly timeout: Duration.Duration
  readonly size?: number
  readonly ttl?: number
  readonly ipVersion: IpVersion
  readonly interface?: string
  readonly interval: Duration.Duration
  readonly concurrency: number
  readonly backend: "auto" | "fping" | "ping"
}

const MAX_SWEEP_TARGETS = 4096

const validateSweep = (
  targets: ReadonlyArray<string | Target.Target>,
  options: SweepOptions,
): Either.Either<SweepRequest, ToolError> =>
  Either.gen(function* () {
    if (targets.length === 0 || targets.length > MAX_SWEEP_TARGETS)
      return yield* Either.left(
        new ToolError({
          reason: "InvalidInput",
          field: "targets",
          message: `targets must be a list of 1 to ${MAX_SWEEP_TARGETS} (got ${targets.length})`,
        }),
      )
    const parsed = yield* Either.all(
      targets.map((t) => (typeof t === "string" ? Target.parse(t) : Either.right(t))),
    )
    const size = yield* Options.optional(options.size, (v) => Options.int("size", v, 0, 65507))
    const ttl = yield* Options.optional(options.ttl, (v) => Options.int("ttl", v, 1, 255))
    const iface = yield* Options.optional(options.interface, (v) =>
      Options.interfaceName("interface", v),
    )
    return {
      targets: parsed,
      count: yield* Options.int("count", options.count ?? 1, 1, 10),
      timeout: yield* Options.duration(
        "timeout",
        options.timeout ?? "500 millis",
        "10 millis",
        "10 seconds",
      ),
      ...(size !== undefined ? { size } : {}),
      ...(ttl !== undefined ? { ttl } : {}),
      ipVersion: yield* Options.oneOf("ipVersion", options.ipVersion ?? "auto", [
        4,
        6,
        "auto",
      ] as const),
      ...(iface !== undefined ? { interface: iface } : {}),
      interval: yield* Options.duration(
        "interval",
        options.interval ?? "1 millis",
        isPrivileged() ? "0 millis" : "1 millis",
        "1 second",
      ),
      concurrency: yield* Options.int("concurrency", options.concurrency ?? 64, 1, 256),
      backend: yield* Options.oneOf("backend", options.backend ?? "auto", [
        "auto",
        "fping",
        "ping",
      ] as const),
    }
  })

const summarise = (target: string, rttMs: ReadonlyArray<number | undefined>): SweepResult => {
  const received = rttMs.filter((r) => r !== undefined).length
  return {
    target,
    sent: rttMs.length,
    received,
    lossPercent: rttMs.length === 0 ? 100 : Math.round((1 - received / rttMs.length) * 10000) / 100,
    rttMs,
    alive: received > 0,
  }
}

/**
 * `fping -C count -q`: one process sends to all targets, so the sweep costs one spawn plus the
 * slowest reply. `-i` spaces packets (1 ms by default, fping's floor for unprivileged users).
 */
const fpingArgv = (r: SweepRequest): ReadonlyArray<string> => [
  "-C",
  String(r.count),
  "-q",
  "-i",
  String(Duration.toMillis(r.interval)),
  "-p",
  String(Math.max(20, Duration.toMillis(r.timeout))),
  "-t",
  String(Duration.toMillis(r.timeout)),
  ...(r.size !== undefined ? ["-b", String(r.size)] : []),
  ...(r.ttl !== undefined ? ["-H", String(r.ttl)] : []),
  ...(r.ipVersion === "auto" ? [] : [`-${r.ipVersion}`]),
  ...(r.interface !== undefined ? ["-I", r.interface] : []),
  "--",
  ...new Set(r.targets.map(Target.toArg)),
]

const sweepFping = (r: SweepRequest): Effect.Effect<SweepReport, ToolError> =>
  Effect.map(
    Exec.run({
      command: "fping",
      args: fpingArgv(r),
      timeout: Duration.millis(
        r.targets.length * (Duration.toMillis(r.interval) + 1) +
          r.count * Math.max(20, Duration.toMillis(r.timeout)) +
          Duration.toMillis(r.timeout) +
          5_000,
      ),
      maxOutputBytes: MAX_OUTPUT,
      packageHint: "fping",
    }),
    (exec) => {
      const parsed = Fping.parseFping(exec.stderr + exec.stdout)
      const byTarget = new Map(parsed.targets.map((t) => [t.target, t.rttMs]))
      const problems = parsed.unparsed.join("; ")
      return {
        backend: "fping" as const,
        results: r.targets.map((t) => {
          const arg = Target.toArg(t)
          const rtts = byTarget.get(arg)
          return rtts !== undefined
            ? summarise(arg, rtts)
            : {
                ...summarise(arg, new Array<undefined>(r.count).fill(undefined)),
                error: problems.includes(arg) ? problems : "no result from fping",
              }
        }),
      }
    },
  )

const sweepPing = (r: SweepRequest): Effect.Effect<SweepReport, ToolError> =>
  Effect.map(
    Effect.forEach(
      r.targets,
      (t) => {
        const arg = Target.toArg(t)
        return run(t, {
          count: r.count,
          interval: "200 millis",
          timeout: r.timeout,
          ...(r.size !== undefined ? { size: r.size } : {}),
          ...(r.ttl !== undefined ? { ttl: r.ttl } : {}),
          ...(r.ipVersion === "auto" || (t.kind === "ip" && t.version !== r.ipVersion)
            ? {}
            : { ipVersion: r.ipVersion }),
          ...(r.interface !== undefined ? { interface: r.interface } : {}),
        }).pipe(
          Effect.map((res) => {
            const byseq = new Map(res.replies.map((p) => [p.sequence, p.rttMs ?? 0]))
            return summarise(
              arg,
              Array.from({ length: r.count }, (_, i) => byseq.get(i + 1)),
            )
          }),
          Effect.catchIf(
            (e) => e.reason === "UnknownHost" || e.reason === "NonZeroExit",
            (e) =>
              Effect.succeed({
                ...summarise(arg, new Array<undefined>(r.count).fill(undefined)),
                error: e.message,
              }),
          ),
        )
      },
      { concurrency: r.concurrency },
    ),
    (results) => ({ backend: "ping" as const, results }),
  )

/**
 * Pings many targets at once. Uses fping (one process for every target) when it is installed,
 * else `ping` processes `concurrency` at a time. Results come back in the order of `targets`.
 */
export const sweep = (
  targets: ReadonlyArray<string | Target.Target>,
  options: SweepOptions = {},
): Effect.Effect<SweepReport, ToolError> =>
  Either.match(validateSweep(targets, options), {
    onLeft: (e) => Effect.fail(e),
    onRight: (r) =>
      r.backend === "ping"
        ? sweepPing(r)
        : r.backend === "fping"
          ? sweepFping(r)
          : sweepFping(r).pipe(
              Effect.catchIf(
                (e) => e.reason === "NotInstalled",
                () => sweepPing(r),
              ),
            ),
  })

/** Collects a progress stream's events (handy for tests and batch callers). */
export const collectEvents = (
  progress: Chunk.Chunk<PingProgress>,
): ReadonlyArray<Parser.PingEvent> =>
  Chunk.toReadonlyArray(progress).flatMap((p) => (p._tag === "Event" ? [p.event] : []))
