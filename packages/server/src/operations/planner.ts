/**
 * The plan of a dispatch: each operation's jobs and the workers each expects, fixed from the
 * registry's online workers before anything is published. Made by the writer as it stores new
 * operations, and by the dispatcher for what it claims from the outbox.
 *
 * @module
 */
import type { Envelope, Queues } from "@netwark/transport"
import { Either } from "effect"
import { receives, runs } from "../workers/serving.js"
import type * as Repository from "./operations.repository.js"

/** `f` computed once per key. */
const memo = <A>(f: (key: string) => A): ((key: string) => A) => {
  const seen = new Map<string, A>()
  return (key) => {
    if (!seen.has(key)) seen.set(key, f(key))
    return seen.get(key)!
  }
}

/**
 * The planner of one batch: each operation's jobs and the workers each expects, fixed from the
 * registry's online workers before anything is published; or why it cannot be sent. Who receives
 * a queue and who of them runs a type is worked out once per planner rather than once per
 * operation (a batch holds up to 256 operations, mostly to the same few queues).
 */
export const planner = (
  targets: ReadonlyArray<Queues.Target>,
  online: ReadonlyArray<Envelope.WorkerInfo>,
): Repository.Planner => {
  const known = new Map(targets.map((t) => [t.name, t.mode] as const))
  const receiversOf = memo((queue: string) =>
    online.filter((w) => receives(w, queue, known.get(queue)!)),
  )
  const servingOf = memo((queue: string) =>
    memo((type: string) => receiversOf(queue).filter((w) => runs(w, type))),
  )
  return (p) => {
    const unknown = p.queues.find((q) => !known.has(q))
    if (unknown !== undefined)
      return Either.left({
        outboxId: p.outboxId,
        operationId: p.id,
        error: `unknown queue ${unknown}`,
        permanent: true,
      })
    // a direct queue whose online workers all leave the type out: each would answer that it
    // does not run it, so say so now (with nobody online the job waits for a worker, as ever)
    const idle = p.queues.find(
      (q) =>
        known.get(q) === "one" && receiversOf(q).length > 0 && servingOf(q)(p.type).length === 0,
    )
    if (idle !== undefined) {
      const there = receiversOf(idle).map((w) => w.id)
      return Either.left({
        outboxId: p.outboxId,
        operationId: p.id,
        error: `no worker online on queue ${idle} runs ${p.type} jobs (online there: ${there.slice(0, 5).join(", ")}${there.length > 5 ? ", …" : ""})`,
        permanent: true,
      })
    }
    const jobs = p.queues.map((queue) => {
      const mode = known.get(queue)!
      // a broadcast waits only for the workers that run the type
      const workers = mode === "one" ? [] : servingOf(queue)(p.type)
      return {
        jobId: `${p.id}/${queue}`,
        queue,
        mode,
        // a direct job waits in its queue for a worker: it always expects one answer
        expected: mode === "one" ? 1 : workers.length,
        workers: workers.map((w) => ({ id: w.id, hostname: w.hostname })),
      }
    })
    return Either.right({
      outboxId: p.outboxId,
      id: p.id,
      deadline: Date.now() + p.timeoutMs,
      expected: jobs.reduce((n, j) => n + j.expected, 0),
      jobs,
    })
  }
}
