/**
 * Shapes of the workers and queues endpoints.
 *
 * @module
 */
import { Schema } from "effect"

/** A worker online now or heard from within the retention period, as it announced itself. */
export const WorkerView = Schema.Struct({
  id: Schema.String,
  hostname: Schema.String,
  version: Schema.String,
  queues: Schema.Array(Schema.String),
  locations: Schema.Array(Schema.String),
  capabilities: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
  jobTypes: Schema.NullOr(Schema.Array(Schema.String)).annotations({
    description:
      "The job types the worker's transport routes to queues of their own on direct queues (`netwark/<type>`), as it announced them; it consumes those it runs. A type this server routes so that the list lacks never reaches the worker (the server logs a warning). null: not announced (workers of earlier versions).",
  }),
  concurrency: Schema.NullOr(Schema.Int),
  status: Schema.Literal("online", "offline").annotations({
    description:
      "online: heartbeats arriving; offline: said goodbye or missed its heartbeats (kept for NETWARK_WORKER_RETENTION after lastSeen, 24 h by default). Operations only go to online workers.",
  }),
  lastSeen: Schema.String.annotations({
    // As JSON Schema too (a plain `format` annotation is not carried into the document).
    jsonSchema: {
      type: "string",
      format: "date-time",
      description: "When the server last heard from the worker (hello, heartbeat or goodbye)",
    },
  }),
}).annotations({ identifier: "Worker" })
/** A worker online now or recently. */
export type WorkerView = typeof WorkerView.Type

/** `GET /workers`. */
export const WorkerList = Schema.Struct({
  items: Schema.Array(WorkerView),
  total: Schema.Int.annotations({ description: "Workers listed, online and offline" }),
  online: Schema.Int.annotations({ description: "Workers online now" }),
}).annotations({ identifier: "WorkerList" })
/** `GET /workers`. */
export type WorkerList = typeof WorkerList.Type

/** A queue operations can target. */
export const QueueView = Schema.Struct({
  queue: Schema.String,
  name: Schema.String,
  location: Schema.NullOr(Schema.String),
  broadcast: Schema.Boolean.annotations({ description: "Every worker of the queue answers" }),
  builtin: Schema.Boolean,
  latitude: Schema.NullOr(Schema.Number),
  longitude: Schema.NullOr(Schema.Number),
  workers: Schema.Array(Schema.Struct({ id: Schema.String, hostname: Schema.String })),
}).annotations({ identifier: "Queue" })
/** A queue operations can target. */
export type QueueView = typeof QueueView.Type

/** `GET /management/backend/queues`. */
export const QueueList = Schema.Struct({ items: Schema.Array(QueueView) }).annotations({
  identifier: "QueueList",
})
/** `GET /management/backend/queues`. */
export type QueueList = typeof QueueList.Type
