/**
 * The transport inside one process: the embedded single-machine mode and tests.
 *
 * Same contract and the same rules as {@link RabbitMq} (both run the same code above a small
 * broker port): round-robin on `one` targets, a per-worker queue on `each` targets, deadlines,
 * ack after the result, dead-lettering with a reason. Differences: nothing survives the process,
 * per-worker queues never expire, and publishes are confirmed at once.
 *
 * @module
 */
import { Effect, Layer } from "effect"
import * as Core from "./internal/core.js"
import * as Memory from "./internal/memory.js"
import * as Transport from "./Transport.js"
import type * as TransportError from "./TransportError.js"

/** Options of the in-process transport. */
export type Options = Transport.CommonOptions

/** Make an in-process transport (scoped); fails with `InvalidConfig` on bad options. */
export const make = (options: Options = {}) =>
  Effect.zipRight(
    Core.validate(options),
    Effect.suspend(() => {
      const { topology } = Core.resolve(options)
      return Core.make(Memory.make(topology.declarations), options)
    }),
  )

/** The in-process transport as a layer. */
export const layer = (
  options: Options = {},
): Layer.Layer<Transport.Transport, TransportError.TransportError> =>
  Layer.scoped(Transport.Transport, make(options))
