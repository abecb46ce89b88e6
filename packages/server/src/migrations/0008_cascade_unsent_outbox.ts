import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * Deleting operations deletes their unsent outbox entries only, which the unsent index finds. Sent
 * entries have no index by operation: 0005's trigger read the whole outbox at every delete (ten
 * minutes of operations: 220 ms for 500 operations beside 1.75 million entries), and the
 * sweeper deletes sent entries ten minutes after they were sent anyway.
 */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`
    CREATE OR REPLACE FUNCTION netwark_operations_cascade() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      DELETE FROM results WHERE operation_id IN (SELECT id FROM gone);
      DELETE FROM jobs WHERE operation_id IN (SELECT id FROM gone);
      DELETE FROM outbox WHERE sent_at IS NULL AND operation_id IN (SELECT id FROM gone);
      RETURN NULL;
    END $$`
})
