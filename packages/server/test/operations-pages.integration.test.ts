import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import * as Repository from "../src/operations/operations.repository.js"
import { call } from "./support/api.js"
import { useServer } from "./support/server.js"

interface Page {
  items: Array<{ id: string }>
  total: number
  totalExact: boolean
  offset: number
  nextCursor: string | null
  previousCursor: string | null
}

/**
 * The list's pages when rows go away between two reads. The server has no DELETE of its own:
 * rows are removed as an operator (or a retention job) would, straight in the database.
 */
describe("operations list pages when rows are deleted between reads", () => {
  const running = useServer()

  /** `n` operations on a queue of their own, newest first as the list shows them. */
  const make = async (queue: string, n: number) => {
    await running.server.runtime.run(
      Repository.insertMany(
        Array.from({ length: n }, () => ({
          id: crypto.randomUUID(),
          type: "ping" as const,
          target: "127.0.0.1",
          options: {},
          queues: [queue],
          timeoutMs: 60_000,
        })),
      ),
    )
    const all = await list(queue, { limit: String(n) })
    return all.items.map((o) => o.id)
  }
  const list = async (queue: string, params: Record<string, string>) => {
    const qs = new URLSearchParams({ queue, ...params }).toString()
    const r = await call<Page>("GET", `${running.base}/operations?${qs}`)
    expect(r.status).toBe(200)
    return r.body
  }
  const remove = (ids: ReadonlyArray<string>) =>
    running.server.runtime.run(
      Effect.flatMap(
        SqlClient.SqlClient,
        (sql) => sql`DELETE FROM operations WHERE id IN ${sql.in(ids)}`,
      ),
    )

  it("says how many rows come before each page, forwards and backwards", async () => {
    await make("offset-queue", 8)
    const first = await list("offset-queue", { limit: "3" })
    const second = await list("offset-queue", { limit: "3", cursor: first.nextCursor! })
    const third = await list("offset-queue", { limit: "3", cursor: second.nextCursor! })
    expect([first, second, third].map((p) => [p.offset, p.items.length, p.total])).toEqual([
      [0, 3, 8],
      [3, 3, 8],
      [6, 2, 8],
    ])
    const back = await list("offset-queue", { limit: "3", cursor: third.previousCursor! })
    expect(back.offset).toBe(3)
    // fewer than a page above the key: the server answers with the first page, and says so
    const shifted = await list("offset-queue", {
      limit: "3",
      cursor: (await list("offset-queue", { limit: "1" })).nextCursor!,
    })
    expect(shifted.offset).toBe(1)
    expect(
      (await list("offset-queue", { limit: "3", cursor: shifted.previousCursor! })).offset,
    ).toBe(0)
  })

  it("counts a page after deletions above it from what is left, never past the total", async () => {
    const ids = await make("deleted-above", 9)
    const first = await list("deleted-above", { limit: "3" })
    const second = await list("deleted-above", { limit: "3", cursor: first.nextCursor! })
    const third = await list("deleted-above", { limit: "3", cursor: second.nextCursor! })
    expect(third.offset).toBe(6)
    // The six rows above the third page go: reloading it (its link, or the 10 s refresh) shows
    // the first rows of the list, which the page-number arithmetic labelled "7–9 of 3".
    await remove(ids.slice(0, 6))
    const again = await list("deleted-above", { limit: "3", cursor: second.nextCursor! })
    expect(again.items.map((o) => o.id)).toEqual(ids.slice(6))
    expect([again.offset, again.total]).toEqual([0, 3])
    // Back from a page whose rows above were deleted: the first page, at offset 0.
    const back = await list("deleted-above", { limit: "3", cursor: third.previousCursor! })
    expect([back.offset, back.items.length, back.previousCursor]).toEqual([0, 3, null])
  })

  it("answers an empty page after a cursor past the end, with the rows left above it", async () => {
    const ids = await make("deleted-below", 6)
    const first = await list("deleted-below", { limit: "3" })
    await remove(ids.slice(3))
    const empty = await list("deleted-below", { limit: "3", cursor: first.nextCursor! })
    // Not the first page in its place: a client reading on with nextCursor would start over.
    expect(empty).toEqual({
      items: [],
      total: 3,
      totalExact: true,
      offset: 3,
      nextCursor: null,
      previousCursor: null,
    })
  })

  it("counts the total exactly up to 10,000 matches, then as a lower bound; offsets stay exact", async () => {
    const queue = "many"
    const n = Repository.exactTotalUpTo + 50
    // one a second back from now, so that the pages' order is known
    await running.server.runtime.run(
      Effect.flatMap(
        SqlClient.SqlClient,
        (sql) => sql`
          INSERT INTO operations (id, type, target, queues, timeout_ms, created_at)
          SELECT gen_random_uuid(), 'ping', '127.0.0.1', ARRAY[${queue}]::text[], 60000,
                 now() - g * interval '1 second'
          FROM generate_series(1, ${n}) g`,
      ),
    )
    const first = await list(queue, { limit: "500" })
    expect([first.offset, first.items.length, first.total, first.totalExact]).toEqual([
      0,
      500,
      Repository.exactTotalUpTo,
      false,
    ])
    // the row at an offset of the list (newest first), with its key as a cursor holds it
    const rowAt = async (offset: number) => {
      const [row] = await running.server.runtime.run(
        Effect.flatMap(
          SqlClient.SqlClient,
          (sql) => sql<{ at: string; id: string }>`
            SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at, id
            FROM operations WHERE queues @> ARRAY[${queue}]::text[]
            ORDER BY created_at DESC, id DESC OFFSET ${offset} LIMIT 1`,
        ),
      )
      return row!
    }
    // fewer matches (the same queue, its oldest 49): exact
    const until = await list(queue, { limit: "500", until: (await rowAt(n - 50)).at })
    expect([until.total, until.totalExact, until.items.length]).toEqual([49, true, 49])

    // a page past the exact part, read forwards from the 10,020th row: its offset is exact, and
    // the total at least its last row
    const key = await rowAt(10_019)
    const cursor = Repository.encodeCursor({ direction: "after", at: key.at, id: key.id })
    const deep = await list(queue, { limit: "500", cursor })
    expect([deep.offset, deep.items.length, deep.total, deep.totalExact, deep.nextCursor]).toEqual([
      10_020,
      30,
      n,
      false,
      null,
    ])
    // and back: the page before it ends at the 10,020th row
    const back = await list(queue, { limit: "500", cursor: deep.previousCursor! })
    expect([back.offset, back.items.length, back.items.at(-1)?.id, back.totalExact]).toEqual([
      9_520,
      500,
      key.id,
      false,
    ])
    expect(back.nextCursor).not.toBeNull()
  })
})
