/**
 * Every Effect service the server runs on, as one layer: the database (migrated), the transport
 * (RabbitMQ or in-process), the worker registry, the live event hub, metrics, and the background
 * fibers (outbox dispatcher, result collector, deadline sweeper, table maintenance, operation
 * retention when configured, presence warnings, and the local worker when on).
 *
 * @module
 */
import { createRequire } from "node:module"
import { hostname } from "node:os"
import type { SqlClient } from "@effect/sql"
import type { PgClient } from "@effect/sql-pg"
import {
  InProcess,
  Queues,
  RabbitMq,
  Registry,
  Transport,
  type TransportError,
} from "@netwark/transport"
import { Jobs, Worker } from "@netwark/worker"
import { Duration, Effect, Layer } from "effect"
import type { ServerConfig } from "./config.js"
import * as Database from "./db/database.js"
import * as Maintenance from "./db/maintenance.js"
import * as Metrics from "./health/metrics.js"
import * as Collector from "./operations/collector.js"
import * as Dispatcher from "./operations/dispatcher.js"
import * as Events from "./operations/events.js"
import * as Retention from "./operations/retention.js"
import * as Sweeper from "./operations/sweeper.js"
import * as Writer from "./operations/writer.js"
import * as WorkerPresence from "./workers/presence.js"

/** The services Nest providers can use through `EffectRuntime`. */
export type AppServices =
  | SqlClient.SqlClient
  | PgClient.PgClient
  | Transport.Transport
  | Registry.Registry
  | Events.Events
  | Metrics.Metrics
  | Writer.Writer

/** The transport this configuration asks for. */
export const transportLayer = (config: ServerConfig): Layer.Layer<Transport.Transport, unknown> => {
  const common = {
    queues: config.queues,
    ...(config.namespace === undefined ? {} : { namespace: config.namespace }),
    // the worker's list, as its transport has it: a direct job of one of these types travels a
    // queue of its type, which only the workers that run the type consume
    jobTypes: Jobs.types,
    // the outbox retries: a publish need not wait long for the broker to come back
    publishTimeout: Duration.seconds(5),
  }
  return config.brokerUrl === undefined
    ? InProcess.layer(common)
    : RabbitMq.layer({
        ...common,
        url: config.brokerUrl,
        connectionName: "netwark-server",
        ...(config.broadcastDelivery === undefined
          ? {}
          : { broadcastDelivery: config.broadcastDelivery }),
      })
}

/** The worker that runs inside the server (embedded mode). */
export const localWorkerLayer = (
  config: ServerConfig,
): Layer.Layer<never, TransportError.TransportError, Transport.Transport> =>
  Worker.layer({
    id: `local-${hostname().replace(/[^a-zA-Z0-9\-_.:]/g, "-")}`.slice(0, 128),
    queues: [Queues.direct, Queues.broadcast, ...config.queues.map((q) => q.queue)],
    locations: ["local"],
    // it ships inside the server: without it GET /workers (and the console) said 0.0.0
    version: (createRequire(import.meta.url)("../package.json") as { version: string }).version,
    concurrency: 8,
    shutdownGrace: Duration.seconds(5),
  })

/** The whole server as one layer. */
export const layer = (config: ServerConfig): Layer.Layer<AppServices, unknown> => {
  const poll = Duration.millis(config.pollMillis)
  const infra = Layer.mergeAll(
    Database.layer(config),
    transportLayer(config),
    Events.layer,
    Metrics.layer,
  )
  // the presence warnings ride on the registry's subscription
  const registry = Layer.unwrapEffect(
    Effect.map(Transport.Transport, (transport) =>
      Registry.layerWith({
        retention: config.workerRetention ?? Registry.defaultRetention,
        observe: WorkerPresence.warnings(transport.targets),
      }),
    ),
  )
  // the writer plans what it stores from the registry
  const withRegistry = Layer.provideMerge(Layer.provideMerge(Writer.layer, registry), infra)
  const background = Layer.mergeAll(
    // the in-process queue died with the last process: what it held is sent again
    Dispatcher.layer({ poll, requeueOrphans: config.brokerUrl === undefined }),
    // on the in-process transport a result not stored as the server stops is lost
    Collector.layer(config.queues, { drainOnStop: config.brokerUrl === undefined }),
    Sweeper.layer(poll),
    // statistics and vacuum where autovacuum does not run (PGlite, autovacuum = off)
    Maintenance.layer(),
    config.operationRetention === undefined
      ? Layer.empty
      : Retention.layer(config.operationRetention),
  )
  // the local worker starts after the collector and stops before it: the jobs it finishes while
  // it stops (Ctrl-C during a ping) are stored, not lost with the in-process queue
  const withWorker = config.localWorker
    ? Layer.provideMerge(localWorkerLayer(config), background)
    : background
  return Layer.provideMerge(withWorker, withRegistry)
}
