import { execFile } from "node:child_process"
import { type AddressInfo, createServer, type Socket } from "node:net"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { describe, expect, it } from "vitest"
import { createDatabase } from "./support/env.js"

const run = promisify(execFile)
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")

/** `netwark-server migrate` as an operator runs it (the bin is dist/main.js; here its source). */
const migrateCommand = (databaseUrl: string) =>
  run(process.execPath, ["--import", "tsx", "src/main.ts", "migrate"], {
    cwd: root,
    env: { ...process.env, NETWARK_DATABASE_URL: databaseUrl, NETWARK_CONFIG: "" },
    timeout: 60_000,
  })

describe("netwark-server migrate", () => {
  it("applies the migrations to NETWARK_DATABASE_URL and exits; a second run has nothing to do", async () => {
    const db = await createDatabase()
    try {
      const first = await migrateCommand(db.url)
      expect(first.stdout).toBe(
        "netwark-server: applied 1_init, 2_outbox_claim, 3_result_error_reason, 4_results_cascade, 5_children_cascade, 6_results_lz4, 7_outbox_sent_index, 8_cascade_unsent_outbox\n",
      )
      const second = await migrateCommand(db.url)
      expect(second.stdout).toBe("netwark-server: the schema is up to date\n")
    } finally {
      await db.drop()
    }
  })

  it("exits 1 with a one-line reason when the database cannot be reached", async () => {
    // port 1 on loopback: nothing listens there
    const failed = await migrateCommand("postgres://netwark@127.0.0.1:1/none").then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    )
    expect(failed?.code).toBe(1)
    expect(failed?.stderr).toMatch(/^netwark-server: .*Failed to connect/)
  })

  it("exits 1 when the database takes the connection and never answers (it hung for minutes)", async () => {
    // a listener that accepts and stays silent: a hung host, or a port that is not PostgreSQL's
    const sockets = new Set<Socket>()
    const silent = createServer((socket) => {
      sockets.add(socket)
      socket.on("error", () => {})
    })
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve))
    try {
      const { port } = silent.address() as AddressInfo
      const failed = await migrateCommand(`postgres://netwark@127.0.0.1:${port}/none`).then(
        () => undefined,
        (e: { code: number | null; signal: string | null; stderr: string }) => e,
      )
      // killed by the 60 s timeout of `migrateCommand`, the code would be null
      expect(failed?.code).toBe(1)
      expect(failed?.stderr).toMatch(/^netwark-server: .*(Failed to connect|timed out)/)
    } finally {
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => silent.close(resolve))
    }
  }, 90_000)
})
