/**
 * DNS queries with `dig`: typed options, a pure argv builder, a total parser (messages, zone
 * transfers, `+trace` steps, error lines) and a runner that emits each `+trace` step as it arrives.
 *
 * @module
 */
import { Duration, Effect, Either, Stream } from "effect"
import { DigReader, type DigOutput, type DnsTraceStep } from "./internal/dns/parse.js"
import * as Exec from "./internal/exec/Exec.js"
import * as V from "./internal/options/Options.js"
import * as Target from "./Target.js"
import { ToolError, invalidInput } from "./ToolError.js"

export type {
  DnsEdns as Edns,
  DnsMessage as Message,
  DnsQuestion as Question,
  DnsRecord as Record,
  DnsTraceStep as TraceStep,
  RecordFields,
} from "./internal/dns/parse.js"

/** Record types this tool queries. */
export const recordTypes = [
  "A",
  "AAAA",
  "CNAME",
  "MX",
  "NS",
  "PTR",
  "SOA",
  "TXT",
  "SRV",
  "CAA",
  "DS",
  "DNSKEY",
  "HTTPS",
  "SVCB",
  "ANY",
] as const

/** A record type to query. */
export type RecordType = (typeof recordTypes)[number]

/** Query classes. */
export const classes = ["IN", "CH", "HS"] as const

/** A query class. */
export type QueryClass = (typeof classes)[number]

/** dig options; every field optional, validated by `validate`. */
export interface Options {
  /** Default A (PTR when `reverse`). */
  readonly type?: RecordType
  /** Default IN. */
  readonly class?: QueryClass
  /** Reverse lookup (`-x`): the query is an IP address, the type PTR. */
  readonly reverse?: boolean
  /** Resolver address (IP literal only: a name would need a DNS lookup of its own). */
  readonly server?: string
  /** Resolver port, 1–65535 (`-p`). Default 53. */
  readonly port?: number
  /** Query over TCP (`+tcp`). */
  readonly tcp?: boolean
  /** Follow delegations from the root (`+trace`). */
  readonly trace?: boolean
  /** Ask for DNSSEC records (`+dnssec`). */
  readonly dnssec?: boolean
  /** Per-try timeout, 1–30 s (`+time`). Default 5 s. */
  readonly tryTimeout?: Duration.DurationInput
  /** Tries over UDP, 1–5 (`+tries`). Default 2. */
  readonly tries?: number
  /** Force IPv4 or IPv6 transport (`-4`/`-6`). */
  readonly ipVersion?: 4 | 6
  /** Hard deadline; default tries × tryTimeout + 10 s (+trace: 60 s). */
  readonly timeout?: Duration.DurationInput
  /** Output cap in bytes. Default 4 MiB. */
  readonly maxOutputBytes?: number
  /**
   * Allow/deny lists checked against `server` (the only address dig sends to that we choose;
   * without `server` dig asks the system resolver, and `+trace` servers are found as it goes).
   */
  readonly policy?: Target.Policy
}

/** Options after validation. */
export interface Resolved {
  readonly type: RecordType
  readonly class: QueryClass
  readonly reverse: boolean
  readonly server: Target.Target | undefined
  readonly port: number | undefined
  readonly tcp: boolean
  readonly trace: boolean
  readonly dnssec: boolean
  readonly tryTimeout: Duration.Duration
  readonly tries: number
  readonly ipVersion: 4 | 6 | undefined
  readonly timeout: Duration.Duration
  readonly maxOutputBytes: number
}

/** Validates options; the error names the field and its range or allowed values. */
export const validate = (options: Options = {}): Either.Either<Resolved, ToolError> =>
  Either.gen(function* () {
    const reverse = yield* V.boolean("reverse", options.reverse ?? false)
    const type = yield* V.oneOf("type", options.type ?? (reverse ? "PTR" : "A"), recordTypes)
    const cls = yield* V.oneOf("class", options.class ?? "IN", classes)
    let server: Target.Target | undefined
    if (options.server !== undefined) {
      const s = Target.parse(options.server)
      if (Either.isLeft(s) || s.right.kind !== "ip")
        return yield* Either.left(
          invalidInput(
            "server",
            `server must be an IPv4 or IPv6 address (got ${JSON.stringify(String(options.server).slice(0, 80))})`,
          ),
        )
      server = s.right
    }
    const port = yield* V.optional(options.port, (v) => V.int("port", v, 1, 65535))
    const tcp = yield* V.boolean("tcp", options.tcp ?? false)
    const trace = yield* V.boolean("trace", options.trace ?? false)
    const dnssec = yield* V.boolean("dnssec", options.dnssec ?? false)
    const tryTimeout = yield* V.duration(
      "tryTimeout",
      options.tryTimeout ?? "5 seconds",
      "1 second",
      "30 seconds",
    )
    const tries = yield* V.int("tries", options.tries ?? 2, 1, 5)
    const ipVersion = yield* V.optional(options.ipVersion, (v) =>
      V.oneOf("ipVersion", v, [4, 6] as const),
    )
    if (server?.kind === "ip" && ipVersion !== undefined && ipVersion !== server.version)
      return yield* Either.left(
        invalidInput(
          "ipVersion",
          `ipVersion ${ipVersion} does not match IPv${server.version} server ${server.address}`,
        ),
      )
    const timeout = yield* V.duration(
      "timeout",
      options.timeout ??
        (trace
          ? Duration.seconds(60)
          : Duration.sum(Duration.times(tryTimeout, tries), Duration.seconds(10))),
      "1 second",
      "10 minutes",
    )
    const maxOutputBytes = yield* V.maxOutputBytes(options.maxOutputBytes, 4 * 1024 * 1024)
    return {
      type,
      class: cls,
      reverse,
      server,
      port,
      tcp,
      trace,
      dnssec,
      tryTimeout,
      tries,
      ipVersion,
      timeout,
      maxOutputBytes,
    }
  })

/**
 * Validates the query: a host name (IDN to punycode, label rules; `_` allowed for SRV/DMARC
 * names), `.` for the root, or an IP address with `reverse`.
 */
export const validateQuery = (
  query: string,
  reverse: boolean,
): Either.Either<string, ToolError> => {
  if (query === "." && !reverse) return Either.right(".")
  const t = Target.parse(query)
  if (Either.isLeft(t))
    return Either.left(
      new ToolError({ reason: "InvalidTarget", field: "query", message: t.left.message }),
    )
  if (reverse && t.right.kind !== "ip")
    return Either.left(
      new ToolError({
        reason: "InvalidTarget",
        field: "query",
        message: `a reverse lookup needs an IP address (got ${JSON.stringify(query)})`,
      }),
    )
  return Either.right(Target.toArg(t.right))
}

/** The options, validated, and the query as dig takes it: what `argv` builds from. */
const checked = (query: string, options: Options) =>
  Either.flatMap(validate(options), (o) =>
    Either.map(validateQuery(query, o.reverse), (q) => ({ options: o, query: q })),
  )

/**
 * Everything `argv` checks (the options, and the query for them: an IP address for a reverse
 * lookup), for a caller that needs the resolved options (the timeout) before any run.
 */
export const check = (query: string, options: Options = {}): Either.Either<Resolved, ToolError> =>
  Either.map(checked(query, options), (c) => c.options)

/** The dig argument list (pure). The query follows `-q`/`-x`, so it is never read as an option. */
export const argv = (
  query: string,
  options: Options = {},
): Either.Either<ReadonlyArray<string>, ToolError> =>
  Either.gen(function* () {
    const { options: o, query: q } = yield* checked(query, options)
    const args: Array<string> = []
    if (o.server !== undefined) args.push(`@${Target.toArg(o.server)}`)
    if (o.port !== undefined) args.push("-p", String(o.port))
    if (o.ipVersion !== undefined) args.push(`-${o.ipVersion}`)
    if (o.reverse) args.push("-x", q)
    else args.push("-t", o.type, "-c", o.class, "-q", q)
    if (o.reverse && o.type !== "PTR") args.push("-t", o.type)
    args.push(`+time=${Math.ceil(Duration.toMillis(o.tryTimeout) / 1000)}`, `+tries=${o.tries}`)
    if (o.tcp) args.push("+tcp")
    if (o.trace) args.push("+trace")
    if (o.dnssec) args.push("+dnssec")
    // No cookie: keeps outputs comparable between runs and servers that reject cookies.
    args.push("+nocookie")
    return args
  })

/**
 * Outcome. Server response codes are upper case (NOERROR, NXDOMAIN, SERVFAIL, REFUSED…); what dig
 * reports when no usable answer came back is lower case: `timeout` (no server could be reached),
 * `connection-refused`, `resolver-error` (dig could not resolve the server name), `bad-packet`,
 * `error` (another error line), `empty`, `unparseable`. `+trace` prints no response code, so a
 * trace that ran to its last step without error is `NOERROR`.
 */
export type Status = string

/** What `parse` found. */
export interface Parsed extends DigOutput {
  readonly raw: string
  readonly status: Status
}

const statusOf = (out: DigOutput, raw: string): Status => {
  const last = out.messages.at(-1)
  if (last?.rcode !== undefined) return last.rcode
  if (out.traceComplete) return "NOERROR"
  const err = out.errors.join("\n")
  if (/no servers could be reached|timed out/i.test(err)) {
    if (/connection refused/i.test(err) && !/timed out/i.test(err)) return "connection-refused"
    return "timeout"
  }
  if (/connection refused/i.test(err)) return "connection-refused"
  if (/couldn't get address/i.test(err)) return "resolver-error"
  if (/Got bad packet/i.test(err)) return "bad-packet"
  if (out.errors.length > 0) return "error"
  if (out.trace.length > 0 || (last !== undefined && last.answer.length > 0)) return "NOERROR"
  return raw.trim() === "" ? "empty" : "unparseable"
}

const finish = (raw: string, reader: DigReader): Parsed => {
  const out = reader.finish()
  return { raw, status: statusOf(out, raw), ...out }
}

/** Reads dig output (stdout with stderr appended); total, never throws. */
export const parse = (raw: string): Parsed => {
  const text = typeof raw === "string" ? raw : ""
  const reader = new DigReader()
  for (const line of text.split("\n")) reader.push(line)
  return finish(text, reader)
}

/** A live update: a `+trace` step arrived, or the query finished. */
export type Progress =
  | { readonly _tag: "TraceStep"; readonly step: DnsTraceStep }
  | { readonly _tag: "Done"; readonly result: Result }

/** A finished query: the parsed output plus how dig ended. */
export interface Result extends Parsed {
  readonly query: string
  readonly exitCode: number | null
  readonly durationMs: number
}

/**
 * Runs dig and emits `+trace` steps as they arrive, then `Done`. A timeout or refused connection is
 * a result (status `timeout`, `connection-refused`), not an error; usage errors are `NonZeroExit`.
 */
export const stream = (query: string, options: Options = {}): Stream.Stream<Progress, ToolError> =>
  Stream.unwrap(
    Effect.gen(function* () {
      const o = yield* validate(options)
      const args = yield* argv(query, options)
      if (options.policy !== undefined && o.server !== undefined)
        yield* Target.check(options.policy, o.server)
      const reader = new DigReader()
      const lines: Array<string> = []
      const stderr: Array<string> = []
      return Exec.stream({
        command: "dig",
        args,
        timeout: o.timeout,
        maxOutputBytes: o.maxOutputBytes,
        packageHint: "bind9-dnsutils",
      }).pipe(
        Stream.mapEffect((event): Effect.Effect<ReadonlyArray<Progress>, ToolError> => {
          if (event._tag !== "Exit") {
            // dig writes some errors on stdout and some on stderr; both are read as one text.
            lines.push(event.line)
            if (event._tag === "Stderr") stderr.push(event.line)
            const step = reader.push(event.line)
            return Effect.succeed(step === undefined ? [] : [{ _tag: "TraceStep", step }])
          }
          const raw = lines.length > 0 ? lines.join("\n") + "\n" : ""
          const parsed = finish(raw, reader)
          // Exit 1 is a usage error (our argv is wrong, not the network), 10 an internal error.
          if ((event.exitCode === 1 || event.exitCode === 10) && parsed.messages.length === 0)
            return Effect.fail(
              new ToolError({
                reason: "NonZeroExit",
                message: `dig exited with status ${event.exitCode}: ${stderr.join(" ").trim() || parsed.errors.join(" ")}`,
              }),
            )
          return Effect.succeed([
            {
              _tag: "Done",
              result: {
                ...parsed,
                query,
                exitCode: event.exitCode,
                durationMs: event.durationMs,
              },
            },
          ])
        }),
        Stream.flattenIterables,
      )
    }),
  )

/** Runs dig to the end and returns the result. */
export const run = (query: string, options: Options = {}): Effect.Effect<Result, ToolError> =>
  Exec.finalResult<Result, Progress, ToolError>("dig", stream(query, options))
