/**
 * The worker's configuration: a YAML file (`--config path` or `NETWARK_CONFIG`) in the shape of
 * the Python Netwark's `netwark_backend.yaml`, plus environment variables that win over the file.
 *
 * ```yaml
 * broker_url: amqp://netwark:secret@broker.example:5672/netwark
 * netwark_queues:            # location queues this worker serves (its locations)
 *   - queue: paris
 *     name: Paris (OVH)
 *     location: Paris
 *     broadcast: false       # true: every worker of the queue answers each job
 *     latitude: 48.8566
 *     longitude: 2.3522
 * worker:
 *   instance: default        # several workers on one host: one instance name each
 *   concurrency: 4
 *   policy: { allow: [10.0.0.0/8], deny: [10.0.0.1/32] }
 * ```
 *
 * Environment: `NETWARK_BROKER_URL`, `NETWARK_QUEUES` (the list as YAML or JSON),
 * `NETWARK_NAMESPACE`, `NETWARK_WORKER_ID`, `NETWARK_WORKER_INSTANCE`, `NETWARK_STATE_DIR`,
 * `NETWARK_CONCURRENCY`, `NETWARK_HEARTBEAT`, `NETWARK_SHUTDOWN_GRACE`, `NETWARK_JOBS`
 * (comma-separated), `NETWARK_BUILTIN_QUEUES` (`true`/`false`), `NETWARK_POLICY_ALLOW` and
 * `NETWARK_POLICY_DENY` (comma-separated rules), `NETWARK_LOG_LEVEL`.
 *
 * A worker needs only the broker: there are no database settings here.
 *
 * @module
 */
import { readFile } from "node:fs/promises"
import { Data, Duration, Effect, Either, LogLevel, Redacted } from "effect"
import { Target } from "@netwark/tools"
import { Queues } from "@netwark/transport"
import * as Yaml from "yaml"
import * as Jobs from "./Jobs.js"

/** A configuration that cannot be used, with the reason. */
export class ConfigError extends Data.TaggedError("ConfigError")<{
  readonly message: string
  readonly cause?: unknown
}> {}

/** Everything the worker process is configured with. */
export interface Config {
  /** `amqp://user:password@host:port/vhost`; required to start the binary. */
  readonly brokerUrl?: Redacted.Redacted<string>
  /** Prefix of every broker name, so that several Netwark installations share a broker. */
  readonly namespace?: string
  /** Location queues this worker serves; their `location`s are the worker's locations. */
  readonly queues: ReadonlyArray<Queues.QueueConfig>
  /** Also serve the built-in `netwark` and `netwark.broadcast` targets (default true). */
  readonly builtinQueues: boolean
  /** A fixed worker id; otherwise one is generated once and kept in `stateDir`. */
  readonly workerId?: string
  /** Names this worker among several on one host (default `default`). */
  readonly instance: string
  /** Where the generated id is kept; see {@link defaultStateDir}. */
  readonly stateDir?: string
  /** Jobs running at once (and prefetch per queue). */
  readonly concurrency: number
  /** Presence heartbeat period. */
  readonly heartbeat: Duration.Duration
  /** How long a shutdown waits for running jobs before handing them back. */
  readonly shutdownGrace: Duration.Duration
  /** Allow/deny lists every target is checked against before anything runs. */
  readonly policy: Target.Policy
  /** Job types served. */
  readonly jobs: ReadonlyArray<Jobs.JobType>
  readonly logLevel: LogLevel.LogLevel
  /** Top-level keys of the file that mean nothing to the worker (logged as a warning). */
  readonly ignoredKeys: ReadonlyArray<string>
}

/** The defaults of everything optional. */
export const defaults: Config = {
  queues: [],
  builtinQueues: true,
  instance: "default",
  concurrency: 4,
  heartbeat: Duration.seconds(5),
  shutdownGrace: Duration.seconds(30),
  policy: {},
  jobs: Jobs.types,
  logLevel: LogLevel.Info,
  ignoredKeys: [],
}

/** The top-level keys of the file: the worker's, and the server's `database_url` (ignored). */
const topKeys: ReadonlyArray<string> = [
  "broker_url",
  "netwark_broker_url",
  "namespace",
  "netwark_queues",
  "worker",
  "database_url",
]

/** The keys of the `worker:` section. */
const workerKeys: ReadonlyArray<string> = [
  "id",
  "instance",
  "state_dir",
  "concurrency",
  "builtin_queues",
  "jobs",
  "heartbeat",
  "shutdown_grace",
  "log_level",
  "policy",
]

type Env = Readonly<Record<string, string | undefined>>

const fail = (message: string, cause?: unknown): Either.Either<never, ConfigError> =>
  Either.left(
    cause === undefined ? new ConfigError({ message }) : new ConfigError({ message, cause }),
  )

const namePattern = /^[a-zA-Z0-9\-_.:]{1,128}$/

const durationUnits: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/** Read a duration: a number of seconds, `500ms`/`30s`/`5m`/`1h`, or Effect's `"30 seconds"`. */
export const parseDuration = (
  field: string,
  value: unknown,
): Either.Either<Duration.Duration, ConfigError> => {
  if (typeof value === "number" && Number.isFinite(value) && value >= 0)
    return Either.right(Duration.seconds(value))
  if (typeof value === "string") {
    const short = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(value)
    if (short)
      return Either.right(Duration.millis(Number(short[1]) * durationUnits[short[2] ?? "s"]!))
    const decoded = Duration.decodeUnknown(value)
    if (decoded._tag === "Some") return Either.right(decoded.value)
  }
  return fail(`${field} must be a duration such as 30s, 500ms or 5m (got ${JSON.stringify(value)})`)
}

const positiveInt = (field: string, value: unknown, max: number) => {
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value
  return typeof n === "number" && Number.isInteger(n) && n >= 1 && n <= max
    ? Either.right(n)
    : fail(`${field} must be an integer from 1 to ${max} (got ${JSON.stringify(value)})`)
}

const bool = (field: string, value: unknown) => {
  if (typeof value === "boolean") return Either.right(value)
  if (value === "true" || value === "1" || value === "yes") return Either.right(true)
  if (value === "false" || value === "0" || value === "no") return Either.right(false)
  return fail(`${field} must be true or false (got ${JSON.stringify(value)})`)
}

const list = (field: string, value: unknown): Either.Either<ReadonlyArray<string>, ConfigError> => {
  if (typeof value === "string")
    return Either.right(
      value
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== ""),
    )
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return Either.right(value)
  return fail(`${field} must be a list of strings`)
}

const levels: Record<string, LogLevel.LogLevel> = {
  trace: LogLevel.Trace,
  debug: LogLevel.Debug,
  info: LogLevel.Info,
  warning: LogLevel.Warning,
  warn: LogLevel.Warning,
  error: LogLevel.Error,
}

const present = (value: unknown): boolean => value !== undefined && value !== null && value !== ""

/** Parse a configuration: the YAML file's text (if any) and then the environment over it. */
export const parse = (
  text: string | undefined,
  env: Env = {},
): Either.Either<Config, ConfigError> =>
  Either.gen(function* () {
    const transport = yield* Either.mapLeft(
      Either.flatMap(Queues.parseYaml(text ?? ""), (base) => Queues.fromEnv(env, base)),
      (e) => new ConfigError({ message: e.message, cause: e }),
    )
    let doc: Record<string, unknown> = {}
    if (text !== undefined) {
      const parsed = Yaml.parse(text) as unknown
      if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed))
        doc = parsed as Record<string, unknown>
    }
    const section = doc["worker"] ?? {}
    if (typeof section !== "object" || section === null || Array.isArray(section))
      return yield* fail("worker must be a mapping")
    const file = section as Record<string, unknown>
    // the worker's own section: a misspelt setting fails rather than silently taking its default
    const unknownWorker = Object.keys(file).find((key) => !workerKeys.includes(key))
    if (unknownWorker !== undefined)
      return yield* fail(
        `worker.${unknownWorker} is not a worker setting (known: ${workerKeys.join(", ")})`,
      )
    /** The environment variable when set, else the file's `worker.<key>`. */
    const pick = (envName: string, key: string): unknown =>
      present(env[envName]) ? env[envName] : file[key]

    // other top-level keys may belong to a file shared with other programs: warned about, so
    // that a misspelt `netwark_queues` does not go unnoticed
    const ignoredKeys = Object.keys(doc).filter((key) => !topKeys.includes(key))
    let config: Config = { ...defaults, queues: transport.queues, ignoredKeys }
    if (transport.brokerUrl !== undefined) {
      const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(Redacted.value(transport.brokerUrl))?.[1]
      if (scheme?.toLowerCase() !== "amqp" && scheme?.toLowerCase() !== "amqps")
        return yield* fail(
          `broker URL must be amqp://user:password@host:5672/vhost or amqps://… (got ${scheme === undefined ? "no scheme" : `${scheme}://…`})`,
        )
      config = { ...config, brokerUrl: transport.brokerUrl }
    }

    const namespace = present(env["NETWARK_NAMESPACE"])
      ? env["NETWARK_NAMESPACE"]
      : doc["namespace"]
    if (present(namespace)) {
      if (typeof namespace !== "string" || !namePattern.test(namespace))
        return yield* fail("namespace must be 1-128 characters of [a-zA-Z0-9-_.:]")
      config = { ...config, namespace }
    }
    const id = pick("NETWARK_WORKER_ID", "id")
    if (present(id)) {
      if (typeof id !== "string" || !namePattern.test(id))
        return yield* fail(
          `worker id ${JSON.stringify(id)} must be 1-128 characters of [a-zA-Z0-9-_.:]`,
        )
      config = { ...config, workerId: id }
    }
    const instance = pick("NETWARK_WORKER_INSTANCE", "instance")
    if (present(instance)) {
      if (typeof instance !== "string" || !/^[a-zA-Z0-9\-_]{1,64}$/.test(instance))
        return yield* fail("worker instance must be 1-64 characters of [a-zA-Z0-9-_]")
      config = { ...config, instance }
    }
    const stateDir = pick("NETWARK_STATE_DIR", "state_dir")
    if (present(stateDir)) {
      if (typeof stateDir !== "string") return yield* fail("state_dir must be a path")
      config = { ...config, stateDir }
    }
    const concurrency = pick("NETWARK_CONCURRENCY", "concurrency")
    if (present(concurrency))
      config = { ...config, concurrency: yield* positiveInt("concurrency", concurrency, 1024) }
    const heartbeat = pick("NETWARK_HEARTBEAT", "heartbeat")
    if (present(heartbeat)) {
      const d = yield* parseDuration("heartbeat", heartbeat)
      if (Duration.lessThan(d, Duration.millis(100)))
        return yield* fail("heartbeat must be ≥ 100ms")
      config = { ...config, heartbeat: d }
    }
    const grace = pick("NETWARK_SHUTDOWN_GRACE", "shutdown_grace")
    if (present(grace))
      config = { ...config, shutdownGrace: yield* parseDuration("shutdown_grace", grace) }
    const builtin = pick("NETWARK_BUILTIN_QUEUES", "builtin_queues")
    if (present(builtin))
      config = { ...config, builtinQueues: yield* bool("builtin_queues", builtin) }
    const jobs = pick("NETWARK_JOBS", "jobs")
    if (present(jobs)) {
      const names = yield* list("jobs", jobs)
      if (names.length === 0)
        return yield* fail(`jobs must name at least one job type (${Jobs.types.join(", ")})`)
      for (const name of names)
        if (!Jobs.isJobType(name))
          return yield* fail(`jobs: unknown job type ${name} (known: ${Jobs.types.join(", ")})`)
      config = { ...config, jobs: names as ReadonlyArray<Jobs.JobType> }
    }
    const policyDoc = file["policy"] ?? {}
    if (typeof policyDoc !== "object" || policyDoc === null || Array.isArray(policyDoc))
      return yield* fail("worker.policy must be a mapping with allow and deny lists")
    const policyFile = policyDoc as Record<string, unknown>
    const unknownPolicy = Object.keys(policyFile).find((key) => key !== "allow" && key !== "deny")
    if (unknownPolicy !== undefined)
      return yield* fail(
        `worker.policy.${unknownPolicy} is not a policy setting (known: allow, deny)`,
      )
    const allowRaw = present(env["NETWARK_POLICY_ALLOW"])
      ? env["NETWARK_POLICY_ALLOW"]
      : policyFile["allow"]
    const denyRaw = present(env["NETWARK_POLICY_DENY"])
      ? env["NETWARK_POLICY_DENY"]
      : policyFile["deny"]
    const allow = present(allowRaw) ? yield* list("policy.allow", allowRaw) : undefined
    const deny = present(denyRaw) ? yield* list("policy.deny", denyRaw) : undefined
    const policy: Target.Policy = {
      ...(allow === undefined ? {} : { allow }),
      ...(deny === undefined ? {} : { deny }),
    }
    const checked = Target.validatePolicy(policy)
    if (Either.isLeft(checked)) return yield* fail(checked.left.message, checked.left)
    config = { ...config, policy }
    const level = pick("NETWARK_LOG_LEVEL", "log_level")
    if (present(level)) {
      const found = typeof level === "string" ? levels[level.toLowerCase()] : undefined
      if (found === undefined)
        return yield* fail(`log_level must be one of ${Object.keys(levels).join(", ")}`)
      config = { ...config, logLevel: found }
    }
    if (consumed(config).length === 0)
      return yield* fail(
        "the worker would serve no queue: list netwark_queues, or leave builtin_queues true",
      )
    return config
  })

/** Read the file named by `path` (or `NETWARK_CONFIG`, or none) and parse it with the environment. */
export const load = (
  path: string | undefined,
  env: Env = process.env,
): Effect.Effect<Config, ConfigError> => {
  const file = path ?? (present(env["NETWARK_CONFIG"]) ? env["NETWARK_CONFIG"] : undefined)
  const text =
    file === undefined
      ? Effect.succeed(undefined)
      : Effect.tryPromise({
          try: () => readFile(file, "utf8"),
          catch: (cause) =>
            new ConfigError({
              message: `cannot read configuration ${file}: ${String(cause)}`,
              cause,
            }),
        })
  return Effect.flatMap(text, (t) =>
    Effect.suspend(() => {
      try {
        return parse(t, env)
      } catch (cause) {
        return Effect.fail(
          new ConfigError({ message: `configuration ${file ?? ""} is not valid YAML`, cause }),
        )
      }
    }),
  )
}

/** The target names this configuration consumes: the built-ins (unless off), then its queues. */
export const consumed = (config: Config): ReadonlyArray<string> => [
  ...(config.builtinQueues ? [Queues.direct, Queues.broadcast] : []),
  ...config.queues.map((q) => q.queue),
]

/** The distinct locations of the configured queues. */
export const locations = (config: Config): ReadonlyArray<string> => [
  ...new Set(config.queues.map((q) => q.location).filter((l) => l !== "")),
]

/**
 * Where a generated id is kept when `state_dir` is not set: systemd's `$STATE_DIRECTORY`, else
 * `$XDG_STATE_HOME/netwark`, else `~/.local/state/netwark`.
 */
export const defaultStateDir = (env: Env, home: string): string => {
  const systemd = env["STATE_DIRECTORY"]?.split(":")[0]
  if (present(systemd)) return systemd!
  if (present(env["XDG_STATE_HOME"])) return `${env["XDG_STATE_HOME"]}/netwark`
  return `${home}/.local/state/netwark`
}
