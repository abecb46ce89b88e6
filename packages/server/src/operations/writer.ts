/**
 * The write side of `POST /operations`: new operations are stored in batches (one statement for
 * all the requests that arrive together; see `db/batcher`), their outbox entries claimed for this
 * replica and handed to its dispatcher in memory. The claim is the outbox's usual lease: should
 * this process die before publishing, another replica takes them when it runs out. They are
 * planned here too, from the registry as it is now (what the dispatcher would do a moment later),
 * so that the dispatcher publishes them without a statement of its own first.
 *
 * @module
 */
import type { SqlClient } from "@effect/sql"
import { Registry, Transport } from "@netwark/transport"
import { Context, Effect, Layer } from "effect"
import * as Batcher from "../db/batcher.js"
import { planner } from "./planner.js"
import { Events } from "./events.js"
import type { Operation } from "./operations.dto.js"
import * as Repository from "./operations.repository.js"

/** Stores new operations with their outbox entries. */
export class Writer extends Context.Tag("@netwark/server/Writer")<
  Writer,
  {
    /**
     * Store a new operation with the others of its turn; for the `POST /operations` handler,
     * without a fiber of its own. Rejects with the `SqlError`.
     */
    readonly submit: (op: Repository.NewOperation) => Promise<Operation>
  }
>() {}

/**
 * The writer over the database: up to 256 operations per statement, one statement at a time, so
 * that the requests arriving while one runs go together in the next. On two cores a statement's
 * fixed cost outweighs that wait: with 64 clients the machine's CPU per operation fell by 10-13 %
 * on average against four at once, and the 202's latency did not grow (server README, session 24).
 */
export const layer: Layer.Layer<
  Writer,
  never,
  SqlClient.SqlClient | Events | Transport.Transport | Registry.Registry
> = Layer.effect(
  Writer,
  Effect.gen(function* () {
    const events = yield* Events
    const transport = yield* Transport.Transport
    const registry = yield* Registry.Registry
    const insertMany = (ops: ReadonlyArray<Repository.NewOperation>) =>
      Effect.flatMap(registry.online, (online) =>
        Effect.tap(
          Repository.insertMany(ops, { claim: true, plan: planner(transport.targets, online) }),
          (rows) => events.handOver(rows.map((r) => r.pending)),
        ),
      )
    const insert = yield* Batcher.make(insertMany, { maxBatch: 256, maxInFlight: 1 })
    return { submit: (op: Repository.NewOperation) => insert(op).then((r) => r.operation) }
  }),
)
