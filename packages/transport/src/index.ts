/**
 * `@netwark/transport`: the queues between whoever dispatches operations and the workers that run
 * them. Nothing here does I/O at import time.
 *
 * @module
 */
export * as Dedupe from "./Dedupe.js"
export * as Envelope from "./Envelope.js"
export * as InProcess from "./InProcess.js"
export * as Queues from "./Queues.js"
export * as RabbitMq from "./RabbitMq.js"
export * as Registry from "./Registry.js"
export * as Transport from "./Transport.js"
export * as TransportError from "./TransportError.js"
