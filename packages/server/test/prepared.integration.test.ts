import { SqlClient } from "@effect/sql"
import { Effect, Redacted } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as Prepared from "../src/db/prepared.js"
import { createDatabase } from "./support/env.js"

describe("prepared statements", () => {
  let db: Awaited<ReturnType<typeof createDatabase>>
  beforeAll(async () => {
    db = await createDatabase()
  })
  afterAll(() => db.drop())

  const run = <A, E>(effect: Effect.Effect<A, E, SqlClient.SqlClient>, url = db.url) =>
    Effect.runPromise(
      Effect.provide(
        effect,
        Prepared.layer({ url: Redacted.make(url), maxConnections: 1, applicationName: "t" }),
      ),
    )

  it("prepares a parameterised statement once per connection, and runs it each time", async () => {
    const out = await run(
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const values: Array<number> = []
        for (let i = 0; i < 7; i++) {
          const [row] = yield* sql<{ x: number }>`SELECT ${i}::int + 1 AS x`
          values.push(row!.x)
        }
        const prepared = yield* sql<{ statement: string }>`
          SELECT statement FROM pg_prepared_statements WHERE statement LIKE '%::int + 1 AS x'`
          .unprepared
        return { values, prepared: prepared.map((p) => p.statement) }
      }),
    )
    expect(out.values).toEqual([1, 2, 3, 4, 5, 6, 7])
    expect(out.prepared).toEqual(["SELECT $1::int + 1 AS x"])
  })

  it("plans each execution with its parameters, never with a generic plan cached while the table was empty", async () => {
    const out = await run(
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const [mode] = yield* sql<{ plan_cache_mode: string }>`SHOW plan_cache_mode`.unprepared
        yield* sql`CREATE TABLE grows (id int PRIMARY KEY, v text)`.unprepared
        // more than the five runs after which a cheap generic plan is kept
        for (let i = 0; i < 8; i++) yield* sql`SELECT v FROM grows WHERE id = ${i}`
        const [plans] = yield* sql<{ generic_plans: string; custom_plans: string }>`
          SELECT generic_plans, custom_plans FROM pg_prepared_statements
          WHERE statement LIKE '%FROM grows WHERE id = $1'`.unprepared
        return { mode: mode?.plan_cache_mode, plans }
      }),
    )
    expect(out.mode).toBe("force_custom_plan")
    expect(out.plans).toEqual({ generic_plans: "0", custom_plans: "8" })
  })

  it("runs a text of several statements without parameters (migrations) unnamed", async () => {
    const rows = await run(
      Effect.flatMap(SqlClient.SqlClient, (sql) =>
        sql.unsafe(
          "CREATE TABLE t (a int); INSERT INTO t VALUES (1), (2); SELECT sum(a) AS s FROM t",
        ),
      ),
    )
    expect(JSON.stringify(rows)).toContain('"s":"3"')
  })

  it("fails with an SqlError when the database cannot be reached", async () => {
    const error = await run(
      Effect.flip(Effect.flatMap(SqlClient.SqlClient, (sql) => sql`SELECT ${1}::int`)),
      "postgres://postgres@127.0.0.1:1/none",
    ).catch((e: unknown) => e)
    expect(String(error)).toMatch(/Failed to connect|ECONNREFUSED/)
  })
})
