/**
 * Server configuration from the environment and an optional YAML file (`NETWARK_CONFIG`):
 * environment values win over the file. With no database or broker URL the server runs the
 * embedded mode (PGlite in `NETWARK_DATA_DIR`, the in-process transport and a local worker).
 *
 * | variable | default | meaning |
 * |---|---|---|
 * | `NETWARK_PORT` | 6543 | HTTP port (0: any free port) |
 * | `NETWARK_HOST` | 127.0.0.1 embedded, 0.0.0.0 otherwise | listen address |
 * | `NETWARK_DATABASE_URL` | (embedded PGlite) | `postgres://…` |
 * | `NETWARK_BROKER_URL` | (in-process transport) | `amqp://…` |
 * | `NETWARK_DATA_DIR` | `./.netwark-data` | embedded database folder |
 * | `NETWARK_QUEUES` | none | location queues, YAML/JSON list (`netwark_queues` shape) |
 * | `NETWARK_NAMESPACE` | none | prefix of every broker name |
 * | `NETWARK_LOCAL_WORKER` | on without a broker | run a worker inside the server |
 * | `NETWARK_WEB_DIR` | `packages/web/dist` if present | static console |
 * | `NETWARK_WORKER_RETENTION` | `24 hours` | how long `GET /workers` lists a worker gone offline (`90 minutes`, `7 days`…) |
 * | `NETWARK_OPERATION_RETENTION` | none (keep all) | delete ended operations, with their results, this long after they were created (at least `1 hour`) |
 * | `NETWARK_BROADCAST_DELIVERY` | `persistent` | `transient`: broadcast copies skip the broker's disk (lost if it restarts while they wait) |
 * | `NETWARK_CONFIG` | none | YAML file: `database_url`, `broker_url`, `netwark_queues` |
 *
 * @module
 */
import { readFileSync } from "node:fs"
import * as path from "node:path"
import { Queues } from "@netwark/transport"
import { Duration, Either, Redacted } from "effect"
import * as Yaml from "yaml"

/** Everything the server needs to start. */
export interface ServerConfig {
  readonly port: number
  readonly host: string
  /** Absent: embedded PGlite in `dataDir`. */
  readonly databaseUrl?: Redacted.Redacted<string>
  /** Absent: the in-process transport. */
  readonly brokerUrl?: Redacted.Redacted<string>
  readonly dataDir: string
  readonly queues: ReadonlyArray<Queues.QueueConfig>
  readonly namespace?: string
  /** Run a worker inside the server process. */
  readonly localWorker: boolean
  /** Static web console folder, served at `/` when present. */
  readonly webDir?: string
  /** How often the dispatcher and sweeper look for work when not woken up. */
  readonly pollMillis: number
  /** How long a worker gone offline stays listed after it was last heard from (default 24 h). */
  readonly workerRetention?: Duration.Duration
  /**
   * How long an ended operation and its results are kept after it was created; absent: for ever.
   * Operations still pending or running are kept however old.
   */
  readonly operationRetention?: Duration.Duration
  /**
   * How the broker keeps broadcast copies (default persistent): `transient` ones skip its disk,
   * which costs the broker less per worker, and are lost if it restarts while they wait.
   */
  readonly broadcastDelivery?: "persistent" | "transient"
}

/** Why the configuration is unusable (the process exits 2 with this message). */
export class ConfigError extends Error {
  override readonly name = "ConfigError"
}

const nonEmpty = (v: string | undefined): string | undefined =>
  v === undefined || v.trim() === "" ? undefined : v.trim()

const boolean = (name: string, v: string | undefined, fallback: boolean): boolean => {
  const t = nonEmpty(v)?.toLowerCase()
  if (t === undefined) return fallback
  if (["1", "true", "yes", "on"].includes(t)) return true
  if (["0", "false", "no", "off"].includes(t)) return false
  throw new ConfigError(`${name} must be true or false, got ${JSON.stringify(v)}`)
}

const DURATION = /^(\d+(?:\.\d+)?) ?(millis|seconds?|minutes?|hours?|days?|weeks?)$/i

/** A duration such as `24 hours` or `90 minutes` (Effect's units); `undefined` when unset. */
const duration = (name: string, v: string | undefined): Duration.Duration | undefined => {
  const t = nonEmpty(v)
  if (t === undefined) return undefined
  const m = DURATION.exec(t)
  if (m === null)
    throw new ConfigError(
      `${name} must be a duration such as "24 hours" or "90 minutes", got ${JSON.stringify(v)}`,
    )
  const unit = m[2]!.toLowerCase().replace(/s$/, "")
  return Duration.decode(
    `${Number(m[1])} ${unit === "milli" ? "millis" : unit}s` as Duration.DurationInput,
  )
}

/** Read the configuration; throws {@link ConfigError} on a bad value. */
export const fromEnv = (
  env: Readonly<Record<string, string | undefined>> = process.env,
  cwd: string = process.cwd(),
): ServerConfig => {
  let file: Record<string, unknown> = {}
  const configPath = nonEmpty(env["NETWARK_CONFIG"])
  if (configPath !== undefined) {
    let text: string
    try {
      text = readFileSync(path.resolve(cwd, configPath), "utf8")
    } catch (cause) {
      throw new ConfigError(`cannot read NETWARK_CONFIG ${configPath}: ${String(cause)}`)
    }
    const parsed = Queues.parseYaml(text)
    if (Either.isLeft(parsed)) throw new ConfigError(parsed.left.message)
    const doc = Yaml.parse(text) as unknown
    file = typeof doc === "object" && doc !== null ? (doc as Record<string, unknown>) : {}
    file["__queues"] = parsed.right
  }
  const base = (file["__queues"] ?? { queues: [] }) as Queues.Config
  const transport = Queues.fromEnv(env, base)
  if (Either.isLeft(transport)) throw new ConfigError(transport.left.message)
  const databaseText =
    nonEmpty(env["NETWARK_DATABASE_URL"]) ??
    (typeof file["database_url"] === "string" ? nonEmpty(file["database_url"]) : undefined)
  const portText = nonEmpty(env["NETWARK_PORT"]) ?? "6543"
  const port = Number(portText)
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new ConfigError(`NETWARK_PORT must be a port number 0-65535, got ${portText}`)
  const embedded = databaseText === undefined
  const brokerUrl = transport.right.brokerUrl
  const namespace = nonEmpty(env["NETWARK_NAMESPACE"])
  const webDir = nonEmpty(env["NETWARK_WEB_DIR"]) ?? path.resolve(cwd, "packages", "web", "dist")
  const poll = Number(nonEmpty(env["NETWARK_POLL_MS"]) ?? "1000")
  const workerRetention = duration("NETWARK_WORKER_RETENTION", env["NETWARK_WORKER_RETENTION"])
  const operationRetention = duration(
    "NETWARK_OPERATION_RETENTION",
    env["NETWARK_OPERATION_RETENTION"],
  )
  // shorter would delete what a console may still be showing as it ends
  if (operationRetention !== undefined && Duration.lessThan(operationRetention, Duration.hours(1)))
    throw new ConfigError(
      `NETWARK_OPERATION_RETENTION must be at least 1 hour, got ${JSON.stringify(env["NETWARK_OPERATION_RETENTION"])}`,
    )
  const deliveryText = nonEmpty(env["NETWARK_BROADCAST_DELIVERY"])?.toLowerCase()
  if (deliveryText !== undefined && deliveryText !== "persistent" && deliveryText !== "transient")
    throw new ConfigError(
      `NETWARK_BROADCAST_DELIVERY must be persistent or transient, got ${env["NETWARK_BROADCAST_DELIVERY"]}`,
    )
  return {
    port,
    host: nonEmpty(env["NETWARK_HOST"]) ?? (embedded ? "127.0.0.1" : "0.0.0.0"),
    ...(databaseText === undefined ? {} : { databaseUrl: Redacted.make(databaseText) }),
    ...(brokerUrl === undefined ? {} : { brokerUrl }),
    dataDir: path.resolve(cwd, nonEmpty(env["NETWARK_DATA_DIR"]) ?? ".netwark-data"),
    queues: transport.right.queues,
    ...(namespace === undefined ? {} : { namespace }),
    localWorker: boolean(
      "NETWARK_LOCAL_WORKER",
      env["NETWARK_LOCAL_WORKER"],
      brokerUrl === undefined,
    ),
    webDir: path.resolve(cwd, webDir),
    pollMillis: Number.isFinite(poll) && poll >= 10 ? poll : 1000,
    ...(workerRetention === undefined ? {} : { workerRetention }),
    ...(operationRetention === undefined ? {} : { operationRetention }),
    ...(deliveryText === undefined ? {} : { broadcastDelivery: deliveryText }),
  }
}
