/**
 * How the runner tests see a run fail: the error itself, once the helper has checked that the run
 * failed at all (and, for a refused one, that nothing was spawned).
 */
import { Effect, Either } from "effect"
import { expect, vi } from "vitest"
import * as Exec from "../../src/internal/exec/Exec.js"
import type { ToolError } from "../../src/ToolError.js"

const failure = <A>(r: Either.Either<A, ToolError>): ToolError => {
  if (Either.isRight(r)) throw new Error("expected the run to fail; it succeeded")
  return r.left
}

/** The error of a run that must be refused before any process is spawned. */
export const refusedBeforeSpawn = async <A>(
  run: Effect.Effect<A, ToolError>,
): Promise<ToolError> => {
  const spy = vi.spyOn(Exec, "stream")
  try {
    const r = await Effect.runPromise(Effect.either(run))
    expect(spy).not.toHaveBeenCalled()
    return failure(r)
  } finally {
    spy.mockRestore()
  }
}

/** The error of a run with PATH pointing nowhere, so the tool's binary is not found. */
export const failureWithoutPath = async <A>(
  run: Effect.Effect<A, ToolError>,
): Promise<ToolError> => {
  const path = process.env["PATH"]
  process.env["PATH"] = "/nonexistent"
  try {
    return failure(await Effect.runPromise(Effect.either(run)))
  } finally {
    process.env["PATH"] = path
  }
}
