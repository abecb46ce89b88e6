/**
 * A `pg` pool whose connections keep each parameterised statement prepared. `@effect/sql-pg`
 * sends every statement unnamed, so PostgreSQL parses and plans it at every execution: for a
 * 100-worker broadcast that was ~2.6 ms of the database's time per operation (the result batch
 * alone 0.9 ms), on the operation's critical path, besides the statement texts (a few KB each)
 * written to the socket every time. Named, a statement is parsed once per connection, and
 * PostgreSQL may keep its plan.
 *
 * Only statements with parameters are named: a text without them may hold several statements
 * (migrations), which the extended protocol refuses. The names come from one table for the
 * process, so a name means the same text on every connection; past `maxStatements` distinct
 * texts (SQL built with a varying shape), the rest go unnamed rather than fill each backend.
 *
 * Each connection plans every execution with its parameters (`plan_cache_mode =
 * force_custom_plan`): a generic plan, chosen once the first five runs cost little, is kept while
 * the tables grow, and where statistics are missing (autovacuum off) it went on scanning them —
 * the result batch's went from 2.7 to 7.6 ms over 1,000 broadcasts, reading every result stored.
 * Planning costs ~0.3 ms for the largest statement; parsing it costs 0.7.
 *
 * @module
 */
import type { SqlClient } from "@effect/sql"
import { SqlError } from "@effect/sql/SqlError"
import { PgClient } from "@effect/sql-pg"
import { Duration, Effect, Layer, Redacted } from "effect"
import pg from "pg"

/** Most distinct statement texts kept prepared. */
const maxStatements = 512

const names = new Map<string, string>()

/** The name of a statement text, or undefined once the table is full. */
const nameOf = (text: string): string | undefined => {
  let name = names.get(text)
  if (name === undefined && names.size < maxStatements) {
    name = `netwark_${names.size}`
    names.set(text, name)
  }
  return name
}

type Callback = (err: Error | null, result: pg.QueryResult) => void

/** A connection that names what it prepares (see the module's comment). */
class PreparingClient extends pg.Client {
  // @effect/sql-pg calls query(text, params, callback); every other form passes through
  override query(...args: Array<unknown>): never {
    const [text, values, callback] = args
    const name =
      typeof text === "string" &&
      Array.isArray(values) &&
      values.length > 0 &&
      typeof callback === "function"
        ? nameOf(text)
        : undefined
    const query = super.query as (...a: Array<unknown>) => never
    return name === undefined
      ? query.apply(this, args)
      : query.call(this, { name, text, values }, callback as Callback)
  }
}

/**
 * Preparing connections whose connection attempt (TCP, start-up, authentication) fails after
 * `millis`: a host that takes the connection and never answers (a hung server, a port that is not
 * PostgreSQL's) held the attempt, and the pool ending on it, for minutes. Set on the connections
 * only: the same option on the pool would also bound the wait for a free connection under load.
 */
const timingOut = (millis: number) =>
  class extends PreparingClient {
    constructor(config?: pg.ClientConfig) {
      super({ ...config, connectionTimeoutMillis: millis })
    }
  }

/** What the pool is made with (the subset of `PgClient.layer`'s options the server uses). */
export interface Options {
  readonly url: Redacted.Redacted
  readonly maxConnections: number
  readonly minConnections?: number
  readonly applicationName: string
  readonly connectTimeout?: Duration.DurationInput
}

/**
 * `PgClient.layer` on a pool of preparing connections: checked with `SELECT 1` at start (failing
 * like `PgClient.layer` when the database cannot be reached), ended with the layer.
 */
export const layer = (
  options: Options,
): Layer.Layer<PgClient.PgClient | SqlClient.SqlClient, SqlError> => {
  const connectTimeout = Duration.decode(options.connectTimeout ?? "5 seconds")
  return PgClient.layerFromPool({
    applicationName: options.applicationName,
    acquire: Effect.acquireRelease(
      Effect.suspend(() => {
        const pool = new pg.Pool({
          connectionString: Redacted.value(options.url),
          max: options.maxConnections,
          ...(options.minConnections === undefined ? {} : { min: options.minConnections }),
          application_name: options.applicationName,
          Client: timingOut(Duration.toMillis(connectTimeout)),
          // before the connection is handed out (see the module note); a SET rather than the
          // start-up `options`, which PgBouncer refuses, and ignored where it fails
          onConnect: (client: pg.ClientBase) =>
            client.query("SET plan_cache_mode = force_custom_plan").then(
              () => undefined,
              () => undefined,
            ),
        })
        // a connection that breaks while idle is dropped by the pool; queries report their own
        pool.on("error", () => {})
        return Effect.tryPromise({
          try: () => pool.query("SELECT 1"),
          catch: (cause) => new SqlError({ cause, message: "PgClient: Failed to connect" }),
        }).pipe(
          Effect.timeoutFail({
            duration: connectTimeout,
            onTimeout: () =>
              new SqlError({
                cause: new Error("Connection timed out"),
                message: "PgClient: Connection timed out",
              }),
          }),
          Effect.as(pool),
          Effect.tapError(() =>
            Effect.promise(() => pool.end().catch(() => {})).pipe(
              Effect.timeoutOption(Duration.seconds(1)),
            ),
          ),
        )
      }),
      (pool) =>
        Effect.promise(() => pool.end()).pipe(
          Effect.interruptible,
          Effect.timeoutOption(Duration.seconds(1)),
        ),
    ),
  })
}
