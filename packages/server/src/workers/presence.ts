/**
 * Warnings about what the workers announce, said when a worker starts: a worker whose transport
 * lacks a job type that this server routes to a queue of its own never consumes that queue (see
 * {@link jobTypeProblem}). Read from the presence stream, not the registry's state, to tell a
 * `hello` (a worker start: said again) from a heartbeat (said only for a worker not heard yet:
 * one that was running before this server started is looked at on its next heartbeat).
 *
 * @module
 */
import { Transport, type TransportError } from "@netwark/transport"
import { Effect, Layer, type Scope, Stream } from "effect"
import { jobTypeProblem } from "./serving.js"

/** Listen to presence and warn about each worker once per start (scoped). */
export const watch: Effect.Effect<
  void,
  TransportError.TransportError,
  Transport.Transport | Scope.Scope
> = Effect.gen(function* () {
  const transport = yield* Transport.Transport
  // workers looked at since their last hello; forgotten at their goodbye
  const seen = new Set<string>()
  const presence = yield* transport.presence()
  yield* presence.pipe(
    Stream.runForEach((message) => {
      const id = message.worker.id
      if (message.event === "goodbye") return Effect.sync(() => seen.delete(id))
      if (message.event === "hello") seen.delete(id)
      if (seen.has(id)) return Effect.void
      seen.add(id)
      const problem = jobTypeProblem(message.worker, transport.targets)
      return problem === undefined ? Effect.void : Effect.logWarning(problem.message)
    }),
    Effect.forkScoped,
  )
})

/** The presence warnings as a layer (they run while the layer is alive). */
export const layer: Layer.Layer<never, TransportError.TransportError, Transport.Transport> =
  Layer.scopedDiscard(watch)
