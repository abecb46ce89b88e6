/**
 * The in-memory broker's consumers: closing one waits for the deliveries it has in flight (the
 * in-process transport's shutdown relies on it), however each of them ends.
 */
import { describe, expect, it } from "vitest"
import * as Memory from "../src/internal/memory.js"
import type { Disposition } from "../src/internal/port.js"

const declarations = {
  fanouts: ["dlx"],
  queues: [{ name: "q", deadLetterExchange: "dlx" }, { name: "dead" }],
  bindings: [{ queue: "dead", exchange: "dlx" }],
}

const body = new TextEncoder().encode("{}")

/** A handler whose deliveries end when the test says so, each with its own outcome. */
const gate = () => {
  const waiting: Array<{ end: (d: Disposition) => void; fail: (e: Error) => void }> = []
  return {
    handler: () =>
      new Promise<Disposition>((end, fail) => {
        waiting.push({ end, fail })
      }),
    waiting,
  }
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5))

describe("in-memory broker", () => {
  it("closes a consumer only once every delivery in flight has ended: acked, dropped or failed", async () => {
    const port = Memory.make(declarations)
    const g = gate()
    const sub = await port.consume({ name: "q", exclusive: false }, 8, g.handler)
    for (let i = 0; i < 3; i++) await port.publish("", "q", body, { persistent: true })
    await tick()
    expect(g.waiting).toHaveLength(3)
    let closed = false
    const closing = sub.close().then(() => (closed = true))
    g.waiting[0]!.end("ack")
    await tick()
    g.waiting[1]!.end("drop")
    await tick()
    expect(closed).toBe(false)
    g.waiting[2]!.fail(new Error("handler failed"))
    await closing
    expect(closed).toBe(true)
    // the dropped one went to the dead-letter queue, the failed one back to its queue
    const dead = gate()
    await port.consume({ name: "dead", exclusive: false }, 8, dead.handler)
    const again = gate()
    await port.consume({ name: "q", exclusive: false }, 8, again.handler)
    await tick()
    expect(dead.waiting).toHaveLength(1)
    expect(again.waiting).toHaveLength(1)
  })

  it("closes a consumer with nothing in flight at once", async () => {
    const port = Memory.make(declarations)
    const sub = await port.consume({ name: "q", exclusive: false }, 8, gate().handler)
    await expect(sub.close()).resolves.toBeUndefined()
  })
})
