/**
 * Warnings about what the workers announce, said when a worker starts: a worker whose transport
 * lacks a job type that this server routes to a queue of its own never consumes that queue (see
 * {@link jobTypeProblem}). Read from the presence messages, not the registry's state, to tell a
 * `hello` (a worker start: said again) from a heartbeat (said only for a worker not heard yet:
 * one that was running before this server started is looked at on its next heartbeat). The
 * registry hands them over from its own subscription (one per server, not two).
 *
 * @module
 */
import type { Envelope, Transport } from "@netwark/transport"
import { Effect } from "effect"
import { jobTypeProblem } from "./serving.js"

/** An observer of presence messages that warns about each worker once per start. */
export const warnings = (
  targets: Transport.Service["targets"],
): ((message: Envelope.Presence) => Effect.Effect<void>) => {
  // workers looked at since their last hello; forgotten at their goodbye
  const seen = new Set<string>()
  return (message) => {
    const id = message.worker.id
    if (message.event === "goodbye") return Effect.sync(() => void seen.delete(id))
    if (message.event === "hello") seen.delete(id)
    if (seen.has(id)) return Effect.void
    seen.add(id)
    const problem = jobTypeProblem(message.worker, targets)
    return problem === undefined ? Effect.void : Effect.logWarning(problem.message)
  }
}
