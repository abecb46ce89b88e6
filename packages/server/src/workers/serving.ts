/**
 * Which online workers a dispatch really reaches, from what they announce in their capabilities:
 * the job types they run (`jobs`) and how their own configuration routes each queue (`modes`).
 * A worker that announces neither (an older or a foreign worker) is taken to run every type and
 * to route every queue as this server does.
 *
 * @module
 */
import type { Envelope } from "@netwark/transport"

/** How the worker's own configuration routes a queue, when it says. */
const modeOf = (worker: Envelope.WorkerInfo, queue: string): unknown => {
  const modes = worker.capabilities["modes"]
  return typeof modes === "object" && modes !== null
    ? (modes as Record<string, unknown>)[queue]
    : undefined
}

/**
 * Whether a worker gets the jobs this server sends to `queue` with `mode`: it consumes the
 * queue, and its `broadcast` flag for it agrees (a worker that disagrees consumes a queue or an
 * exchange binding the server never publishes to).
 */
export const receives = (
  worker: Envelope.WorkerInfo,
  queue: string,
  mode: "one" | "each",
): boolean => {
  if (!worker.queues.includes(queue)) return false
  const its = modeOf(worker, queue)
  return its === undefined || its === mode
}

/** The workers that consume `queue` but route it differently from this server. */
export const misrouted = (
  workers: ReadonlyArray<Envelope.WorkerInfo>,
  queue: string,
  mode: "one" | "each",
): ReadonlyArray<Envelope.WorkerInfo> =>
  workers.filter((w) => w.queues.includes(queue) && !receives(w, queue, mode))

/**
 * Whether a worker runs this job type, by the `jobs` it announces. A worker sent a type it does
 * not run dead-letters it and never answers.
 */
export const runs = (worker: Envelope.WorkerInfo, type: string): boolean => {
  const jobs = worker.capabilities["jobs"]
  return !Array.isArray(jobs) || jobs.includes(type)
}
