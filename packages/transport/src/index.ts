/**
 * `@netwark/transport`: the queues between whoever dispatches operations and the workers that run
 * them. Nothing here does I/O at import time.
 *
 * @module
 */
export * as TransportError from "./TransportError.js"
