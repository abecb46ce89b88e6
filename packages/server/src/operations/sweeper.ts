/**
 * The deadline sweeper: ends running operations past their deadline. Every replica runs one; a
 * PostgreSQL advisory lock lets one of them work per round.
 *
 * @module
 */
import type { SqlClient } from "@effect/sql"
import { Cause, Duration, Effect, Layer } from "effect"
import { Metrics, settled as countSettled } from "../health/metrics.js"
import { Events } from "./events.js"
import * as Repository from "./operations.repository.js"

/** The sweeper loop as a layer. */
export const layer = (
  every: Duration.DurationInput,
): Layer.Layer<never, never, SqlClient.SqlClient | Events | Metrics> =>
  Layer.scopedDiscard(
    Effect.gen(function* () {
      const events = yield* Events
      const metrics = yield* Metrics
      const round = Repository.sweep().pipe(
        Effect.tap((ended) => {
          countSettled(metrics, ended)
          return events.publishAll(
            ended.map((e) => ({
              kind: "status" as const,
              operationId: e.id,
              status: e.status,
              ...("received" in e ? { received: e.received } : {}),
            })),
          )
        }),
        Effect.catchAllCause((cause) =>
          Effect.logWarning("sweeper: round failed", String(Cause.squash(cause))),
        ),
      )
      yield* Effect.forkScoped(
        Effect.forever(Effect.zipRight(round, Effect.sleep(Duration.decode(every)))),
      )
    }),
  )
