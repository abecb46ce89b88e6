import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * Outbox entries are claimed with a lease instead of being held in a transaction while they are
 * published, so a slow broker never holds locks that results (or other dispatchers) wait for.
 */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`ALTER TABLE outbox ADD COLUMN claimed_until timestamptz`
})
