import pg from "pg"
import { beforeAll, describe, expect, it } from "vitest"
import { call, eventually } from "./support/api.js"
import { useServer } from "./support/server.js"

/** Statements the server sends to PostgreSQL while `f` runs (every pg client in this process). */
const statementsDuring = async (f: () => Promise<void>): Promise<number> => {
  const query = pg.Client.prototype.query
  let n = 0
  pg.Client.prototype.query = function (this: pg.Client, ...args: Array<unknown>) {
    n++
    return (query as (...a: Array<unknown>) => unknown).apply(this, args)
  } as typeof query
  try {
    await f()
  } finally {
    pg.Client.prototype.query = query
  }
  return n
}

describe("an idle server", () => {
  const pollMillis = 100
  const running = useServer({ localWorker: true, pollMillis })
  beforeAll(async () => {
    await eventually(async () => {
      const r = await call<{ online: number }>("GET", `${running.base}/workers`)
      return r.body.online >= 1 ? true : undefined
    })
  })

  it("asks the database about twice per poll: one outbox claim, one look for running operations", async () => {
    // one operation first, so that the sweeper has seen work and gone idle again
    const created = await call<{ id: string }>("POST", `${running.base}/operations`, {
      type: "dns",
      target: "localhost",
    })
    expect(created.status).toBe(202)
    await eventually(async () => {
      const r = await call<{ status: string }>(
        "GET",
        `${running.base}/operations/${created.body.id}`,
      )
      return r.body.status === "pending" || r.body.status === "running" ? undefined : true
    })
    const seconds = 2
    const n = await statementsDuring(() => new Promise((r) => setTimeout(r, seconds * 1000)))
    const polls = (seconds * 1000) / pollMillis
    // each of the dispatcher's 3 loops polling, and a 6-statement sweep per poll, made ~10 a poll
    expect(n).toBeGreaterThan(0)
    expect(n).toBeLessThanOrEqual(polls * 2 + 4)
  })
})
