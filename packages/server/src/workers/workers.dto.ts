/**
 * Shapes of the workers and queues endpoints.
 *
 * @module
 */
import { Schema } from "effect"

/** A worker online now, as it announced itself. */
export const WorkerView = Schema.Struct({
  id: Schema.String,
  hostname: Schema.String,
  version: Schema.String,
  queues: Schema.Array(Schema.String),
  locations: Schema.Array(Schema.String),
  capabilities: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
  concurrency: Schema.NullOr(Schema.Int),
}).annotations({ identifier: "Worker" })
/** A worker online now. */
export type WorkerView = typeof WorkerView.Type

/** `GET /workers`. */
export const WorkerList = Schema.Struct({
  items: Schema.Array(WorkerView),
  total: Schema.Int,
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
