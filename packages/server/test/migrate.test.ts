import pg from "pg"
import { describe, expect, it } from "vitest"
import { migrate } from "../src/db/database.js"
import { createDatabase, redacted, testConfig } from "./support/env.js"

describe("migrate", () => {
  it("applies the versioned migrations once, also when replicas race", async () => {
    const db = await createDatabase()
    try {
      const config = testConfig({ databaseUrl: redacted(db.url) })
      const [a, b] = await Promise.all([migrate(config), migrate(config)])
      expect([...a, ...b]).toEqual([
        [1, "init"],
        [2, "outbox_claim"],
        [3, "result_error_reason"],
        [4, "results_cascade"],
        [5, "children_cascade"],
        [6, "results_lz4"],
        [7, "outbox_sent_index"],
        [8, "cascade_unsent_outbox"],
      ])
      expect(await migrate(config)).toEqual([])
      const client = new pg.Client({ connectionString: db.url })
      await client.connect()
      const tables = await client.query(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
      )
      // results compress with LZ4 where the server has it (0006): this machine's PostgreSQL does
      const compression = await client.query(
        `SELECT attname, attcompression FROM pg_attribute
         WHERE attrelid = 'results'::regclass AND attname IN ('data', 'raw') ORDER BY attname`,
      )
      await client.end()
      expect(compression.rows).toEqual([
        { attname: "data", attcompression: "l" },
        { attname: "raw", attcompression: "l" },
      ])
      expect(tables.rows.map((r: { tablename: string }) => r.tablename)).toEqual([
        "jobs",
        "netwark_migrations",
        "operations",
        "outbox",
        "results",
      ])
    } finally {
      await db.drop()
    }
  })
})
