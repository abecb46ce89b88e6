/**
 * Which online workers a dispatch really reaches, from what they announce in their capabilities:
 * the job types they run (`jobs`), how their own configuration routes each queue (`modes`) and
 * which types their transport routes to queues of their own (`jobTypes`). A worker that announces
 * none of them (an older or a foreign worker) is taken to run every type and to route every queue
 * as this server does.
 *
 * @module
 */
import type { Envelope, Registry } from "@netwark/transport"

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

/** Something about a worker's queues that keeps jobs from it, keyed to be said once. */
export interface RoutingProblem {
  /** The worker and queue: one warning per pair and process. */
  readonly key: string
  readonly message: string
}

const flag = (mode: "one" | "each") => (mode === "each" ? "broadcast: true" : "broadcast: false")

/**
 * What an operator should hear about the online workers' queues: a queue a worker routes with
 * another `broadcast` flag than this server (it gets none of its jobs), and a queue this server
 * does not know (nobody can send it a job; the server's `netwark_queues` lacks it).
 */
export const routingProblems = (
  workers: ReadonlyArray<Envelope.WorkerInfo>,
  targets: ReadonlyArray<{ readonly name: string; readonly mode: "one" | "each" }>,
): ReadonlyArray<RoutingProblem> =>
  workers.flatMap((w) =>
    w.queues.flatMap((queue): ReadonlyArray<RoutingProblem> => {
      const target = targets.find((t) => t.name === queue)
      const who = `worker ${w.id} (${w.hostname})`
      if (target === undefined)
        return [
          {
            key: `${w.id} ${queue}`,
            message: `${who} serves queue ${queue}, which is not in this server's netwark_queues: no operation can be sent to it`,
          },
        ]
      if (receives(w, queue, target.mode)) return []
      const theirs = target.mode === "each" ? "one" : "each"
      return [
        {
          key: `${w.id} ${queue}`,
          message: `${who} has queue ${queue} as ${flag(theirs)} and this server as ${flag(target.mode)}: it gets none of its jobs until both agree`,
        },
      ]
    }),
  )

/**
 * The job types a worker's transport routes to queues of their own, as it announces them
 * (`capabilities.jobTypes`); undefined for a worker that does not (earlier versions) or sends
 * something else than a list of strings.
 */
export const announcedJobTypes = (
  worker: Envelope.WorkerInfo,
): ReadonlyArray<string> | undefined => {
  const types = worker.capabilities["jobTypes"]
  return Array.isArray(types) && types.every((t) => typeof t === "string") ? types : undefined
}

/**
 * The direct queues of a worker on which this server routes job types to queues of their own
 * (`<queue>/<type>`) that the worker's announced `jobTypes` lack: it never consumes them, so
 * their jobs wait there for another worker or their deadline. One problem per worker (keyed by
 * its id), naming its queues and those types; none for a worker that announces no list (unknown)
 * or a queue whose `broadcast` flag it has otherwise ({@link routingProblems} says that).
 */
export const jobTypeProblem = (
  worker: Envelope.WorkerInfo,
  targets: ReadonlyArray<{
    readonly name: string
    readonly mode: "one" | "each"
    readonly jobTypes?: ReadonlyArray<string>
  }>,
): RoutingProblem | undefined => {
  const theirs = announcedJobTypes(worker)
  if (theirs === undefined) return undefined
  // queues by the types they lack, so that the usual case (one list for all) is one sentence
  const byMissing = new Map<string, { types: ReadonlyArray<string>; queues: Array<string> }>()
  for (const queue of worker.queues) {
    const target = targets.find((t) => t.name === queue)
    if (target === undefined || target.mode !== "one" || !receives(worker, queue, "one")) continue
    const missing = (target.jobTypes ?? []).filter((type) => !theirs.includes(type))
    if (missing.length === 0) continue
    const key = missing.join(",")
    const group = byMissing.get(key) ?? { types: missing, queues: [] }
    group.queues.push(queue)
    byMissing.set(key, group)
  }
  if (byMissing.size === 0) return undefined
  const plural = (n: number, one: string, many: string) => (n === 1 ? one : many)
  const parts = [...byMissing.values()].map(
    ({ types, queues }) =>
      `the ${types.join(", ")} jobs sent to ${plural(queues.length, "queue", "queues")} ${queues.join(", ")}`,
  )
  return {
    key: worker.id,
    message: `worker ${worker.id} (${worker.hostname}) gets none of ${parts.join("; ")}: this server routes them to queues of their own (<queue>/<type>), which the worker does not consume (its jobTypes: ${theirs.length === 0 ? "none" : theirs.join(", ")}); they wait there for another worker or their deadline (run the same version on the server and the workers)`,
  }
}

/**
 * Whether a worker runs this job type, by the `jobs` it announces. A worker sent a type it does
 * not run dead-letters it and never answers.
 */
export const runs = (worker: Envelope.WorkerInfo, type: string): boolean => {
  const jobs = worker.capabilities["jobs"]
  return !Array.isArray(jobs) || jobs.includes(type)
}

/** How far ahead of the server's a worker's clock may be before the server says so. */
const clockTolerance = 5_000

/**
 * Online workers whose clock is more than 5 s ahead of the server's: job deadlines are instants
 * on the server's clock, so such a worker answers `expired` every job whose timeout is shorter.
 * Only "ahead" is told: a message's transit time (a busy broker or event loop) makes a clock
 * look behind, never ahead, and a worker behind only runs jobs late.
 */
export const clockProblems = (
  known: ReadonlyArray<Registry.Known>,
): ReadonlyArray<RoutingProblem> =>
  known.flatMap(({ worker: w, status, clockSkewMs }): ReadonlyArray<RoutingProblem> =>
    status === "online" && clockSkewMs > clockTolerance
      ? [
          {
            key: `${w.id} clock`,
            message: `worker ${w.id} (${w.hostname}): its clock is ${Math.round(clockSkewMs / 1000)} s ahead of this server's; it answers the jobs whose timeout is shorter than that as expired (sync its clock, e.g. NTP)`,
          },
        ]
      : [],
  )
