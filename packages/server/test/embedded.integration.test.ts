/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers in tests */
import { readFileSync } from "node:fs"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { call, eventually } from "./support/api.js"
import { start, tempDir, testConfig, type Running } from "./support/env.js"
import { readEvents, streamedResults, streamedStatus } from "./support/sse.js"

describe("embedded mode: PGlite through pglite-socket, in-process transport, local worker", () => {
  const data = tempDir()
  let running: Running | undefined
  const boot = async () => {
    running = await start(testConfig({ dataDir: data.dir, localWorker: true }))
    await eventually(async () => {
      const r = await call<{ total: number }>("GET", `${running!.base}/workers`)
      return r.body.total >= 1 ? true : undefined
    })
    return running
  }
  beforeAll(async () => {
    await boot()
  }, 120_000)
  afterAll(async () => {
    await running?.close()
    data.remove()
  })

  it("lists its local worker with the server's version, as the console's workers page shows it", async () => {
    const { version } = JSON.parse(
      readFileSync(new URL("../package.json", import.meta.url), "utf8"),
    ) as { version: string }
    const r = await call<any>("GET", `${running!.base}/workers`)
    expect(r.body.items).toEqual([
      expect.objectContaining({ id: expect.stringMatching(/^local-/), version }),
    ])
  })

  it("runs a ping end to end, stores it in PGlite, and keeps it across a restart", async () => {
    const { base } = running!
    const health = await call<any>("GET", `${base}/health`)
    expect(health.body).toMatchObject({
      status: "ok",
      database: { kind: "pglite" },
      broker: { kind: "in-process" },
    })
    const created = await call<any>("POST", `${base}/operations`, {
      type: "ping",
      target: "127.0.0.1",
      options: { count: 2, interval: 0.2 },
    })
    expect(created.status).toBe(202)
    const events = await readEvents(`${base}/operations/${created.body.id}/events`)
    expect(streamedResults(events)).toHaveLength(1)
    expect(streamedStatus(events)).toBe("done")
    // several requests at once share the one connection without dropping any
    const many = await Promise.all(
      Array.from({ length: 8 }, () => call<any>("GET", `${base}/operations/${created.body.id}`)),
    )
    for (const r of many) expect(r.body).toMatchObject({ status: "done", received: 1 })

    await running!.close()
    running = undefined
    const again = await boot()
    const kept = await call<any>("GET", `${again.base}/operations/${created.body.id}`)
    expect(kept.status).toBe(200)
    expect(kept.body.results[0].raw).toContain("127.0.0.1")
  }, 120_000)

  it("stores the result of a ping still running when it stops (Ctrl-C), so it is done after a restart", async () => {
    const created = await call<any>("POST", `${running!.base}/operations`, {
      type: "ping",
      target: "127.0.0.1",
      options: { count: 4, interval: 0.4 },
    })
    expect(created.status).toBe(202)
    // the ping has started (its first reply streamed) and not finished (4 replies 0.4 s apart:
    // ~1.2 s); a job the worker has not taken yet would die with the in-process queue
    const stream = new AbortController()
    const res = await fetch(`${running!.base}/operations/${created.body.id}/events`, {
      signal: stream.signal,
    })
    let seen = ""
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      seen += Buffer.from(chunk).toString()
      if (seen.includes("event: progress")) break
    }
    stream.abort()
    await running!.close()
    running = undefined
    const again = await boot()
    // stored as it stopped; or, when a loaded machine let the stop outrun the result, sent again
    // (see the next test) and done a moment after the restart
    const after = await eventually(async () => {
      const r = await call<any>("GET", `${again.base}/operations/${created.body.id}`)
      return r.body.status === "done" ? r : undefined
    }, 10_000)
    expect(after.body).toMatchObject({ status: "done", received: 1 })
    expect(after.body.results[0]).toMatchObject({ status: "ok" })
  }, 120_000)

  it("sends again after a restart the jobs its in-process queue still held when it stopped", async () => {
    // 12 pings of ~0.8 s for a local worker that runs 8 at once: 4 wait in the queue. Posted
    // together: one after another they took 60-270 ms each on a slow VM while the pings before
    // them started (its event loop busy; a spawn() alone held it 6-18 ms there), so the first
    // pings ended before the eighth began and 8 never ran at once
    const created = await Promise.all(
      Array.from({ length: 12 }, () =>
        call<any>("POST", `${running!.base}/operations`, {
          type: "ping",
          target: "127.0.0.1",
          options: { count: 3, interval: 0.4 },
        }),
      ),
    )
    for (const r of created) expect(r.status).toBe(202)
    const ids: Array<string> = created.map((r) => r.body.id)
    // stopped once the worker is busy: the 8 it runs are finished and stored as it stops
    await eventually(async () => {
      const r = await call<any>("GET", `${running!.base}/operations?status=running`)
      return r.body.total >= 8 ? true : undefined
    })
    await running!.close()
    running = undefined
    const again = await boot()
    // each ping is done, well before the 13 s deadline the queued ones would have waited out
    const started = Date.now()
    let last: Array<string> = []
    const states = await eventually(async () => {
      const all = await Promise.all(
        ids.map((id) => call<any>("GET", `${again.base}/operations/${id}`)),
      )
      last = all.map((r) => `${r.body.status}:${r.body.received}:${r.body.error ?? ""}`)
      return all.every((r) => r.body.status === "done") ? all : undefined
    }, 10_000).catch((e: unknown) => {
      throw new Error(`${String(e)}: ${last.join(", ")}`)
    })
    expect(Date.now() - started).toBeLessThan(10_000)
    for (const r of states) expect(r.body).toMatchObject({ status: "done", received: 1 })
  }, 120_000)
})
