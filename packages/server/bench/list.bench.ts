/**
 * Reads at size: `GET /operations` pages and `GET /metrics` from the server on a table of
 * `BENCH_ROWS` ended operations (default 1,000,000, written by one `INSERT … generate_series`,
 * then vacuumed and analyzed), against the alternative they replace on the same database: the
 * exact counts the server ran until session 27, every match counted at every read.
 */
import pg from "pg"
import { child, serverFlags, stop, withDatabase } from "./support.js"

/** Median milliseconds of `n` sequential runs of `one`, after two unmeasured ones. */
const median = async (n: number, one: () => Promise<unknown>): Promise<number> => {
  for (let i = 0; i < 2; i++) await one()
  const times: Array<number> = []
  for (let i = 0; i < n; i++) {
    const t0 = performance.now()
    await one()
    times.push(performance.now() - t0)
  }
  return times.sort((a, b) => a - b)[Math.floor(n / 2)]!
}

const get = async (url: string) => {
  const response = await fetch(url)
  if (response.status !== 200) throw new Error(`${url}: ${response.status}`)
  return response.text()
}

/** Run the reads-at-size benchmark. */
export const run = async (): Promise<void> => {
  const rows = Number(process.env["BENCH_ROWS"] ?? 1_000_000)
  await withDatabase(async (url) => {
    // the server first: it makes the schema
    const server = await child("server", { BENCH_DATABASE_URL: url }, serverFlags)
    const db = new pg.Client({ connectionString: url })
    await db.connect()
    try {
      const t0 = performance.now()
      await db.query(
        `INSERT INTO operations (id, type, target, queues, status, timeout_ms, created_at, finished_at)
         SELECT gen_random_uuid(), (ARRAY['ping', 'mtr', 'dns', 'traceroute'])[1 + g % 4],
                '10.0.' || (g % 250) || '.' || (g % 200),
                CASE WHEN g % 3 = 0 THEN '{netwark.broadcast}'::text[] ELSE '{netwark}'::text[] END,
                CASE WHEN g % 50 = 0 THEN 'partial' ELSE 'done' END, 30000,
                now() - g * interval '1 second', now()
         FROM generate_series(1, $1::int) g`,
        [rows],
      )
      // a few in flight, as a live system has
      await db.query(
        `INSERT INTO operations (id, type, target, queues, status, timeout_ms, deadline)
         SELECT gen_random_uuid(), 'ping', '127.0.0.1', '{netwark}',
                CASE WHEN g % 2 = 0 THEN 'pending' ELSE 'running' END, 30000,
                now() + interval '1 hour'
         FROM generate_series(1, 40) g`,
      )
      await db.query("VACUUM ANALYZE operations")
      console.log(
        `${rows.toLocaleString("en")} operations written and vacuumed in ${((performance.now() - t0) / 1000).toFixed(0)} s`,
      )
      const base = `${server.line}/api/v1`
      const second = JSON.parse(await get(`${base}/operations?limit=50`)) as {
        nextCursor: string
      }
      // each read, and the exact count it made before (the list counted its total and offset in
      // one pass over every match; /metrics grouped every operation)
      const reads: ReadonlyArray<readonly [string, string, string]> = [
        ["GET /operations?limit=50", "operations?limit=50", "TRUE"],
        ["  &queue=netwark", "operations?limit=50&queue=netwark", "queues @> '{netwark}'"],
        ["  &type=mtr", "operations?limit=50&type=mtr", "type = 'mtr'"],
        ["  &status=running", "operations?limit=50&status=running", "status = 'running'"],
        ["  the second page", `operations?limit=50&cursor=${second.nextCursor}`, "TRUE"],
        ["GET /metrics", "metrics", ""],
      ]
      for (const [label, path, where] of reads) {
        const served = await median(15, () => get(`${base}/${path}`))
        const exact = await median(5, () =>
          db.query(
            where === ""
              ? "SELECT status, type, count(*) FROM operations GROUP BY status, type"
              : `SELECT count(*) FROM operations WHERE ${where}`,
          ),
        )
        console.log(
          `${label.padEnd(26)} ${served.toFixed(1).padStart(6)} ms; the exact count alone ${exact.toFixed(1).padStart(6)} ms (${(exact / served).toFixed(1)}× the whole read)`,
        )
      }
    } finally {
      await db.end()
      await stop(server.process)
    }
  })
}
