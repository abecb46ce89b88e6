/**
 * Every Effect service the server runs on, as one layer: the database (migrated), the transport
 * (RabbitMQ or in-process), the worker registry, the live event hub, and the background fibers
 * (outbox dispatcher, result collector, deadline sweeper, and the local worker when enabled).
 *
 * @module
 */
import type { SqlClient } from "@effect/sql"
import type { PgClient } from "@effect/sql-pg"
import { InProcess, RabbitMq, Registry, Transport } from "@netwark/transport"
import { Layer } from "effect"
import type { ServerConfig } from "./config.js"
import * as Database from "./db/database.js"

/** The services Nest providers can use through `EffectRuntime`. */
export type AppServices =
  SqlClient.SqlClient | PgClient.PgClient | Transport.Transport | Registry.Registry

/** The transport this configuration asks for. */
export const transportLayer = (config: ServerConfig): Layer.Layer<Transport.Transport, unknown> => {
  const common = {
    queues: config.queues,
    ...(config.namespace === undefined ? {} : { namespace: config.namespace }),
  }
  return config.brokerUrl === undefined
    ? InProcess.layer(common)
    : RabbitMq.layer({ ...common, url: config.brokerUrl, connectionName: "netwark-server" })
}

/** The whole server as one layer. */
export const layer = (config: ServerConfig): Layer.Layer<AppServices, unknown> => {
  const transport = transportLayer(config)
  const registry = Layer.provideMerge(Registry.layer, transport)
  return Layer.mergeAll(Database.layer(config), registry)
}
