import { spawn, type ChildProcess } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import net from "node:net"
import { tmpdir } from "node:os"
import path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createClient, type OperationEvent } from "../src/index.js"

const main = path.resolve(import.meta.dirname, "../../server/dist/main.js")

/** The embedded server (PGlite, in-process queue, local worker) on a free loopback port. */
let server: ChildProcess
let base = ""
let dataDir = ""

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), "netwark-client-"))
  server = spawn(process.execPath, [main], {
    env: {
      ...process.env,
      NETWARK_PORT: "0",
      NETWARK_HOST: "127.0.0.1",
      NETWARK_DATA_DIR: dataDir,
    },
    stdio: ["ignore", "pipe", "pipe"],
  })
  base = await new Promise<string>((resolve, reject) => {
    let out = ""
    server.stdout!.on("data", (d: Buffer) => {
      out += d.toString()
      const m = /listening on (http:\/\/\S+)/.exec(out)
      if (m !== null) resolve(m[1]!)
    })
    server.on("exit", (code) => reject(new Error(`server exited ${code}: ${out}`)))
  })
}, 60_000)

afterAll(async () => {
  if (server !== undefined && server.exitCode === null) {
    server.kill("SIGTERM")
    await new Promise((r) => server.once("exit", r))
  }
  if (dataDir !== "") rmSync(dataDir, { recursive: true, force: true })
})

/** A TCP proxy to the server that cuts the `cut`-th connection after `afterMs`. */
const cuttingProxy = async (cut: number, afterMs: number) => {
  const target = new URL(base)
  let n = 0
  const s = net.createServer((c) => {
    const k = n++
    const u = net.connect(Number(target.port), target.hostname)
    c.pipe(u).pipe(c)
    c.on("error", () => undefined)
    u.on("error", () => undefined)
    if (k === cut)
      setTimeout(() => {
        c.destroy()
        u.destroy()
      }, afterMs)
  })
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve))
  return {
    url: `http://127.0.0.1:${(s.address() as net.AddressInfo).port}`,
    connections: () => n,
    close: () => new Promise<void>((resolve) => s.close(() => resolve())),
  }
}

describe("the client against the embedded server", () => {
  it("follows a ping to its final status, and the events carry the documented shapes", async () => {
    const api = createClient({ baseUrl: base })
    const op = await api.createOperation({
      type: "ping",
      target: "127.0.0.1",
      options: { count: 2 },
    })
    const seen: Array<OperationEvent> = []
    for await (const e of api.operationEvents(op.id, { signal: AbortSignal.timeout(30_000) }))
      seen.push(e)
    expect(seen[0]).toMatchObject({ type: "snapshot", data: { id: op.id } })
    const progress = seen.filter((e) => e.type === "progress")
    expect(progress.length).toBeGreaterThanOrEqual(2)
    expect(progress[0]!.data).toMatchObject({ kind: "progress", operationId: op.id, seq: 0 })
    expect(seen.find((e) => e.type === "result")?.data).toMatchObject({ status: "ok" })
    expect(seen.at(-1)).toMatchObject({ type: "status", data: { id: op.id, status: "done" } })
    const detail = await api.getOperation(op.id)
    expect(detail).toMatchObject({ id: op.id, status: "done", results: [{ status: "ok" }] })
  })

  it("resumes after the connection is cut mid-operation, without losing or repeating progress", async () => {
    const api = createClient({ baseUrl: base })
    const op = await api.createOperation({
      type: "ping",
      target: "127.0.0.1",
      options: { count: 4, interval: 0.5 },
    })
    // Connection 0 of the proxy is the event stream: cut it after the first replies.
    const proxy = await cuttingProxy(0, 900)
    try {
      const via = createClient({ baseUrl: proxy.url })
      const seqs: Array<number> = []
      let snapshots = 0
      let status = ""
      for await (const e of via.operationEvents(op.id, { signal: AbortSignal.timeout(30_000) })) {
        if (e.type === "snapshot") snapshots++
        if (e.type === "progress") seqs.push(e.data.seq)
        // What happened while disconnected is in the fresh snapshot, not in replayed events.
        if (e.type === "snapshot" || e.type === "status") status = e.data.status
      }
      expect(proxy.connections()).toBeGreaterThanOrEqual(2)
      expect(snapshots).toBeGreaterThanOrEqual(2)
      expect(seqs).toEqual([0, 1, 2, 3])
      expect(status).toBe("done")
    } finally {
      await proxy.close()
    }
  })
})
