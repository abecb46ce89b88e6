import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * Sent outbox entries by when they were sent, for the sweeper's clean-up of those sent over ten
 * minutes ago. It read the whole outbox every round to find them, ten minutes of operations
 * (1.2 million rows at 2,000 a second), most rounds to find none.
 */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE INDEX outbox_sent_idx ON outbox (sent_at) WHERE sent_at IS NOT NULL`
})
