/**
 * Queue configuration: the built-in targets and the location queues of the Python Netwark's
 * `netwark_backend.yaml` (`netwark_queues:` list of `queue`, `name`, `location`, `broadcast`),
 * plus optional `latitude`/`longitude` for maps.
 *
 * Targets:
 * - `netwark` (built-in, mode `one`): shared durable queues, competing consumers, exactly one
 *   worker runs each job, round-robin among the ready workers that run its type (one queue per
 *   type of the transport's `jobTypes` option, see {@link Transport}).
 * - `netwark.broadcast` (built-in, mode `each`): a fanout exchange; every worker has its own queue
 *   bound to it, so every connected worker runs each job.
 * - a configured queue with `broadcast: true` (mode `each`): a fanout exchange per location, one
 *   queue per worker of that location; otherwise (mode `one`) shared durable queues like
 *   `netwark`'s.
 *
 * Configuration comes from YAML (`netwark_queues:` and `broker_url:`) and from the environment:
 * `NETWARK_BROKER_URL`, and `NETWARK_QUEUES` holding the same list as YAML or JSON.
 * Environment values win over the file.
 *
 * @module
 */
import { Either, Redacted } from "effect"
import * as Yaml from "yaml"
import * as TransportError from "./TransportError.js"

/** The built-in direct queue: one worker runs each job. */
export const direct = "netwark"
/** The built-in broadcast target: every connected worker runs each job. */
export const broadcast = "netwark.broadcast"
/**
 * The shared queue of results (not a target: nothing is dispatched to it), as dead-letter
 * reports and `publishRaw` name it.
 */
export const results = "netwark.results"

/** One configured location queue. */
export interface QueueConfig {
  /** The queue name (`[a-zA-Z0-9-_.:]` only). */
  readonly queue: string
  /** A human name, e.g. `Paris (OVH)`. */
  readonly name: string
  /** The location the workers of this queue are in. */
  readonly location: string
  /** `true`: every worker of the queue runs each job; `false`: one of them does. */
  readonly broadcast: boolean
  readonly latitude?: number
  readonly longitude?: number
}

/** A transport configuration as read from YAML and the environment. */
export interface Config {
  readonly brokerUrl?: Redacted.Redacted<string>
  readonly queues: ReadonlyArray<QueueConfig>
}

/** A target as the transport routes it. */
export interface Target {
  readonly name: string
  readonly mode: "one" | "each"
  /** The configured entry, absent for the built-ins. */
  readonly config?: QueueConfig
  /**
   * On a transport's direct target: the job types whose jobs travel a queue of their own
   * (`<name>/<type>`), its `jobTypes` option. Absent on a broadcast target and from
   * {@link targets}, which knows no transport.
   */
  readonly jobTypes?: ReadonlyArray<string>
}

const namePattern = /^[a-zA-Z0-9\-_.:]{1,200}$/

/** Check a queue name: `[a-zA-Z0-9-_.:]`, 1 to 200 characters. */
export const validateName = (name: string): Either.Either<string, TransportError.TransportError> =>
  namePattern.test(name)
    ? Either.right(name)
    : Either.left(
        TransportError.make(
          "InvalidConfig",
          `queue name ${JSON.stringify(name)} must be 1-200 characters of [a-zA-Z0-9-_.:]`,
        ),
      )

const invalid = (message: string) => Either.left(TransportError.make("InvalidConfig", message))

const entryKeys: ReadonlyArray<string> = [
  "queue",
  "name",
  "location",
  "broadcast",
  "latitude",
  "longitude",
]

const parseEntry = (
  raw: unknown,
  index: number,
): Either.Either<QueueConfig, TransportError.TransportError> => {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    return invalid(`netwark_queues[${index}] must be a mapping`)
  const entry = raw as Record<string, unknown>
  // a misspelt key (`brodcast: true`) would otherwise leave a broadcast queue round-robin
  const unknown = Object.keys(entry).find((key) => !entryKeys.includes(key))
  if (unknown !== undefined)
    return invalid(
      `netwark_queues[${index}].${unknown} is not a queue setting (known: ${entryKeys.join(", ")})`,
    )
  const queue = entry["queue"]
  if (typeof queue !== "string") return invalid(`netwark_queues[${index}].queue must be a string`)
  const checked = validateName(queue)
  if (Either.isLeft(checked)) return Either.left(checked.left)
  if (queue === direct || queue === broadcast || queue.startsWith(`${direct}.`))
    return invalid(`netwark_queues[${index}].queue ${queue} is reserved for the built-in queues`)
  const text = (key: string, fallback: string): string => {
    const value = entry[key]
    return typeof value === "string" ? value : typeof value === "number" ? String(value) : fallback
  }
  const b = entry["broadcast"] ?? false
  if (typeof b !== "boolean")
    return invalid(`netwark_queues[${index}].broadcast must be true or false`)
  const coordinate = (key: "latitude" | "longitude", limit: number) => {
    const value = entry[key]
    if (value === undefined || value === null) return Either.right(undefined)
    const n = typeof value === "string" ? Number(value) : value
    return typeof n === "number" && Number.isFinite(n) && Math.abs(n) <= limit
      ? Either.right(n)
      : invalid(`netwark_queues[${index}].${key} must be a number within ±${limit}`)
  }
  const latitude = coordinate("latitude", 90)
  if (Either.isLeft(latitude)) return Either.left(latitude.left)
  const longitude = coordinate("longitude", 180)
  if (Either.isLeft(longitude)) return Either.left(longitude.left)
  return Either.right({
    queue,
    name: text("name", queue),
    location: text("location", ""),
    broadcast: b,
    ...(latitude.right === undefined ? {} : { latitude: latitude.right }),
    ...(longitude.right === undefined ? {} : { longitude: longitude.right }),
  })
}

/** Parse a `netwark_queues` list (already parsed from YAML/JSON); names must be unique. */
export const parseList = (
  raw: unknown,
): Either.Either<ReadonlyArray<QueueConfig>, TransportError.TransportError> => {
  if (raw === undefined || raw === null) return Either.right([])
  if (!Array.isArray(raw)) return invalid("netwark_queues must be a list")
  const out: Array<QueueConfig> = []
  const seen = new Set<string>()
  for (const [index, item] of raw.entries()) {
    const entry = parseEntry(item, index)
    if (Either.isLeft(entry)) return Either.left(entry.left)
    if (seen.has(entry.right.queue))
      return invalid(`netwark_queues: queue ${entry.right.queue} is listed twice`)
    seen.add(entry.right.queue)
    out.push(entry.right)
  }
  return Either.right(out)
}

const parseYamlText = (text: string, what: string) => {
  try {
    return Either.right(Yaml.parse(text) as unknown)
  } catch (cause) {
    // the parser's first line says where ("… at line 3, column 5:"); the lines after it quote
    // the text, which may hold a broker password
    const where = cause instanceof Error ? cause.message.split("\n")[0]!.replace(/:$/, "") : ""
    return Either.left(
      TransportError.make(
        "InvalidConfig",
        `${what} is not valid YAML${where === "" ? "" : `: ${where}`}`,
        cause,
      ),
    )
  }
}

/** Parse a YAML configuration file's text (`netwark_queues:` and optional `broker_url:`). */
export const parseYaml = (text: string): Either.Either<Config, TransportError.TransportError> =>
  Either.flatMap(
    parseYamlText(text, "configuration"),
    (doc): Either.Either<Config, TransportError.TransportError> => {
      if (doc === undefined || doc === null) return Either.right({ queues: [] })
      if (typeof doc !== "object" || Array.isArray(doc))
        return invalid("configuration must be a mapping with netwark_queues")
      const record = doc as Record<string, unknown>
      const url = record["broker_url"] ?? record["netwark_broker_url"]
      if (url !== undefined && typeof url !== "string")
        return invalid("broker_url must be a string")
      return Either.map(parseList(record["netwark_queues"]), (queues) =>
        url === undefined ? { queues } : { queues, brokerUrl: Redacted.make(url) },
      )
    },
  )

/** Read `NETWARK_BROKER_URL` and `NETWARK_QUEUES` (a YAML or JSON list) over a base config. */
export const fromEnv = (
  env: Readonly<Record<string, string | undefined>>,
  base: Config = { queues: [] },
): Either.Either<Config, TransportError.TransportError> => {
  const rawQueues = env["NETWARK_QUEUES"]
  const queues =
    rawQueues === undefined || rawQueues.trim() === ""
      ? Either.right(base.queues)
      : Either.flatMap(parseYamlText(rawQueues, "NETWARK_QUEUES"), (doc) =>
          parseList(
            typeof doc === "object" && doc !== null && !Array.isArray(doc)
              ? (doc as Record<string, unknown>)["netwark_queues"]
              : doc,
          ),
        )
  const url = env["NETWARK_BROKER_URL"]
  return Either.map(queues, (qs) => {
    const brokerUrl = url !== undefined && url !== "" ? Redacted.make(url) : base.brokerUrl
    return brokerUrl === undefined ? { queues: qs } : { queues: qs, brokerUrl }
  })
}

/** Every target a transport with these configured queues can route, built-ins first. */
export const targets = (queues: ReadonlyArray<QueueConfig>): ReadonlyArray<Target> => [
  { name: direct, mode: "one" },
  { name: broadcast, mode: "each" },
  ...queues.map((config) => ({
    name: config.queue,
    mode: config.broadcast ? ("each" as const) : ("one" as const),
    config,
  })),
]
