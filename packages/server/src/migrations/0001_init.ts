import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * The first schema: operations, their jobs with the workers expected at dispatch, one result per
 * (operation, job, worker slot), and the outbox the dispatcher drains.
 */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`
    CREATE TABLE operations (
      id uuid PRIMARY KEY,
      type text NOT NULL,
      target text NOT NULL,
      options jsonb NOT NULL DEFAULT '{}'::jsonb,
      queues text[] NOT NULL,
      status text NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'running', 'done', 'partial', 'error', 'timeout')),
      expected integer,
      timeout_ms integer NOT NULL,
      created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      dispatched_at timestamptz,
      deadline timestamptz,
      finished_at timestamptz,
      error text
    )`
  // keyset pagination is on (created_at, id) descending; one index per list filter
  yield* sql`CREATE INDEX operations_created_idx ON operations (created_at DESC, id DESC)`
  yield* sql`CREATE INDEX operations_status_idx ON operations (status, created_at DESC, id DESC)`
  yield* sql`CREATE INDEX operations_type_idx ON operations (type, created_at DESC, id DESC)`
  yield* sql`CREATE INDEX operations_target_idx ON operations (target, created_at DESC, id DESC)`
  yield* sql`CREATE INDEX operations_queues_idx ON operations USING gin (queues)`
  yield* sql`
    CREATE INDEX operations_deadline_idx ON operations (deadline)
      WHERE status IN ('pending', 'running')`
  yield* sql`
    CREATE TABLE jobs (
      operation_id uuid NOT NULL REFERENCES operations (id) ON DELETE CASCADE,
      job_id text NOT NULL,
      queue text NOT NULL,
      mode text NOT NULL CHECK (mode IN ('one', 'each')),
      expected integer NOT NULL,
      expected_workers jsonb NOT NULL DEFAULT '[]'::jsonb,
      PRIMARY KEY (operation_id, job_id)
    )`
  // worker_slot is the worker id on a broadcast ('each') job and '*' on a direct ('one') job, so
  // a direct job redelivered to another worker still keeps exactly one result
  yield* sql`
    CREATE TABLE results (
      operation_id uuid NOT NULL REFERENCES operations (id) ON DELETE CASCADE,
      job_id text NOT NULL,
      worker_slot text NOT NULL,
      worker_id text NOT NULL,
      hostname text,
      queue text NOT NULL,
      location text,
      mode text NOT NULL,
      attempt integer NOT NULL,
      status text NOT NULL,
      started_at timestamptz NOT NULL,
      finished_at timestamptz NOT NULL,
      received_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      data jsonb,
      raw text,
      error text,
      PRIMARY KEY (operation_id, job_id, worker_slot)
    )`
  yield* sql`
    CREATE TABLE outbox (
      id bigserial PRIMARY KEY,
      operation_id uuid NOT NULL REFERENCES operations (id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      sent_at timestamptz,
      attempts integer NOT NULL DEFAULT 0,
      last_error text
    )`
  yield* sql`CREATE INDEX outbox_unsent_idx ON outbox (id) WHERE sent_at IS NULL`
})
