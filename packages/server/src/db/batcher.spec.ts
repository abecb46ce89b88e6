import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import * as Batcher from "./batcher.js"

class Boom extends Error {}

/** A batcher over `run` that records the batches it was given. */
const make = (
  run: (items: ReadonlyArray<number>) => Effect.Effect<ReadonlyArray<string>, Boom>,
  options: Batcher.Options = { maxBatch: 3, maxInFlight: 1 },
) => {
  const batches: Array<ReadonlyArray<number>> = []
  const batcher = Effect.runSync(
    Batcher.make((items: ReadonlyArray<number>) => {
      batches.push(items)
      return run(items)
    }, options),
  )
  return { batcher, batches }
}

describe("Batcher", () => {
  it("answers each caller its own output, from batches of what arrived in one turn", async () => {
    const { batcher, batches } = make((items) => Effect.succeed(items.map((i) => `#${i}`)))
    const answers = await Promise.all([batcher(1), batcher(2), batcher(3), batcher(4)])
    expect(answers).toEqual(["#1", "#2", "#3", "#4"])
    // at most `maxBatch` in one, the rest in the next
    expect(batches).toEqual([[1, 2, 3], [4]])
  })

  it("fails every caller of a failed batch with the error itself", async () => {
    const boom = new Boom("database gone")
    const { batcher } = make(() => Effect.fail(boom))
    const first = batcher(1)
    const second = batcher(2)
    await expect(first).rejects.toBe(boom)
    await expect(second).rejects.toBe(boom)
  })

  it("rejects every caller, rather than answering wrongly, when a batch answers a different number of outputs", async () => {
    const { batcher } = make(() => Effect.succeed(["only one"]))
    const first = batcher(1)
    const second = batcher(2)
    await expect(first).rejects.toThrow("batch of 2 answered 1")
    await expect(second).rejects.toThrow("batch of 2 answered 1")
  })
})
