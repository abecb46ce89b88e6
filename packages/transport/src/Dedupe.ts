/**
 * Collector-side dedupe of results: a redelivered job yields a second result (a higher
 * `attempt`, or another worker of a `one` target); keep the first per {@link Envelope.resultKey}.
 *
 * The memory is bounded (oldest keys are forgotten first); a durable collector should rely on
 * a unique key in its store instead, and can use this as a cheap first filter.
 *
 * @module
 */
import { Effect, Stream } from "effect"
import * as Envelope from "./Envelope.js"
import type { Delivery } from "./Transport.js"

/** A bounded set of seen result keys. */
export interface Dedupe {
  /** `true` the first time a result's key is seen, `false` for every later copy. */
  readonly first: (result: Envelope.Result) => boolean
  /** Keys currently remembered. */
  readonly size: () => number
}

/** Make a dedupe set remembering at most `capacity` keys (default 100 000). */
export const make = (capacity = 100_000): Dedupe => {
  const seen = new Set<string>()
  return {
    first: (result) => {
      const key = Envelope.resultKey(result)
      if (seen.has(key)) return false
      seen.add(key)
      if (seen.size > capacity) seen.delete(seen.values().next().value!)
      return true
    },
    size: () => seen.size,
  }
}

/** Drop (and ack) duplicate results from a results stream; progress passes through. */
export const results =
  (capacity?: number) =>
  <E, R>(
    stream: Stream.Stream<Delivery<Envelope.Reply>, E, R>,
  ): Stream.Stream<Delivery<Envelope.Reply>, E, R> => {
    const dedupe = make(capacity)
    return Stream.filterEffect(stream, (delivery) =>
      delivery.message.kind !== "result" || dedupe.first(delivery.message)
        ? Effect.succeed(true)
        : Effect.as(delivery.ack, false),
    )
  }
