/**
 * Operation retention (`NETWARK_OPERATION_RETENTION`): ended operations older than it are deleted
 * with their results, in batches, by one replica at a time. Without it everything is kept.
 *
 * @module
 */
import type { SqlClient } from "@effect/sql"
import { Cause, Duration, Effect, Layer } from "effect"
import { Metrics } from "../health/metrics.js"
import * as Repository from "./operations.repository.js"

/**
 * Operations deleted by one statement. With a broadcast's 100 results each, a batch is ~50,000
 * rows: short enough that the embedded database's one connection serves requests between batches.
 */
const batch = 500

/** The retention loop as a layer: a round every `every`, deleting batches while they come back full. */
export const layer = (
  retention: Duration.Duration,
  every: Duration.DurationInput = Duration.minutes(1),
): Layer.Layer<never, never, SqlClient.SqlClient | Metrics> =>
  Layer.scopedDiscard(
    Effect.gen(function* () {
      const metrics = yield* Metrics
      const millis = Duration.toMillis(retention)
      // a batch not full: nothing more is due now (or another replica holds the lock)
      const round = Repository.whileFull(
        Effect.tap(Repository.expire(millis, batch), (n) => {
          metrics.operationsExpired += n
        }),
        batch,
      ).pipe(
        Effect.flatMap((deleted) =>
          deleted === 0 ? Effect.void : Effect.logInfo(`retention: deleted ${deleted} operations`),
        ),
      )
      yield* Effect.logInfo(
        `operations: ended operations are deleted ${Duration.format(retention)} after they were created (NETWARK_OPERATION_RETENTION)`,
      )
      yield* Effect.forkScoped(
        Effect.forever(
          Effect.zipRight(
            round.pipe(
              Effect.catchAllCause((cause) =>
                Effect.logWarning("retention: round failed", String(Cause.squash(cause))),
              ),
            ),
            Effect.sleep(Duration.decode(every)),
          ),
        ),
      )
    }),
  )
