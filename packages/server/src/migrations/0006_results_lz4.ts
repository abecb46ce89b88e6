import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * A result's parsed data and raw output are compressed with LZ4 rather than PostgreSQL's default
 * pglz once its row passes ~2 KB (a ping of five replies does): storing 100 ping results cost the
 * database 12.2-13.5 ms with pglz and 10.4-10.5 with LZ4 (recorded rows replayed), the data
 * compressing about as well (567 bytes against 512). A server built without LZ4 (PGlite, or a
 * PostgreSQL built without it) keeps pglz: the migration passes over `feature_not_supported`.
 * Only rows written afterwards change; older ones stay readable as they are.
 */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`
    DO $$
    BEGIN
      ALTER TABLE results ALTER COLUMN data SET COMPRESSION lz4,
                          ALTER COLUMN raw SET COMPRESSION lz4;
    EXCEPTION WHEN feature_not_supported THEN
      NULL;
    END $$`
})
