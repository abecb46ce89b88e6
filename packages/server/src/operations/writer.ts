/**
 * The write side of `POST /operations`: new operations are stored in batches (one statement for
 * all the requests that arrive together; see `db/batcher`).
 *
 * @module
 */
import type { SqlClient, SqlError } from "@effect/sql"
import { Context, Effect, Layer } from "effect"
import * as Batcher from "../db/batcher.js"
import type { Operation } from "./operations.dto.js"
import * as Repository from "./operations.repository.js"

/** Stores new operations with their outbox entries. */
export class Writer extends Context.Tag("@netwark/server/Writer")<
  Writer,
  {
    readonly insert: (op: Repository.NewOperation) => Effect.Effect<Operation, SqlError.SqlError>
  }
>() {}

/** The writer over the database: up to 256 operations per statement, 4 statements at once. */
export const layer: Layer.Layer<Writer, never, SqlClient.SqlClient> = Layer.effect(
  Writer,
  Effect.map(Batcher.make(Repository.insertMany, { maxBatch: 256, maxInFlight: 4 }), (insert) => ({
    insert,
  })),
)
