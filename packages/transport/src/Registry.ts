/**
 * The worker presence registry: who is online (by heartbeat, with expiry) and which workers a set
 * of targets reaches, hence how many results an operation should expect.
 *
 * A worker is online from its `hello` or `heartbeat` until `ttlMs` after the last one (measured
 * on the registry's clock, so skewed worker clocks do not matter), or until its `goodbye`. A
 * registry that starts after a worker probes, and hears from every announced worker at once.
 *
 * Expected results per target: an `each` target (broadcast) expects one result per online worker
 * serving it; a `one` target expects one result if any worker serving it is online, else none
 * (the job waits in its queue).
 *
 * @module
 */
import { Context, Duration, Effect, Layer, type Scope, Stream, SubscriptionRef } from "effect"
import type * as Envelope from "./Envelope.js"
import * as Transport from "./Transport.js"
import * as TransportError from "./TransportError.js"

/** What the registry knows of one worker. */
export interface Entry {
  readonly worker: Envelope.WorkerInfo
  readonly lastSeen: number
  readonly expiresAt: number
}

/** The registry's state: worker id → entry. */
export type State = ReadonlyMap<string, Entry>

/** No worker known. */
export const empty: State = new Map()

/** Apply one presence message received at `now`. */
export const apply = (state: State, presence: Envelope.Presence, now: number): State => {
  const next = new Map(state)
  if (presence.event === "goodbye") next.delete(presence.worker.id)
  else
    next.set(presence.worker.id, {
      worker: presence.worker,
      lastSeen: now,
      expiresAt: now + presence.ttlMs,
    })
  return next
}

/** The workers online at `now`, by id. */
export const online = (state: State, now: number): ReadonlyArray<Envelope.WorkerInfo> =>
  [...state.values()]
    .filter((entry) => entry.expiresAt >= now)
    .map((entry) => entry.worker)
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))

/** Which online workers one target reaches and how many results to expect from it. */
export interface Reach {
  readonly target: string
  readonly mode: "one" | "each"
  readonly workers: ReadonlyArray<Envelope.WorkerInfo>
  readonly expected: number
}

/** Who each target reaches at `now`; fails with `UnknownQueue` for a target not routed. */
export const reach = (
  state: State,
  known: ReadonlyArray<{ readonly name: string; readonly mode: "one" | "each" }>,
  targets: ReadonlyArray<string>,
  now: number,
): ReadonlyArray<Reach> | TransportError.TransportError => {
  const workers = online(state, now)
  const out: Array<Reach> = []
  for (const name of targets) {
    const target = known.find((t) => t.name === name)
    if (!target) return TransportError.make("UnknownQueue", `unknown queue ${name}`)
    const serving = workers.filter((w) => w.queues.includes(name))
    out.push({
      target: name,
      mode: target.mode,
      workers: serving,
      expected: target.mode === "each" ? serving.length : Math.min(1, serving.length),
    })
  }
  return out
}

/** The registry service. */
export interface Service {
  /** Workers online now. */
  readonly online: Effect.Effect<ReadonlyArray<Envelope.WorkerInfo>>
  /** Who each target reaches now. */
  readonly reach: (
    targets: ReadonlyArray<string>,
  ) => Effect.Effect<ReadonlyArray<Reach>, TransportError.TransportError>
  /** Results to expect from a dispatch to these targets now. */
  readonly expected: (
    targets: ReadonlyArray<string>,
  ) => Effect.Effect<number, TransportError.TransportError>
  /**
   * Wait until the online workers satisfy a predicate (e.g. a count), or time out; checked on
   * every presence message (a silent worker's expiry alone does not wake it).
   */
  readonly await: (
    predicate: (workers: ReadonlyArray<Envelope.WorkerInfo>) => boolean,
    timeout: Duration.DurationInput,
  ) => Effect.Effect<ReadonlyArray<Envelope.WorkerInfo>, TransportError.TransportError>
}

/** The registry service tag. */
export class Registry extends Context.Tag("@netwark/transport/Registry")<Registry, Service>() {}

/** Start listening to presence (scoped: listening stops with the scope). */
export const make: Effect.Effect<
  Service,
  TransportError.TransportError,
  Transport.Transport | Scope.Scope
> = Effect.gen(function* () {
  const transport = yield* Transport.Transport
  const ref = yield* SubscriptionRef.make(empty)
  // subscribed before the probe, so every answer to it is heard; the broker client
  // re-creates the subscription after a reconnect
  const presence = yield* transport.presence()
  yield* presence.pipe(
    Stream.runForEach((message) =>
      SubscriptionRef.update(ref, (state) => apply(state, message, Date.now())),
    ),
    Effect.forkScoped,
  )
  yield* transport.probe.pipe(
    Effect.catchAll((e) => Effect.logWarning("registry: probe not sent", e)),
  )
  const now = () => Date.now()
  const reachNow = (targets: ReadonlyArray<string>) =>
    Effect.flatMap(SubscriptionRef.get(ref), (state) => {
      const r = reach(state, transport.targets, targets, now())
      return r instanceof TransportError.TransportError ? Effect.fail(r) : Effect.succeed(r)
    })
  return {
    online: Effect.map(SubscriptionRef.get(ref), (state) => online(state, now())),
    reach: reachNow,
    expected: (targets) =>
      Effect.map(reachNow(targets), (rs) => rs.reduce((n, r) => n + r.expected, 0)),
    await: (predicate, timeout) =>
      ref.changes.pipe(
        Stream.map((state) => online(state, now())),
        Stream.filter(predicate),
        Stream.runHead,
        Effect.flatMap((found) =>
          found._tag === "Some"
            ? Effect.succeed(found.value)
            : Effect.fail(TransportError.make("Closed", "presence stream ended")),
        ),
        Effect.timeoutFail({
          duration: timeout,
          onTimeout: () =>
            TransportError.make(
              "Timeout",
              `workers not online within ${Duration.format(Duration.decode(timeout))}`,
            ),
        }),
      ),
  }
})

/** The registry as a layer over a transport. */
export const layer: Layer.Layer<Registry, TransportError.TransportError, Transport.Transport> =
  Layer.scoped(Registry, make)
