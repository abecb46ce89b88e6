/**
 * The live feed of one operation for its event stream: a `snapshot` first, then the progress
 * this process buffered (after a `Last-Event-ID` of ours), then `progress`, `result` and
 * `status` as this replica publishes them, ending after the final status. The database is polled
 * as well, for results and a status that another replica stored.
 *
 * Events are pushed by the hub in the step that publishes them and judged one batch at a time, in
 * order; only a final status that names results not seen yet waits for the database.
 *
 * @module
 */
import type { Effect } from "effect"
import type { SseMessage, SseSink } from "../core/sse.js"
import type { AppServices } from "../server.layer.js"
import type { Service as Hub, OperationEvent } from "./events.js"
import { finalStatuses, type OperationDetail, type WorkerResult } from "./operations.dto.js"
import * as Repository from "./operations.repository.js"

/** What a stream has seen a result by: one per job and worker. */
const keyOf = (r: WorkerResult) => `${r.jobId}\u0000${r.workerId}`

/** How a feed runs the repository's effects. */
export type Run = <A, E>(effect: Effect.Effect<A, E, AppServices>) => Promise<A>

/** A feed opened on an existing operation, to be started on an open stream at once. */
export interface Feed {
  /** Send the feed to `sink` until its final status, or until the client leaves. */
  readonly start: (sink: SseSink) => void
}

/**
 * Listen to the operation, then read its snapshot (so nothing falls between the two); undefined
 * when the operation does not exist. The caller starts the feed as soon as it has it (the
 * listener holds what comes meanwhile); a client that left by then closes it at once.
 */
export const open = async (
  hub: Hub,
  run: Run,
  id: string,
  options: { readonly lastEventId?: string | undefined; readonly pollMillis: number },
): Promise<Feed | undefined> => {
  const early: Array<ReadonlyArray<OperationEvent>> = []
  let onEvents = (events: ReadonlyArray<OperationEvent>) => void early.push(events)
  const unlisten = hub.listen(id, (events) => onEvents(events))
  let snapshot: OperationDetail | undefined
  try {
    snapshot = await run(Repository.get(id))
  } catch (error) {
    unlisten()
    throw error
  }
  if (snapshot === undefined) {
    unlisten()
    return undefined
  }
  const opened = snapshot
  return {
    start: (sink) => {
      let poller: ReturnType<typeof setTimeout> | undefined
      sink.onClose(() => {
        unlisten()
        clearTimeout(poller)
      })
      // in the same step as the listener's events are taken over: the two overlap, never miss
      const replay = hub.replay(id, options.lastEventId)
      // the last progress position sent: live progress at or before it is a duplicate
      let high = replay.cursor ?? 0
      // every message carries an id (else the client numbers them per connection): progress its
      // own, the others the position of the last progress sent, so that a reconnect with any of
      // them gets exactly the progress that came after
      const position = () => `${hub.epoch}-${high}`
      const progressMessage = (e: OperationEvent & { kind: "progress" }): SseMessage => {
        const { eventId, n, ...data } = e
        if (n !== undefined) high = Math.max(high, n)
        return { type: "progress", id: eventId ?? position(), data }
      }
      const first: Array<SseMessage> = [
        { type: "snapshot", id: position(), data: opened },
        ...replay.events.flatMap((e) => (e.kind === "progress" ? [progressMessage(e)] : [])),
      ]
      // an operation that has ended: nothing more comes
      if (finalStatuses.has(opened.status)) {
        first.push({ ...first.pop()!, last: true })
        return sink.send(first)
      }
      sink.send(first)

      const seen = new Set(opened.results.map(keyOf))
      let status = opened.status
      const toMessages = (e: OperationEvent): ReadonlyArray<SseMessage> => {
        switch (e.kind) {
          case "progress":
            return e.n !== undefined && e.n <= high ? [] : [progressMessage(e)]
          case "result": {
            const key = keyOf(e.result)
            if (seen.has(key)) return []
            seen.add(key)
            return [{ type: "result", id: position(), data: e.result satisfies WorkerResult }]
          }
          case "status":
            if (e.status === status) return []
            status = e.status
            return [
              finalStatuses.has(e.status)
                ? { type: "status", id: position(), data: { id, status: e.status }, last: true }
                : { type: "status", id: position(), data: { id, status: e.status } },
            ]
        }
      }
      const resultEvents = (results: ReadonlyArray<WorkerResult>): Array<OperationEvent> =>
        results.map((result) => ({ kind: "result", operationId: id, result }))
      // a final status stored with results this stream has not seen (another replica's)
      const needsCatchUp = (e: OperationEvent) =>
        e.kind === "status" &&
        finalStatuses.has(e.status) &&
        e.status !== status &&
        (e.received === undefined || e.received > seen.size)

      // batches in arrival order; one at a time, each element after the ones before it (a final
      // status follows the results of its batch)
      const pending: Array<ReadonlyArray<OperationEvent>> = early.splice(0)
      let busy = false
      const pump = (): void => {
        if (busy) return
        busy = true
        while (pending.length > 0 && !sink.closed()) {
          const batch = pending.shift()!
          const messages: Array<SseMessage> = []
          for (let i = 0; i < batch.length; i++) {
            const e = batch[i]!
            if (!needsCatchUp(e)) {
              messages.push(...toMessages(e))
              continue
            }
            sink.send(messages)
            pending.unshift(batch.slice(i + 1))
            void run(Repository.resultsOf(id))
              .catch((): ReadonlyArray<WorkerResult> => [])
              .then((results) => {
                sink.send([...resultEvents(results), e].flatMap(toMessages))
                busy = false
                pump()
              })
            return
          }
          sink.send(messages)
        }
        busy = false
      }
      onEvents = (events) => {
        pending.push(events)
        pump()
      }
      pump()

      // the database is asked for the status and the result count only; the results themselves
      // are read when the count says another replica stored some this stream has not seen
      const poll = async (): Promise<ReadonlyArray<OperationEvent>> => {
        const state = await run(Repository.stateOf(id))
        if (state === undefined) return []
        const results = state.received > seen.size ? await run(Repository.resultsOf(id)) : []
        return [
          ...resultEvents(results),
          {
            kind: "status" as const,
            operationId: id,
            status: state.status,
            received: state.received,
          },
        ]
      }
      const schedule = () => {
        poller = setTimeout(() => {
          // a failed poll (database briefly down) is skipped, not the end of the stream
          void poll()
            .catch((): ReadonlyArray<OperationEvent> => [])
            .then((events) => {
              if (sink.closed()) return
              onEvents(events)
              schedule()
            })
        }, options.pollMillis)
      }
      if (!sink.closed()) schedule()
    },
  }
}
