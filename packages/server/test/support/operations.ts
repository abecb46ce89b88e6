/** Operations as the repository stores them, for tests that write to the database directly. */
import { randomUUID } from "node:crypto"
import { Queues } from "@netwark/transport"
import type { NewOperation } from "../../src/operations/operations.repository.js"

/** A ping of 127.0.0.1 (or `target`) on the direct queue, with a minute to run. */
export const ping = (id: string = randomUUID(), target = "127.0.0.1"): NewOperation => ({
  id,
  type: "ping",
  target,
  options: {},
  queues: [Queues.direct],
  timeoutMs: 60_000,
})
