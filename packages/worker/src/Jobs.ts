/**
 * Job types and their runners: each job type maps to one `@netwark/tools` tool.
 *
 * Payloads (JSON):
 * - `ping`: `{ target, options? }` with `Ping.PingOptions`
 * - `mtr`: `{ target, options? }` with `Mtr.Options`
 * - `traceroute`: `{ target, options? }` with `Traceroute.Options`
 * - `dns`: `{ query, options? }` with `Dns.Options`
 *
 * Durations in `options` are Effect duration inputs: a number of milliseconds or a string such
 * as `"500 millis"`. A job never sets the target policy: that is the worker's, and a payload that
 * carries `policy` is refused.
 *
 * Every job is checked in full (payload shape, target, options, then the worker's target policy)
 * before any process spawns; a job that fails a check ends as an `error` result naming the field.
 * Progress (each ping reply, mtr hop updates, traceroute hops, `dig +trace` steps) is streamed
 * through the transport while the tool runs; the result's `data` is the tool's parsed result,
 * including the raw output.
 *
 * @module
 */
import { Duration, Effect, Either, Stream } from "effect"
import { Dns, Mtr, Ping, Target, ToolError, Traceroute } from "@netwark/tools"

/** The job types this worker knows. */
export const types = ["ping", "mtr", "traceroute", "dns"] as const

/** A job type this worker knows. */
export type JobType = (typeof types)[number]

/** Whether a string names a known job type. */
export const isJobType = (type: string): type is JobType =>
  (types as ReadonlyArray<string>).includes(type)

/** What a job's progress messages carry. */
export type ProgressData =
  | { readonly type: "ping"; readonly event: Ping.PingEvent }
  | { readonly type: "mtr"; readonly hops: ReadonlyArray<Mtr.Hop> }
  | { readonly type: "traceroute"; readonly hop: Traceroute.Hop }
  | { readonly type: "dns"; readonly step: Dns.TraceStep }

/** A checked job, ready to run. */
export interface Prepared {
  readonly type: JobType
  /** The target (or DNS query) as the job gave it, for logs. */
  readonly target: string
  /** The longest the tool runs with these options (its own hard deadline). */
  readonly timeout: Duration.Duration
  /** Run the tool, emitting progress; succeeds with the tool's parsed result. */
  readonly run: (
    progress: (data: ProgressData) => Effect.Effect<void>,
  ) => Effect.Effect<unknown, ToolError.ToolError>
}

/** How the runners are set up. */
export interface Options {
  /** Allow/deny lists checked (after name resolution) before anything spawns. */
  readonly policy?: Target.Policy
  /** How often mtr hop updates are sent at most (they change on every probe). Default 250 ms. */
  readonly mtrProgressInterval?: Duration.DurationInput
  /** Resolver for the policy check (tests). */
  readonly resolve?: Target.Resolver
}

const invalid = (field: string, message: string) =>
  new ToolError.ToolError({ reason: "InvalidInput", field, message })

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

interface Payload {
  readonly subject: string
  readonly options: Record<string, unknown>
}

/** `{ <key>: string, options?: {…} }`, with `policy`/`resolve` refused in the options. */
const payloadOf = (
  type: JobType,
  payload: unknown,
  key: "target" | "query",
): Either.Either<Payload, ToolError.ToolError> => {
  if (!isRecord(payload))
    return Either.left(invalid("payload", `a ${type} job payload must be an object`))
  const subject = payload[key]
  if (typeof subject !== "string")
    return Either.left(
      new ToolError.ToolError({
        reason: key === "target" ? "InvalidTarget" : "InvalidInput",
        field: key,
        message: `a ${type} job needs a ${key} string`,
      }),
    )
  const options = payload["options"] ?? {}
  if (!isRecord(options))
    return Either.left(invalid("options", `${type} options must be an object`))
  for (const forbidden of ["policy", "resolve"])
    if (forbidden in options)
      return Either.left(
        invalid(`options.${forbidden}`, `a job cannot set ${forbidden}: the worker's applies`),
      )
  return Either.right({ subject, options })
}

const withPolicy = (options: Options): { policy?: Target.Policy; resolve?: Target.Resolver } => {
  const rules = (options.policy?.allow?.length ?? 0) + (options.policy?.deny?.length ?? 0)
  return {
    // no rules: skip the check, so a host name is resolved once (by the tool), not twice
    ...(options.policy !== undefined && rules > 0 ? { policy: options.policy } : {}),
    ...(options.resolve !== undefined ? { resolve: options.resolve } : {}),
  }
}

/** Run a tool's progress stream: forward updates, keep the final result. */
const drain = <P extends { readonly _tag: string }, R>(
  stream: Stream.Stream<P, ToolError.ToolError>,
  done: (p: P) => R | undefined,
  update: (p: P) => Effect.Effect<void>,
  tool: string,
): Effect.Effect<R, ToolError.ToolError> =>
  stream.pipe(
    Stream.runFoldEffect(undefined as R | undefined, (acc, p) => {
      const result = done(p)
      return result !== undefined ? Effect.succeed(result) : Effect.as(update(p), acc)
    }),
    Effect.flatMap((result) =>
      result !== undefined
        ? Effect.succeed(result)
        : Effect.fail(
            new ToolError.ToolError({
              reason: "Unparseable",
              message: `${tool} ended without a result`,
            }),
          ),
    ),
  )

/** Check a job (shape, target, options) without running anything. */
export const prepare = (
  type: string,
  payload: unknown,
  options: Options = {},
): Either.Either<Prepared, ToolError.ToolError> =>
  Either.gen(function* () {
    if (!isJobType(type))
      return yield* Either.left(invalid("type", `unknown job type ${JSON.stringify(type)}`))
    const policy = withPolicy(options)
    switch (type) {
      case "ping": {
        const { subject, options: raw } = yield* payloadOf(type, payload, "target")
        const opts = raw as Ping.PingOptions
        const request = yield* Ping.validate(subject, opts)
        return {
          type,
          target: subject,
          timeout: Ping.hardTimeout(request),
          run: (progress) =>
            drain(
              Ping.stream(request.target, { ...opts, ...policy }),
              (p) => (p._tag === "Done" ? p.result : undefined),
              (p) =>
                p._tag === "Event" ? progress({ type: "ping", event: p.event }) : Effect.void,
              "ping",
            ),
        }
      }
      case "mtr": {
        const { subject, options: raw } = yield* payloadOf(type, payload, "target")
        const opts = raw as Mtr.Options
        const target = yield* Target.parse(subject)
        const checked = yield* Mtr.check(target, opts)
        const every = Duration.decode(options.mtrProgressInterval ?? "250 millis")
        return {
          type,
          target: subject,
          timeout: checked.timeout,
          run: (progress) =>
            Effect.suspend(() => {
              // mtr updates a hop on every probe: send the latest state of changed hops in batches
              let result: Mtr.Result | undefined
              return Mtr.stream(target, { ...opts, ...policy }).pipe(
                Stream.groupedWithin(1024, every),
                Stream.runForEach((chunk) => {
                  const hops = new Map<number, Mtr.Hop>()
                  for (const p of chunk)
                    if (p._tag === "Done") result = p.result
                    else hops.set(p.hop.hop, p.hop)
                  return hops.size > 0
                    ? progress({ type: "mtr", hops: [...hops.values()] })
                    : Effect.void
                }),
                Effect.flatMap(() =>
                  result !== undefined
                    ? Effect.succeed(result)
                    : Effect.fail(
                        new ToolError.ToolError({
                          reason: "Unparseable",
                          message: "mtr ended without a result",
                        }),
                      ),
                ),
              )
            }),
        }
      }
      case "traceroute": {
        const { subject, options: raw } = yield* payloadOf(type, payload, "target")
        const opts = raw as Traceroute.Options
        const target = yield* Target.parse(subject)
        const checked = yield* Traceroute.check(target, opts)
        return {
          type,
          target: subject,
          timeout: checked.timeout,
          run: (progress) =>
            drain(
              Traceroute.stream(target, { ...opts, ...policy }),
              (p) => (p._tag === "Done" ? p.result : undefined),
              (p) =>
                p._tag === "Hop" ? progress({ type: "traceroute", hop: p.hop }) : Effect.void,
              "traceroute",
            ),
        }
      }
      case "dns": {
        const { subject, options: raw } = yield* payloadOf(type, payload, "query")
        const opts = raw as Dns.Options
        const checked = yield* Dns.check(subject, opts)
        const dnsPolicy = policy.policy === undefined ? {} : ({ policy: policy.policy } as const)
        return {
          type,
          target: subject,
          timeout: checked.timeout,
          run: (progress) =>
            drain(
              Dns.stream(subject, { ...opts, ...dnsPolicy }),
              (p) => (p._tag === "Done" ? p.result : undefined),
              (p) =>
                p._tag === "TraceStep" ? progress({ type: "dns", step: p.step }) : Effect.void,
              "dig",
            ),
        }
      }
    }
  })
