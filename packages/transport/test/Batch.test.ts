/**
 * A worker's results of one event-loop turn leave as one message: counted at the broker port,
 * under the rules above it (the in-memory broker, as the in-process transport runs it).
 */
import { Effect, Stream } from "effect"
import { describe, expect, it } from "vitest"
import * as Envelope from "../src/Envelope.js"
import * as Core from "../src/internal/core.js"
import * as Memory from "../src/internal/memory.js"
import type { Port } from "../src/internal/port.js"
import * as Queues from "../src/Queues.js"
import type * as Transport from "../src/Transport.js"

/** The in-memory broker, recording what is published to the results queue. */
const recording = (options: Transport.CommonOptions) => {
  const { topology } = Core.resolve(options)
  const port = Memory.make(topology.declarations)
  const published: Array<Uint8Array> = []
  const wrapped: Port = {
    ...port,
    publish: (exchange, routingKey, body, props) => {
      if (exchange === "" && routingKey === topology.results) published.push(body)
      return port.publish(exchange, routingKey, body, props)
    },
  }
  return { port: wrapped, published }
}

/** Serve `jobs` jobs on one worker that answers at once, and collect every result. */
const runJobs = (jobs: number, options: Transport.CommonOptions, data: unknown) =>
  Effect.scoped(
    Effect.gen(function* () {
      const { port, published } = recording(options)
      const transport = yield* Core.make(port, options)
      yield* transport.serve({ workerId: "w1", queues: [Queues.direct], concurrency: 64 }, () =>
        Effect.succeed(data),
      )
      yield* transport.dispatchMany(
        Array.from({ length: jobs }, (_, i) => ({
          input: { operationId: `op-${i}`, type: "ping", payload: {} },
          targets: [Queues.direct],
        })),
      )
      const results = yield* transport.results().pipe(
        Stream.tap((d) => d.ack),
        Stream.take(jobs),
        Stream.runCollect,
        Effect.timeout("5 seconds"),
      )
      return { published, results: [...results].map((d) => d.message) }
    }),
  )

describe("results of one turn", () => {
  it("leave as one message", async () => {
    const { published, results } = await Effect.runPromise(runJobs(10, {}, { ok: true }))
    expect(published).toHaveLength(1)
    const decoded = Envelope.decodeReplies(published[0]!)
    expect(decoded._tag === "Right" && decoded.right.kind).toBe("results")
    expect(results.map((r) => r.operationId).sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => `op-${i}`).sort(),
    )
    expect(new Set(results.map((r) => r.kind === "result" && r.status))).toEqual(new Set(["ok"]))
  })

  it("go alone, as one plain reply, when only one finished", async () => {
    const { published } = await Effect.runPromise(runJobs(1, {}, { ok: true }))
    expect(published).toHaveLength(1)
    expect(Envelope.decodeReply(published[0]!)._tag).toBe("Right")
  })

  it("are split so that no message passes the size cap", async () => {
    const maxMessageBytes = 4096
    const { published, results } = await Effect.runPromise(
      runJobs(9, { maxMessageBytes }, "x".repeat(1200)),
    )
    expect(results).toHaveLength(9)
    expect(results.every((r) => r.kind === "result" && r.status === "ok")).toBe(true)
    // ~1.5 KB a result: two to a message
    expect(published.length).toBeGreaterThanOrEqual(5)
    expect(published.length).toBeLessThan(9)
    for (const body of published) expect(body.byteLength).toBeLessThanOrEqual(maxMessageBytes)
  })

  it("each wait for their message's confirm before their job is acked", async () => {
    const options: Transport.CommonOptions = {}
    const { topology } = Core.resolve(options)
    const port = Memory.make(topology.declarations)
    let confirm: () => void = () => {}
    const held = new Promise<void>((resolve) => (confirm = resolve))
    let settledJobs = 0
    const gated: Port = {
      ...port,
      publish: (exchange, routingKey, body, props) =>
        exchange === "" && routingKey === topology.results
          ? port.publish(exchange, routingKey, body, props).then(() => held)
          : port.publish(exchange, routingKey, body, props),
      consume: (spec, prefetch, handler) =>
        port.consume(spec, prefetch, async (delivery) => {
          const disposition = await handler(delivery)
          if (spec.name === Queues.direct) settledJobs++
          return disposition
        }),
    }
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const transport = yield* Core.make(gated, options)
          // a failed expectation must not leave the scope waiting on the held confirm
          yield* Effect.addFinalizer(() => Effect.sync(confirm))
          yield* transport.serve({ workerId: "w1", queues: [Queues.direct], concurrency: 8 }, () =>
            Effect.succeed("done"),
          )
          yield* transport.dispatchMany(
            Array.from({ length: 5 }, (_, i) => ({
              input: { operationId: `op-${i}`, type: "ping", payload: {} },
              targets: [Queues.direct],
            })),
          )
          // the batch is on the results queue, its confirm held: no job is acked yet
          const first = yield* transport.results().pipe(
            Stream.tap((d) => d.ack),
            Stream.take(5),
            Stream.runCollect,
          )
          expect(first.length).toBe(5)
          yield* Effect.sleep("20 millis")
          expect(settledJobs).toBe(0)
          confirm()
          yield* Effect.sleep("20 millis")
          expect(settledJobs).toBe(5)
        }),
      ),
    )
  })
})
