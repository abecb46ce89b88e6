/**
 * The usual test setup: a server on a fresh database for the enclosing `describe`. Kept apart
 * from env.ts, which the benches import outside vitest.
 */
import { afterAll, beforeAll } from "vitest"
import type { ServerConfig } from "../../src/config.js"
import { createDatabase, redacted, start, testConfig, type Running } from "./env.js"

/**
 * Start a server on a database of its own in `beforeAll` (with `overrides` on the test
 * configuration), close it and drop the database in `afterAll`. The fields of what it returns
 * are read in the tests, once the server runs.
 */
export const useServer = (overrides: Partial<ServerConfig> = {}): Running => {
  let db: Awaited<ReturnType<typeof createDatabase>> | undefined
  let running: Running | undefined
  beforeAll(async () => {
    db = await createDatabase()
    running = await start(testConfig({ databaseUrl: redacted(db.url), ...overrides }))
  })
  afterAll(async () => {
    await running?.close()
    await db?.drop()
  })
  const started = (): Running => {
    if (running === undefined) throw new Error("the server starts in beforeAll")
    return running
  }
  return {
    get server() {
      return started().server
    },
    get base() {
      return started().base
    },
    close: () => started().close(),
  }
}
