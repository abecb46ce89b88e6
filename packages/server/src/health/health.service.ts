import { connect } from "node:net"
import { SqlClient } from "@effect/sql"
import { Inject, Injectable } from "@nestjs/common"
import { Duration, Effect, Redacted } from "effect"
import type { ServerConfig } from "../config.js"
import { EffectRuntime } from "../core/runtime.js"
import { SERVER_CONFIG } from "../core/tokens.js"
import type { AppServices } from "../server.layer.js"

/** One dependency's state. */
export interface Check {
  readonly status: "up" | "down"
  readonly kind: string
  readonly latencyMs: number
  readonly error?: string
}

/** What `GET /health` answers. */
export interface HealthReport {
  readonly status: "ok" | "degraded"
  readonly database: Check
  readonly broker: Check
}

const timed = async (kind: string, probe: () => Promise<void>): Promise<Check> => {
  const started = performance.now()
  try {
    await probe()
    return { status: "up", kind, latencyMs: Math.round(performance.now() - started) }
  } catch (error) {
    return {
      status: "down",
      kind,
      latencyMs: Math.round(performance.now() - started),
      error: error instanceof Error ? error.message : String(error),
    }
  }
}

/**
 * Whether RabbitMQ answers the AMQP 0-9-1 protocol header with a frame: a stopped broker app
 * (`rabbitmqctl stop_app`) closes its listener, so this fails fast.
 */
const amqpProbe = (url: string, timeoutMs: number): Promise<void> =>
  new Promise((resolve, reject) => {
    const parsed = new URL(url)
    const port =
      parsed.port === "" ? (parsed.protocol === "amqps:" ? 5671 : 5672) : Number(parsed.port)
    const socket = connect({ host: parsed.hostname, port })
    const done = (error?: Error) => {
      clearTimeout(timer)
      socket.destroy()
      if (error) reject(error)
      else resolve()
    }
    const timer = setTimeout(() => done(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)
    socket.once("error", (e) => done(e))
    socket.once("connect", () => socket.write(Buffer.from("AMQP\x00\x00\x09\x01", "latin1")))
    socket.once("data", () => done())
    socket.once("close", () => done(new Error("connection closed by the broker")))
  })

/** Checks the database and the broker. */
@Injectable()
export class HealthService {
  constructor(
    @Inject(EffectRuntime) private readonly runtime: EffectRuntime<AppServices>,
    @Inject(SERVER_CONFIG) private readonly config: ServerConfig,
  ) {}

  async check(): Promise<HealthReport> {
    const embedded = this.config.databaseUrl === undefined
    const database = timed(embedded ? "pglite" : "postgresql", () =>
      this.runtime.run(
        Effect.flatMap(SqlClient.SqlClient, (sql) => sql`SELECT 1`).pipe(
          Effect.timeoutFail({
            duration: Duration.seconds(2),
            onTimeout: () => new Error("no answer within 2000 ms"),
          }),
          Effect.asVoid,
        ),
      ),
    )
    const url = this.config.brokerUrl
    const broker =
      url === undefined
        ? Promise.resolve<Check>({ status: "up", kind: "in-process", latencyMs: 0 })
        : timed("rabbitmq", () => amqpProbe(Redacted.value(url), 2000))
    const [db, mq] = await Promise.all([database, broker])
    return {
      status: db.status === "up" && mq.status === "up" ? "ok" : "degraded",
      database: db,
      broker: mq,
    }
  }
}
