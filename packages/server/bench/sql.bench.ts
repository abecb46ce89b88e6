/**
 * What one SQL statement costs the server's process: the same parameterised `SELECT` sent one at a
 * time through `@effect/sql-pg` (what the server uses) and through the `pg` client under it, in
 * one run, CPU and wall time per statement. The operations bench counts statements per operation;
 * this turns them into CPU.
 */
import { PgClient } from "@effect/sql-pg"
import { Effect, Redacted, Runtime } from "effect"
import pg from "pg"

const url = process.env["NETWARK_TEST_PG"] ?? "postgres://postgres:root@127.0.0.1:5432/postgres"

interface Figure {
  readonly cpuUs: number
  readonly wallUs: number
}

/** Per-statement CPU and wall time of `n` sequential calls of `one`, after a warm-up. */
const timed = async (n: number, one: (i: number) => Promise<unknown>): Promise<Figure> => {
  for (let i = 0; i < n; i++) await one(i) // warm-up: the JIT settles after a few thousand
  const cpu = process.cpuUsage()
  const t0 = performance.now()
  for (let i = 0; i < n; i++) await one(i)
  const used = process.cpuUsage(cpu)
  return { cpuUs: (used.user + used.system) / n, wallUs: ((performance.now() - t0) * 1000) / n }
}

const effectSql = (n: number): Promise<Figure> =>
  Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const sql = yield* PgClient.PgClient
        const runtime = yield* Effect.runtime<never>()
        const run = Runtime.runPromise(runtime)
        return yield* Effect.promise(() => timed(n, (i) => run(sql`SELECT ${i}::int AS x`)))
      }).pipe(Effect.provide(PgClient.layer({ url: Redacted.make(url), maxConnections: 1 }))),
    ),
  )

const rawPg = async (n: number): Promise<Figure> => {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await timed(n, (i) => client.query("SELECT $1::int AS x", [i]))
  } finally {
    await client.end()
  }
}

/** Run the SQL statement benchmark. */
export const run = async (): Promise<void> => {
  const n = Number(process.env["BENCH_STATEMENTS"] ?? 5000)
  const show = (label: string, f: Figure) =>
    `${label.padEnd(16)} ${f.cpuUs.toFixed(0).padStart(5)} µs CPU, ${f.wallUs.toFixed(0).padStart(5)} µs wall per statement`
  // alternate, three times each: the machine's load drifts
  const figures: Array<[Figure, Figure]> = []
  for (let round = 0; round < 3; round++) figures.push([await rawPg(n), await effectSql(n)])
  for (const [raw, effect] of figures) {
    console.log(show("pg", raw))
    console.log(
      `${show("@effect/sql-pg", effect)}  (${(effect.cpuUs / raw.cpuUs).toFixed(2)}× pg's CPU)`,
    )
  }
}
