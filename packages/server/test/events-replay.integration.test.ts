import { createClient, type Client, type OperationEvent } from "@netwark/client"
import { beforeAll, describe, expect, it } from "vitest"
import { useServer } from "./support/server.js"

const collect = async (stream: AsyncIterable<OperationEvent>): Promise<Array<OperationEvent>> => {
  const out: Array<OperationEvent> = []
  for await (const e of stream) out.push(e)
  return out
}

const progressOf = (events: ReadonlyArray<OperationEvent>) =>
  events.flatMap((e) => (e.type === "progress" ? [e] : []))

/** The process-wide position in an id `<epoch>-<n>`. */
const position = (id: string | undefined): number => Number(id?.split("-").at(-1))

describe("SSE events replay the progress emitted before the stream opened, and resume with Last-Event-ID", () => {
  const running = useServer({ localWorker: true })
  let api: Client
  beforeAll(async () => {
    api = createClient({ baseUrl: running.base })
    for (let i = 0; i < 200 && (await api.listWorkers()).total < 1; i++)
      await new Promise((r) => setTimeout(r, 100))
  })

  const pingUntilDone = async (count: number) => {
    const op = await api.createOperation({
      type: "ping",
      target: "127.0.0.1",
      options: { count, interval: 0.2 },
    })
    for (let i = 0; i < 200; i++) {
      const detail = await api.getOperation(op.id)
      if (detail.status !== "pending" && detail.status !== "running") return detail
      await new Promise((r) => setTimeout(r, 100))
    }
    throw new Error("the ping did not end")
  }

  it("shows a finished ping's replies to a stream opened after it ended, in order, with increasing ids", async () => {
    const op = await pingUntilDone(3)
    expect(op.status).toBe("done")
    const events = await collect(api.operationEvents(op.id))
    expect(events[0]?.type).toBe("snapshot")
    const progress = progressOf(events)
    expect(progress.length).toBeGreaterThanOrEqual(3)
    for (const p of progress) expect(p.data).toMatchObject({ kind: "progress", operationId: op.id })
    const ids = progress.map((p) => position(p.id))
    expect(ids.every((n, i) => Number.isInteger(n) && (i === 0 || n > ids[i - 1]!))).toBe(true)
    const seqs = progress.map((p) => p.data.seq)
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b))
    expect(new Set(seqs).size).toBe(seqs.length)
    // the ids are stable: a second stream sees the same ones
    const again = progressOf(await collect(api.operationEvents(op.id)))
    expect(again.map((p) => p.id)).toEqual(progress.map((p) => p.id))
  })

  it("on reconnect with Last-Event-ID replays only the progress after it", async () => {
    const op = await pingUntilDone(4)
    const all = progressOf(await collect(api.operationEvents(op.id)))
    expect(all.length).toBeGreaterThanOrEqual(3)
    const resumed = await collect(api.operationEvents(op.id, { lastEventId: all[1]!.id! }))
    expect(resumed[0]?.type).toBe("snapshot")
    expect(progressOf(resumed).map((p) => p.id)).toEqual(all.slice(2).map((p) => p.id))
    const last = await collect(api.operationEvents(op.id, { lastEventId: all.at(-1)!.id! }))
    expect(progressOf(last)).toEqual([])
    // an id this server never gave out (another replica, a restart): everything buffered
    const foreign = await collect(api.operationEvents(op.id, { lastEventId: "elsewhere-99" }))
    expect(progressOf(foreign).map((p) => p.id)).toEqual(all.map((p) => p.id))
  })

  it("joins a running ping: early replies replayed, then live ones, each once", async () => {
    const op = await api.createOperation({
      type: "ping",
      target: "127.0.0.1",
      options: { count: 5, interval: 0.4 },
    })
    // subscribe only once some replies have come and gone
    for (let i = 0; i < 100; i++) {
      const early = progressOf(await collectUntilSnapshot(api, op.id))
      if (early.length >= 2) break
      await new Promise((r) => setTimeout(r, 100))
    }
    const events = await collect(api.operationEvents(op.id))
    const types = events.map((e) => e.type)
    expect(types[0]).toBe("snapshot")
    expect(types.at(-1)).toBe("status")
    const progress = progressOf(events)
    const seqs = progress.map((p) => p.data.seq)
    expect(new Set(progress.map((p) => p.id)).size).toBe(progress.length)
    expect(new Set(seqs).size).toBe(seqs.length)
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b))
    expect(progress.length).toBeGreaterThanOrEqual(5)
    const ids = progress.map((p) => position(p.id))
    expect(ids.every((n, i) => i === 0 || n > ids[i - 1]!)).toBe(true)
    // every event carries an id, none lower than the progress before it
    const all = events.map((e) => position(e.id))
    expect(all.every((n, i) => Number.isInteger(n) && (i === 0 || n >= all[i - 1]!))).toBe(true)
  })
})

/** The snapshot and the buffered progress right after it, then hang up. */
const collectUntilSnapshot = async (api: Client, id: string): Promise<Array<OperationEvent>> => {
  const controller = new AbortController()
  const out: Array<OperationEvent> = []
  const timer = setTimeout(() => controller.abort(), 150)
  try {
    for await (const e of api.operationEvents(id, { signal: controller.signal })) out.push(e)
  } finally {
    clearTimeout(timer)
  }
  return out
}
