/**
 * In-process counters for `GET /metrics` (Prometheus text format). Gauges that live in the
 * database (operations by status, unsent outbox) are read when scraped.
 *
 * @module
 */
import { Context, Effect, Layer } from "effect"

/** The counters. */
export interface Counters {
  operationsCreated: number
  operationsDispatched: number
  dispatchFailures: number
  resultsStored: number
  resultsDuplicate: number
  progressEvents: number
  operationsExpired: number
  operationsSettled: Record<string, number>
  httpRequests: Record<string, number>
}

/** The metrics service: mutable counters, only ever incremented. */
export class Metrics extends Context.Tag("@netwark/server/Metrics")<Metrics, Counters>() {}

/** Fresh counters. */
export const make = (): Counters => ({
  operationsCreated: 0,
  operationsDispatched: 0,
  dispatchFailures: 0,
  resultsStored: 0,
  resultsDuplicate: 0,
  progressEvents: 0,
  operationsExpired: 0,
  operationsSettled: {},
  httpRequests: {},
})

/** Count settled operations by status. */
export const settled = (
  counters: Counters,
  statuses: Iterable<{ readonly status: string }>,
): void => {
  for (const { status } of statuses)
    counters.operationsSettled[status] = (counters.operationsSettled[status] ?? 0) + 1
}

/** The metrics as a layer. */
export const layer: Layer.Layer<Metrics> = Layer.effect(Metrics, Effect.sync(make))
