import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * Results keep to existing operations without a per-row foreign key check. The check ran once per
 * inserted row (100 for a broadcast to 100 workers: ~1.5 of the batch statement's 3.4 ms), all on
 * the same operation. The result batch now takes that operation's key-share lock itself, once, as
 * the check did (`storeResults`), and deleting operations still deletes their results: one
 * statement-level trigger replaces the cascade.
 */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`ALTER TABLE results DROP CONSTRAINT results_operation_id_fkey`
  yield* sql`
    CREATE FUNCTION netwark_results_cascade() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      DELETE FROM results WHERE operation_id IN (SELECT id FROM gone);
      RETURN NULL;
    END $$`
  yield* sql`
    CREATE TRIGGER operations_results_cascade AFTER DELETE ON operations
      REFERENCING OLD TABLE AS gone FOR EACH STATEMENT
      EXECUTE FUNCTION netwark_results_cascade()`
})
