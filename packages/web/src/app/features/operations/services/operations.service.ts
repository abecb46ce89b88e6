import { Injectable, inject, signal } from "@angular/core"
import { Observable, bufferTime, filter } from "rxjs"
import { API, type ApiProblem, type EventCursor, isAbort, toProblem } from "../../../core/api"
import type {
  MtrParsed,
  Operation,
  OperationEvent,
  PingParsed,
  ProgressData,
  TracerouteParsed,
  OperationFilter,
  OperationPage,
  OperationRequest,
  WorkerResult,
} from "../../../core/models"

/** Statuses after which an operation changes no more. */
export const finalStatuses: ReadonlySet<string> = new Set(["done", "partial", "error", "timeout"])

/** Merges one worker's result into the list (a newer one for the same worker replaces it). */
export const mergeResult = (
  results: ReadonlyArray<WorkerResult>,
  r: WorkerResult,
): ReadonlyArray<WorkerResult> => {
  const i = results.findIndex((x) => x.workerId === r.workerId)
  if (i < 0) return [...results, r]
  const copy = results.slice()
  copy[i] = { ...results[i], ...r }
  return copy
}

/** Folds one progress message into a worker's partial result (same shapes as the final one). */
export const applyProgress = (partial: unknown, data: ProgressData): unknown => {
  switch (data.type) {
    case "ping": {
      const p = (partial ?? {}) as PingParsed
      const e = data.event
      const seq = e.sequence
      if (seq === undefined) return p
      if (e.type === "reply" && e.duplicate !== true)
        return {
          ...p,
          replies: [
            ...(p.replies ?? []),
            { sequence: seq, rttMs: e.rttMs, from: e.from, ttl: e.ttl },
          ],
        }
      if (e.type === "timeout") return { ...p, missing: [...(p.missing ?? []), seq] }
      if (e.type === "error")
        return {
          ...p,
          errors: [...(p.errors ?? []), { sequence: seq, message: e.message ?? "error" }],
        }
      return p
    }
    case "mtr":
      return { ...((partial ?? {}) as MtrParsed), hops: data.hops }
    case "traceroute": {
      const p = (partial ?? {}) as TracerouteParsed
      const hops = (p.hops ?? []).filter((h) => h.hop !== data.hop.hop)
      return { ...p, hops: [...hops, data.hop].sort((a, b) => a.hop - b.hop) }
    }
    default:
      return partial
  }
}

/** Applies a batch of live events to an operation. */
export const applyEvents = (op: Operation, events: ReadonlyArray<OperationEvent>): Operation => {
  let current = op
  let results = op.results
  let status = op.status
  for (const e of events) {
    if (e.kind === "snapshot") {
      current = e.operation
      status = e.operation.status
      // Progress already shown for workers the snapshot has no final result for stays.
      const done = new Set(e.operation.results.map((r) => r.workerId))
      results = [
        ...e.operation.results,
        ...results.filter((r) => !done.has(r.workerId) && r.status === "running"),
      ]
    } else if (e.kind === "result") results = mergeResult(results, e.result)
    else if (e.kind === "status") status = e.status
    else if (e.kind === "progress") {
      const prev = results.find((x) => x.workerId === e.workerId)
      // A late progress message never overwrites the final result.
      if (prev !== undefined && prev.status !== "running") continue
      // Progress carries no host name: the worker expected at dispatch has it.
      const hostname =
        e.hostname ?? current.expectedWorkers?.find((w) => w.workerId === e.workerId)?.hostname
      results = mergeResult(results, {
        workerId: e.workerId,
        ...(hostname ? { hostname } : {}),
        status: "running",
        result: applyProgress(prev?.result, e.data),
      })
    }
  }
  return { ...current, status, results }
}

/** Operations: create, list, and follow one live. */
@Injectable({ providedIn: "root" })
export class OperationsService {
  private readonly api = inject(API)

  /** Starts an operation; rejects with the API's problem. */
  async create(request: OperationRequest): Promise<Operation> {
    try {
      return await this.api.createOperation(request)
    } catch (e) {
      throw toProblem(e)
    }
  }

  /** One page of the list. */
  list(filter: OperationFilter, signal?: AbortSignal): Promise<OperationPage> {
    return this.api.listOperations(filter, signal)
  }

  /** The operation's current state. */
  get(id: string, signal?: AbortSignal): Promise<Operation> {
    return this.api.getOperation(id, signal)
  }

  /**
   * Follows an operation: loads it, then applies the event stream in batches of 100 ms, so a
   * broadcast to a hundred workers redraws ten times a second, not a hundred. Stops when
   * `stop` aborts. A lost connection (network, server restart, 5xx) is retried for as long as
   * the page is open, backing off to 10 s, with `trouble` saying why meanwhile; only an answer
   * about the operation itself (404, 400) ends it as `error`.
   */
  follow(id: string, stop: AbortSignal): LiveOperation {
    const state = signal<Operation | null>(null)
    const error = signal<ApiProblem | null>(null)
    const trouble = signal<ApiProblem | null>(null)
    const live = signal(false)
    const controller = new AbortController()
    stop.addEventListener("abort", () => controller.abort(), { once: true })
    const cancel = controller.signal
    // A reconnect resumes after the last event seen: the server replays only newer progress.
    const cursor: EventCursor = {}
    let heard = false
    /** Streams events into `state`; resolves with the error that broke the stream, or null. */
    const stream = (): Promise<unknown> =>
      new Promise<unknown>((resolve) => {
        this.events(id, cancel, cursor)
          .pipe(
            bufferTime(100),
            filter((b) => b.length > 0),
          )
          .subscribe({
            next: (batch) => {
              heard = true
              state.update((s) => (s === null ? s : applyEvents(s, batch)))
            },
            error: (e: unknown) => resolve(e),
            complete: () => resolve(null),
          })
      })
    const pause = (millis: number): Promise<void> =>
      new Promise((resolve) => {
        const timer = setTimeout(resolve, millis)
        cancel.addEventListener(
          "abort",
          () => {
            clearTimeout(timer)
            resolve()
          },
          { once: true },
        )
      })
    const run = async (): Promise<void> => {
      for (let attempt = 0; !cancel.aborted; attempt++) {
        try {
          const op = await this.get(id, cancel)
          trouble.set(null)
          // A reconnect's fresh read keeps the progress already shown for workers still running.
          state.update((s) =>
            s === null ? op : applyEvents(s, [{ kind: "snapshot", operation: op }]),
          )
          if (finalStatuses.has(op.status)) return
          live.set(true)
          heard = false
          const broken = await stream()
          live.set(false)
          if (cancel.aborted || isAbort(broken)) return
          if (heard) attempt = 0
          // The stream may end between two events (or drop): the next read settles the state.
          if (broken !== null) trouble.set(toProblem(broken))
        } catch (e) {
          live.set(false)
          if (cancel.aborted || isAbort(e)) return
          const p = toProblem(e)
          if (p.status !== 0 && p.status < 500) {
            error.set(p)
            return
          }
          trouble.set(p)
        }
        await pause(Math.min(500 * 2 ** attempt, 10_000))
      }
    }
    void run()
    return {
      operation: state.asReadonly(),
      error: error.asReadonly(),
      trouble: trouble.asReadonly(),
      live: live.asReadonly(),
    }
  }

  /** The server's event stream as an Observable (the one RxJS edge of the console). */
  private events(id: string, signal: AbortSignal, cursor: EventCursor): Observable<OperationEvent> {
    return new Observable<OperationEvent>((subscriber) => {
      const inner = new AbortController()
      const abort = (): void => inner.abort()
      signal.addEventListener("abort", abort, { once: true })
      void (async () => {
        try {
          for await (const event of this.api.operationEvents(id, inner.signal, cursor)) {
            subscriber.next(event)
            if (event.kind === "end") break
          }
          subscriber.complete()
        } catch (e) {
          subscriber.error(e)
        }
      })()
      return () => {
        signal.removeEventListener("abort", abort)
        inner.abort()
      }
    })
  }
}

/** A followed operation. */
export interface LiveOperation {
  readonly operation: () => Operation | null
  readonly error: () => ApiProblem | null
  /** Why the console is reconnecting (the connection dropped); null while all is well. */
  readonly trouble: () => ApiProblem | null
  /** Whether the event stream is open. */
  readonly live: () => boolean
}
