/**
 * The console's one door to the server. Feature services inject `API` and call its methods; the
 * implementation is `@netwark/client` (see `provideApi`), so no page builds URLs itself.
 */
import { InjectionToken } from "@angular/core"
import type {
  Operation,
  OperationEvent,
  OperationFilter,
  OperationPage,
  OperationRequest,
  Queue,
  WorkerSummary,
} from "./models"

/** An API error as the pages show it: the server's problem details, flattened. */
export interface ApiProblem {
  readonly status: number
  readonly title: string
  readonly detail: string
  readonly field?: string
  readonly errors?: ReadonlyArray<{ readonly field: string; readonly message: string }>
}

/** Where an event stream got to: the id of the last event seen. */
export interface EventCursor {
  lastEventId?: string
}

/** The API surface the console uses. */
export interface Api {
  createOperation(request: OperationRequest): Promise<Operation>
  listOperations(filter: OperationFilter, signal?: AbortSignal): Promise<OperationPage>
  getOperation(id: string, signal?: AbortSignal): Promise<Operation>
  /**
   * Live updates until the operation ends or `signal` aborts. A `cursor` remembers the last event
   * id, so a reconnect with the same cursor resumes after it instead of replaying progress.
   */
  operationEvents(
    id: string,
    signal: AbortSignal,
    cursor?: EventCursor,
  ): AsyncIterable<OperationEvent>
  queues(signal?: AbortSignal): Promise<ReadonlyArray<Queue>>
  workers(signal?: AbortSignal): Promise<ReadonlyArray<WorkerSummary>>
  whois(resource: string, signal?: AbortSignal): Promise<unknown>
  geoip(ip: string, signal?: AbortSignal): Promise<unknown>
  ouiLookup(mac: string, signal?: AbortSignal): Promise<unknown>
  ouiSearch(search: string, offset: number, limit: number, signal?: AbortSignal): Promise<unknown>
  ipCalcNetwork(address: string, prefix: string | undefined, signal?: AbortSignal): Promise<unknown>
  ipCalcSubnets(
    address: string,
    prefix: string,
    newPrefix: number,
    offset: number,
    limit: number,
    signal?: AbortSignal,
  ): Promise<unknown>
  ipCalcAggregate(
    networks: ReadonlyArray<string>,
    signal?: AbortSignal,
  ): Promise<{ readonly networks: ReadonlyArray<string> }>
}

/** The API the console talks to. */
export const API = new InjectionToken<Api>("netwark.api")

/** Turns any thrown value into an `ApiProblem` (client errors carry the server's problem). */
export const toProblem = (e: unknown): ApiProblem => {
  if (typeof e === "object" && e !== null && "problem" in e) {
    const err = e as { status?: number; problem: Record<string, unknown>; message?: string }
    const p = err.problem
    const errors = Array.isArray(p["errors"])
      ? (p["errors"] as Array<{ field?: unknown; message?: unknown }>)
          .filter((x) => typeof x.field === "string" && typeof x.message === "string")
          .map((x) => ({ field: x.field as string, message: x.message as string }))
      : undefined
    return {
      status: typeof err.status === "number" ? err.status : 0,
      title: typeof p["title"] === "string" ? p["title"] : "Error",
      detail: typeof p["detail"] === "string" ? p["detail"] : (err.message ?? "request failed"),
      ...(typeof p["field"] === "string" ? { field: p["field"] } : {}),
      ...(errors === undefined ? {} : { errors }),
    }
  }
  return { status: 0, title: "Error", detail: e instanceof Error ? e.message : String(e) }
}

/** Whether an error is an aborted request (a page left, a newer keystroke superseded it). */
export const isAbort = (e: unknown): boolean =>
  (e instanceof Error && e.name === "AbortError") ||
  (typeof e === "object" && e !== null && (e as { reason?: unknown }).reason === "Aborted")
