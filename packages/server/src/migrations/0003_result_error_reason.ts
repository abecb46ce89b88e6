import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * A failed result keeps the worker's reason (e.g. `InvalidTarget`, `Timeout`) and the input field
 * it names, not only the message, so that clients can tell a bad input from a broken tool.
 */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`ALTER TABLE results ADD COLUMN error_reason text, ADD COLUMN error_field text`
})
