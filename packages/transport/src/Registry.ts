/**
 * The worker presence registry: who is online (by heartbeat, with expiry) and which workers a set
 * of targets reaches, hence how many results an operation should expect.
 *
 * A worker is online from its `hello` or `heartbeat` until `ttlMs` after the last one (measured
 * on the registry's clock, so skewed worker clocks do not matter), or until its `goodbye`. A
 * registry that starts after a worker probes, and hears from every announced worker at once.
 *
 * A worker that goes offline (goodbye or silence) is remembered, with when it was last heard
 * from, for a retention period (default 24 h), so that a console can show who went away; it
 * never counts for dispatch (`online`, `reach`, `expected`, `await` see online workers only).
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
  /** When its last presence message (goodbye included) arrived, on the registry's clock. */
  readonly lastSeen: number
  /** Online until then; a goodbye sets it before `lastSeen`, so the worker is offline at once. */
  readonly expiresAt: number
  /**
   * The worker's clock minus the registry's, from its last presence message (plus the message's
   * transit time). Job deadlines are instants on the dispatcher's clock that workers compare with
   * their own: a worker far ahead answers every job `expired`.
   */
  readonly clockSkewMs: number
}

/** How long an offline worker is remembered by default: 24 hours. */
export const defaultRetention: Duration.Duration = Duration.hours(24)
const DEFAULT_RETENTION_MS = Duration.toMillis(defaultRetention)

/** The registry's state: worker id → entry. */
export type State = ReadonlyMap<string, Entry>

/** No worker known. */
export const empty: State = new Map()

/**
 * Apply one presence message received at `now`: a goodbye marks the worker offline (kept, not
 * deleted), and workers last seen more than `retentionMs` ago are forgotten.
 */
export const apply = (
  state: State,
  presence: Envelope.Presence,
  now: number,
  retentionMs: number = DEFAULT_RETENTION_MS,
): State => {
  const next = new Map<string, Entry>()
  for (const [id, entry] of state) if (retained(entry, now, retentionMs)) next.set(id, entry)
  next.set(presence.worker.id, {
    worker: presence.worker,
    lastSeen: now,
    expiresAt: presence.event === "goodbye" ? now - 1 : now + presence.ttlMs,
    clockSkewMs: presence.at - now,
  })
  return next
}

const isOnline = (entry: Entry, now: number): boolean => entry.expiresAt >= now

// An online worker is always kept, even one whose ttl outlasts the retention.
const retained = (entry: Entry, now: number, retentionMs: number): boolean =>
  entry.lastSeen + retentionMs >= now || isOnline(entry, now)

const byId = (a: Envelope.WorkerInfo, b: Envelope.WorkerInfo): number =>
  a.id < b.id ? -1 : a.id > b.id ? 1 : 0

/** The workers online at `now`, by id. */
export const online = (state: State, now: number): ReadonlyArray<Envelope.WorkerInfo> =>
  [...state.values()]
    .filter((entry) => isOnline(entry, now))
    .map((entry) => entry.worker)
    .sort(byId)

/** A worker heard from within the retention period, online or not. */
export interface Known {
  readonly worker: Envelope.WorkerInfo
  readonly status: "online" | "offline"
  /** When its last presence message arrived (epoch ms, registry clock). */
  readonly lastSeen: number
  /** Its clock minus the registry's, from that message (see {@link Entry}). */
  readonly clockSkewMs: number
}

/** Every worker heard from within `retentionMs` before `now`, online or offline, by id. */
export const known = (
  state: State,
  now: number,
  retentionMs: number = DEFAULT_RETENTION_MS,
): ReadonlyArray<Known> =>
  [...state.values()]
    .filter((entry) => retained(entry, now, retentionMs))
    .sort((a, b) => byId(a.worker, b.worker))
    .map((entry) => ({
      worker: entry.worker,
      status: isOnline(entry, now) ? "online" : "offline",
      lastSeen: entry.lastSeen,
      clockSkewMs: entry.clockSkewMs,
    }))

/**
 * The first instant after `now` at which {@link online} or {@link known} of `state` can answer
 * differently: a worker going offline, or an offline one being forgotten. Until then only a new
 * state (a presence message) changes them.
 */
export const stableUntil = (
  state: State,
  now: number,
  retentionMs: number = DEFAULT_RETENTION_MS,
): number => {
  let until = Infinity
  for (const entry of state.values()) {
    if (isOnline(entry, now)) until = Math.min(until, entry.expiresAt + 1)
    else if (retained(entry, now, retentionMs))
      until = Math.min(until, entry.lastSeen + retentionMs + 1)
  }
  return until
}

/**
 * `f(state, now)`, computed again only for another state or once the answer may have changed
 * (see {@link stableUntil}), or if the clock went back. The registry is read for every operation
 * and every batch of results (sorting 100 workers each time was a tenth of the collector's CPU);
 * its state changes with presence messages only.
 */
export const memoize = <A>(
  f: (state: State, now: number) => A,
  retentionMs: number = DEFAULT_RETENTION_MS,
): ((state: State, now: number) => A) => {
  let last: { state: State; from: number; until: number; value: A } | undefined
  return (state, now) => {
    if (last?.state === state && now >= last.from && now < last.until) return last.value
    const value = f(state, now)
    last = { state, from: now, until: stableUntil(state, now, retentionMs), value }
    return value
  }
}

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
  /** Workers online now and those offline but heard from within the retention period. */
  readonly known: Effect.Effect<ReadonlyArray<Known>>
  /** {@link Service.known} by worker id. */
  readonly knownById: Effect.Effect<ReadonlyMap<string, Known>>
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

/** Registry options. */
export interface Options {
  /** How long an offline worker stays listed after it was last heard from (default 24 h). */
  readonly retention?: Duration.DurationInput
  /**
   * Also called with each presence message, after the registry applied it: for what reads the
   * messages themselves (a `hello` from a heartbeat), without a second presence subscription.
   * Its failures are logged.
   */
  readonly observe?: (message: Envelope.Presence) => Effect.Effect<void>
}

/** Start listening to presence with options (scoped: listening stops with the scope). */
export const makeWith = (
  options: Options = {},
): Effect.Effect<Service, TransportError.TransportError, Transport.Transport | Scope.Scope> =>
  Effect.gen(function* () {
    const retentionMs = Duration.toMillis(Duration.decode(options.retention ?? defaultRetention))
    const transport = yield* Transport.Transport
    const ref = yield* SubscriptionRef.make(empty)
    // subscribed before the probe, so every answer to it is heard; the broker client
    // re-creates the subscription after a reconnect
    const presence = yield* transport.presence()
    const observe = options.observe
    yield* presence.pipe(
      Stream.runForEach((message) => {
        const applied = SubscriptionRef.update(ref, (state) =>
          apply(state, message, Date.now(), retentionMs),
        )
        return observe === undefined
          ? applied
          : Effect.zipRight(
              applied,
              Effect.catchAllCause(observe(message), (cause) =>
                Effect.logWarning("registry: presence observer failed", cause),
              ),
            )
      }),
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
    const onlineNow = memoize(online, retentionMs)
    const knownNow = memoize((state, at) => known(state, at, retentionMs), retentionMs)
    const byIdNow = memoize(
      (state, at) => new Map(knownNow(state, at).map((k) => [k.worker.id, k])),
      retentionMs,
    )
    return {
      online: Effect.map(SubscriptionRef.get(ref), (state) => onlineNow(state, now())),
      known: Effect.map(SubscriptionRef.get(ref), (state) => knownNow(state, now())),
      knownById: Effect.map(SubscriptionRef.get(ref), (state) => byIdNow(state, now())),
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

/** Start listening to presence (scoped: listening stops with the scope); default options. */
export const make: Effect.Effect<
  Service,
  TransportError.TransportError,
  Transport.Transport | Scope.Scope
> = makeWith()

/** The registry as a layer over a transport. */
export const layer: Layer.Layer<Registry, TransportError.TransportError, Transport.Transport> =
  Layer.scoped(Registry, make)

/** The registry as a layer over a transport, with options. */
export const layerWith = (
  options: Options,
): Layer.Layer<Registry, TransportError.TransportError, Transport.Transport> =>
  Layer.scoped(Registry, makeWith(options))
