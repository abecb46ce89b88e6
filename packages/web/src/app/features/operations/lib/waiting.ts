import type { Operation, OperationType, WorkerResult } from "../../../core/models"

/**
 * The operation's results followed by a placeholder card for each expected worker still out
 * ("waiting"), or that never answered once the operation ended ("no answer").
 *
 * A job on a queue where any one worker takes it names no worker until one answers: a final
 * result carries its queue, but live progress does not, so progress from a worker the operation
 * did not name takes one such job (otherwise the page showed that worker running and a
 * "waiting" card for the very job it was running).
 */
export const withWaiting = (
  op: Operation,
  final: boolean,
  /** Queues with no worker online now: a job waiting there says why. */
  idle: ReadonlySet<string> = new Set(),
): ReadonlyArray<WorkerResult> => {
  const expected = op.expectedWorkers ?? []
  const named = new Set(expected.flatMap((w) => (w.workerId === null ? [] : [w.workerId])))
  const answered = new Set(op.results.map((r) => r.workerId))
  const claimed = new Set<WorkerResult>()
  const claim = (match: (r: WorkerResult) => boolean): boolean => {
    const r = op.results.find((x) => !claimed.has(x) && match(x))
    if (r !== undefined) claimed.add(r)
    return r !== undefined
  }
  const waiting: Array<WorkerResult> = []
  for (const w of expected) {
    if (w.workerId !== null && answered.has(w.workerId)) continue
    if (
      w.workerId === null &&
      (claim((r) => r.queue === w.queue) ||
        claim((r) => r.queue === undefined && !named.has(r.workerId)))
    )
      continue
    waiting.push({
      workerId: w.workerId ?? w.jobId ?? w.queue,
      hostname: w.hostname ?? w.workerId ?? `A worker on ${w.queue}`,
      queue: w.queue,
      status: final ? "no answer" : "waiting",
      ...(!final && w.workerId === null && idle.has(w.queue)
        ? { error: `No worker is online on ${w.queue}: the job waits for one until the deadline.` }
        : {}),
    })
  }
  return [...op.results, ...waiting]
}

/**
 * Whether a worker's result holds anything its type's view can draw (a reply, a hop, a DNS
 * message or outcome). A finished result without any (`ping: nope.invalid: Name or service not
 * known`) shows its error alone, not an empty summary saying "Waiting for replies…".
 */
export const hasOutput = (type: OperationType, result: unknown): boolean => {
  if (typeof result !== "object" || result === null) return false
  const r = result as Record<string, unknown>
  const some = (k: string): boolean => Array.isArray(r[k]) && (r[k] as Array<unknown>).length > 0
  switch (type) {
    case "ping":
      return some("replies") || some("missing") || some("errors") || r["summary"] !== undefined
    case "mtr":
    case "traceroute":
      return some("hops")
    case "dns":
      return some("messages") || some("trace") || typeof r["status"] === "string"
  }
}
