import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * Jobs and outbox entries keep to existing operations without a per-row foreign key check, as
 * results do since 0004. Both are written in the statement that stores their operation (or, for
 * jobs, one that locks it first), so the checks never failed; they cost two queries per operation,
 * each planned afresh under the pool's `force_custom_plan` (which reaches the checks' own saved
 * plans): ~110-170 µs of the database's ~500 µs per operation at 64 clients. Deleting operations
 * still deletes their jobs, outbox entries and results, from 0004's statement-level trigger.
 */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`ALTER TABLE jobs DROP CONSTRAINT jobs_operation_id_fkey`
  yield* sql`ALTER TABLE outbox DROP CONSTRAINT outbox_operation_id_fkey`
  // 0004's function and trigger, named for what they delete now
  yield* sql`ALTER FUNCTION netwark_results_cascade() RENAME TO netwark_operations_cascade`
  yield* sql`ALTER TRIGGER operations_results_cascade ON operations RENAME TO operations_cascade`
  yield* sql`
    CREATE OR REPLACE FUNCTION netwark_operations_cascade() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      DELETE FROM results WHERE operation_id IN (SELECT id FROM gone);
      DELETE FROM jobs WHERE operation_id IN (SELECT id FROM gone);
      DELETE FROM outbox WHERE operation_id IN (SELECT id FROM gone);
      RETURN NULL;
    END $$`
})
