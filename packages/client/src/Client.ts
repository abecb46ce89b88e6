/**
 * The typed client of the Netwark REST API: one method per endpoint, named after the endpoint's
 * OpenAPI `operationId`, with request and answer types generated from the server's committed
 * `openapi.json`. Works wherever `fetch` does (Node 24, browsers, Deno, Bun).
 *
 * ```ts
 * const api = createClient({ baseUrl: "http://localhost:6543" })
 * const info = await api.ipCalcNetwork("192.168.1.10", "24")
 * ```
 *
 * @module
 */
import type { paths } from "./generated/openapi.js"
import { json, send, text, type Request, type Transport } from "./internal/http.js"
import { ClientError } from "./ClientError.js"
import * as Sse from "./Sse.js"

/** How to reach the server. */
export interface ClientOptions {
  /** The server's origin, e.g. `http://localhost:6543` (a trailing `/api/v1` is accepted too). */
  readonly baseUrl: string
  /** The `fetch` to use (default: the global one), e.g. to add auth or run in tests. */
  readonly fetch?: typeof globalThis.fetch
  /** Headers sent with every request (e.g. `authorization`). */
  readonly headers?: Readonly<Record<string, string>>
}

/** Per-call options. */
export interface CallOptions {
  /** Aborts the request; the call then fails with a `ClientError` of reason `Aborted`. */
  readonly signal?: AbortSignal
}

/** The generated description of every path of the API. */
export type Paths = paths

/** An HTTP method the API uses. */
export type Method = "get" | "post"

type EndpointOf<P extends keyof Paths, M extends Method> = NonNullable<Paths[P][M]>

type JsonContent<R> = R extends { content: { "application/json": infer T } } ? T : never

/** The JSON answer of an endpoint for a status code (default 200). */
export type ResponseOf<P extends keyof Paths, M extends Method, S extends number = 200> =
  EndpointOf<P, M> extends { responses: infer Rs }
    ? S extends keyof Rs
      ? JsonContent<Rs[S]>
      : never
    : never

/** The query parameters of an endpoint. */
export type QueryOf<P extends keyof Paths, M extends Method> =
  EndpointOf<P, M> extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never

/** The JSON request body of an endpoint. */
export type BodyOf<P extends keyof Paths, M extends Method> =
  EndpointOf<P, M> extends { requestBody: { content: { "application/json": infer B } } }
    ? B
    : EndpointOf<P, M> extends { requestBody?: { content: { "application/json": infer B } } }
      ? B
      : never

/** `GET /ip-calc/{address}` and `/{address}/{prefix}`: the full report of a network. */
export type IpCalcInfo = ResponseOf<"/api/v1/ip-calc/{address}/{prefix}", "get">
/** `GET /ip-calc/{address}/{prefix}/subnets`: one page of subnets. */
export type IpCalcSubnets = ResponseOf<"/api/v1/ip-calc/{address}/{prefix}/subnets", "get">
/** `GET /mac-oui/{mac}`: the holder of a MAC address. */
export type MacOuiMatch = ResponseOf<"/api/v1/mac-oui/{mac}", "get">
/** `GET /mac-oui`: one page of organization search results. */
export type MacOuiPage = ResponseOf<"/api/v1/mac-oui", "get">
/** `GET /whois/{resource}`: a WHOIS/RDAP lookup. */
export type WhoisLookup = ResponseOf<"/api/v1/whois/{resource}", "get">
/** `GET /geoip/{ip}`: a GeoIP record. */
export type GeoIpRecord = ResponseOf<"/api/v1/geoip/{ip}", "get">
/** `POST /operations`: what to run. */
export type CreateOperation = BodyOf<"/api/v1/operations", "post">
/** An operation as listed and as answered by `POST /operations`. */
export type Operation = ResponseOf<"/api/v1/operations", "post", 202>
/** `GET /operations`: filters and paging; `since` and `until` also take a `Date`. */
export type OperationQuery = Omit<QueryOf<"/api/v1/operations", "get">, "since" | "until"> & {
  readonly since?: string | Date
  readonly until?: string | Date
}
/** `GET /operations`: one page of operations. */
export type OperationPage = ResponseOf<"/api/v1/operations", "get">
/** `GET /operations/{id}`: the operation with one result per worker. */
export type OperationDetail = ResponseOf<"/api/v1/operations/{id}", "get">
/** One worker's result of an operation. */
export type WorkerResult = OperationDetail["results"][number]
/** Where an operation is in its life. */
export type OperationStatus = Operation["status"]
/** `GET /workers`: presence and capabilities. */
export type Workers = ResponseOf<"/api/v1/workers", "get">
/** `GET /management/backend/queues`: the configured queues and the workers on each. */
export type Queues = ResponseOf<"/api/v1/management/backend/queues", "get">

/** `GET /health`: `status` is `ok` when the database and the broker are up. */
export interface Health {
  readonly status: string
  readonly [part: string]: unknown
}

/** A live progress message of one worker (its `data` is the tool's own progress record). */
export interface ProgressEvent {
  readonly kind: "progress"
  readonly operationId: string
  readonly jobId: string
  readonly workerId: string
  readonly seq: number
  readonly at: string
  readonly data: unknown
}

/** One event of `GET /operations/{id}/events`, by its SSE event type. */
export type OperationEvent =
  | { readonly type: "snapshot"; readonly id: string | undefined; readonly data: OperationDetail }
  | { readonly type: "progress"; readonly id: string | undefined; readonly data: ProgressEvent }
  | { readonly type: "result"; readonly id: string | undefined; readonly data: WorkerResult }
  | {
      readonly type: "status"
      readonly id: string | undefined
      readonly data: { readonly id: string; readonly status: OperationStatus }
    }

/** The operation statuses after which nothing changes any more. */
export const finalStatuses: ReadonlySet<OperationStatus> = new Set<OperationStatus>([
  "done",
  "partial",
  "error",
  "timeout",
])

/** Options of `operationEvents`. */
export interface EventsOptions extends CallOptions {
  /** Resume after this event id (sent as `Last-Event-ID`). */
  readonly lastEventId?: string
  /**
   * How many times in a row to reconnect when the stream breaks or ends before the operation's
   * final status (default 5; 0: never). Each reconnect waits the server's `retry:` delay (1 s
   * when it sent none) and sends the last event id as `Last-Event-ID`; the server answers with a
   * fresh `snapshot`, then only the progress after that id. When the tries run out the loop
   * throws a `ClientError` of reason `Network`.
   */
  readonly reconnect?: number
}

/** The API client: one method per endpoint. Every failure is a `ClientError`. */
export interface Client {
  /** `GET /ip-calc/{address}`: report on one address (a /32 or /128 host route). */
  readonly ipCalcAddress: (address: string, options?: CallOptions) => Promise<IpCalcInfo>
  /** `GET /ip-calc/{address}/{prefix}`: report on a network; `prefix` may be a netmask. */
  readonly ipCalcNetwork: (
    address: string,
    prefix: string | number,
    options?: CallOptions,
  ) => Promise<IpCalcInfo>
  /** `GET /ip-calc/{address}/{prefix}/subnets`: one page of the subnets of `newPrefix`. */
  readonly ipCalcSubnets: (
    address: string,
    prefix: string | number,
    query: QueryOf<"/api/v1/ip-calc/{address}/{prefix}/subnets", "get">,
    options?: CallOptions,
  ) => Promise<IpCalcSubnets>
  /** `POST /ip-calc/aggregate`: the minimal CIDR blocks covering `networks`. */
  readonly ipCalcAggregate: (
    body: BodyOf<"/api/v1/ip-calc/aggregate", "post">,
    options?: CallOptions,
  ) => Promise<ResponseOf<"/api/v1/ip-calc/aggregate", "post">>
  /** `POST /ip-calc/contains`: whether `networks` together contain every one of `addresses`. */
  readonly ipCalcContains: (
    body: BodyOf<"/api/v1/ip-calc/contains", "post">,
    options?: CallOptions,
  ) => Promise<ResponseOf<"/api/v1/ip-calc/contains", "post">>
  /** `GET /ip-calc/range/{start}/{end}`: the fewest CIDR blocks covering the range. */
  readonly ipCalcRange: (
    start: string,
    end: string,
    options?: CallOptions,
  ) => Promise<ResponseOf<"/api/v1/ip-calc/range/{start}/{end}", "get">>
  /** `GET /mac-oui?search=`: organizations whose name contains the search text. */
  readonly macOuiSearch: (
    query: QueryOf<"/api/v1/mac-oui", "get">,
    options?: CallOptions,
  ) => Promise<MacOuiPage>
  /** `GET /mac-oui/{mac}`: the registered holder of a MAC address or prefix. */
  readonly macOuiLookup: (mac: string, options?: CallOptions) => Promise<MacOuiMatch>
  /** `GET /whois/{resource}`: domain, IP or AS registration (RDAP first, WHOIS fallback). */
  readonly whoisLookup: (
    resource: string,
    query?: QueryOf<"/api/v1/whois/{resource}", "get">,
    options?: CallOptions,
  ) => Promise<WhoisLookup>
  /** `GET /geoip/{ip}`: country, city, location and AS of an address. */
  readonly geoIpLookup: (ip: string, options?: CallOptions) => Promise<GeoIpRecord>
  /** `POST /operations`: start an operation; workers run it (answer 202, at once). */
  readonly createOperation: (body: CreateOperation, options?: CallOptions) => Promise<Operation>
  /** `GET /operations`: a page of operations, newest first, with filters. */
  readonly listOperations: (query?: OperationQuery, options?: CallOptions) => Promise<OperationPage>
  /** `GET /operations/{id}`: the operation with one result per worker. */
  readonly getOperation: (id: string, options?: CallOptions) => Promise<OperationDetail>
  /**
   * `GET /operations/{id}/events`: live events (Server-Sent Events): a `snapshot`, then
   * `progress`, `result` and `status` as they happen; the iteration ends after the final status
   * or when `signal` aborts. Leaving the loop early closes the stream. A stream lost before the
   * final status is resumed with `Last-Event-ID` (see `EventsOptions.reconnect`).
   */
  readonly operationEvents: (id: string, options?: EventsOptions) => AsyncIterable<OperationEvent>
  /** `GET /workers`: workers online, their queues and capabilities. */
  readonly listWorkers: (options?: CallOptions) => Promise<Workers>
  /** `GET /management/backend/queues`: configured queues, locations and workers online. */
  readonly listQueues: (options?: CallOptions) => Promise<Queues>
  /** `GET /health`: the server's report; a 503 (something is down) still answers the report. */
  readonly health: (options?: CallOptions) => Promise<Health>
  /** `GET /metrics`: Prometheus text. */
  readonly metrics: (options?: CallOptions) => Promise<string>
}

/**
 * Normalizes the base URL: no trailing slash, no trailing API prefix (the paths carry it). An
 * address without a scheme (`localhost:6543`, `10.0.0.5:6543`) is refused at once, naming the
 * URL to give: `fetch` would fail each call with "unknown scheme" or "Invalid URL" instead. A
 * relative URL is left to browsers, which resolve it against the page.
 */
const origin = (baseUrl: string): string => {
  const u = baseUrl.trim().replace(/\/+$/, "")
  const hint = `baseUrl must be an http(s) URL such as http://localhost:6543, got ${JSON.stringify(baseUrl)}`
  if (URL.canParse(u)) {
    if (!/^https?:$/.test(new URL(u).protocol))
      throw new TypeError(/^[a-z][a-z0-9+.-]*:\d/i.test(u) ? `${hint}: give http://${u}` : hint)
  } else if (!("document" in globalThis)) {
    throw new TypeError(/^[^/]+:\d+/.test(u) ? `${hint}: give http://${u}` : hint)
  }
  return u.endsWith("/api/v1") ? u.slice(0, -"/api/v1".length) : u
}

/**
 * Builds a client for the server at `options.baseUrl`. Throws a `TypeError` when `baseUrl` is not
 * an http(s) URL (outside a browser page, where a relative one resolves against the page).
 */
export const createClient = (options: ClientOptions): Client => {
  const t: Transport = {
    baseUrl: origin(options.baseUrl),
    fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    headers: options.headers ?? {},
  }
  const call = <A>(r: Request, o: CallOptions | undefined): Promise<A> =>
    json<A>(t, o?.signal === undefined ? r : { ...r, signal: o.signal })
  return {
    ipCalcAddress: (address, o) =>
      call({ method: "GET", path: "/api/v1/ip-calc/{address}", params: { address } }, o),
    ipCalcNetwork: (address, prefix, o) =>
      call(
        { method: "GET", path: "/api/v1/ip-calc/{address}/{prefix}", params: { address, prefix } },
        o,
      ),
    ipCalcSubnets: (address, prefix, query, o) =>
      call(
        {
          method: "GET",
          path: "/api/v1/ip-calc/{address}/{prefix}/subnets",
          params: { address, prefix },
          query,
        },
        o,
      ),
    ipCalcAggregate: (body, o) =>
      call({ method: "POST", path: "/api/v1/ip-calc/aggregate", body }, o),
    ipCalcContains: (body, o) =>
      call({ method: "POST", path: "/api/v1/ip-calc/contains", body }, o),
    ipCalcRange: (start, end, o) =>
      call(
        { method: "GET", path: "/api/v1/ip-calc/range/{start}/{end}", params: { start, end } },
        o,
      ),
    macOuiSearch: (query, o) => call({ method: "GET", path: "/api/v1/mac-oui", query }, o),
    macOuiLookup: (mac, o) =>
      call({ method: "GET", path: "/api/v1/mac-oui/{mac}", params: { mac } }, o),
    whoisLookup: (resource, query, o) =>
      call(
        {
          method: "GET",
          path: "/api/v1/whois/{resource}",
          params: { resource },
          ...(query === undefined ? {} : { query }),
        },
        o,
      ),
    geoIpLookup: (ip, o) => call({ method: "GET", path: "/api/v1/geoip/{ip}", params: { ip } }, o),
    createOperation: (body, o) => call({ method: "POST", path: "/api/v1/operations", body }, o),
    listOperations: (query, o) =>
      call(
        {
          method: "GET",
          path: "/api/v1/operations",
          ...(query === undefined ? {} : { query: toQuery(query) }),
        },
        o,
      ),
    getOperation: (id, o) =>
      call({ method: "GET", path: "/api/v1/operations/{id}", params: { id } }, o),
    operationEvents: (id, o) => events(t, id, o ?? {}),
    listWorkers: (o) => call({ method: "GET", path: "/api/v1/workers" }, o),
    listQueues: (o) => call({ method: "GET", path: "/api/v1/management/backend/queues" }, o),
    health: (o) =>
      call<Health>({ method: "GET", path: "/api/v1/health" }, o).catch((e: unknown) => {
        if (e instanceof ClientError && e.status === 503 && typeof e.problem["status"] === "string")
          return e.problem as unknown as Health
        throw e
      }),
    metrics: (o) =>
      text(t, {
        method: "GET",
        path: "/api/v1/metrics",
        accept: "text/plain",
        ...(o?.signal === undefined ? {} : { signal: o.signal }),
      }),
  }
}

/** Query values as strings: dates in ISO 8601, the rest as given. */
const toQuery = (query: OperationQuery): Record<string, string | number | undefined> => {
  const out: Record<string, string | number | undefined> = {}
  for (const [k, v] of Object.entries(query as Record<string, unknown>)) {
    if (v === undefined || v === null) continue
    out[k] = v instanceof Date ? v.toISOString() : (v as string | number)
  }
  return out
}

const EVENT_TYPES: ReadonlySet<string> = new Set(["snapshot", "progress", "result", "status"])

/** How long to wait before reconnecting when the server named no `retry:` delay. */
const DEFAULT_RETRY_MS = 1000

/** Waits `ms`, or less when `signal` aborts. */
const sleep = (ms: number, signal: AbortSignal | undefined): Promise<void> =>
  new Promise((resolve) => {
    if (signal?.aborted === true) return resolve()
    const done = () => {
      clearTimeout(timer)
      signal?.removeEventListener("abort", done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal?.addEventListener("abort", done, { once: true })
  })

const isFinal = (status: unknown): boolean =>
  typeof status === "string" && finalStatuses.has(status as OperationStatus)

/** The `Network` error of an event stream that ended or failed before the final status. */
const streamBroken = (res: Response, detail: string, cause?: unknown): ClientError =>
  new ClientError({
    reason: "Network",
    status: res.status,
    problem: { title: "Event stream broken", detail },
    method: "GET",
    url: res.url,
    cause,
  })

async function* events(
  t: Transport,
  id: string,
  o: EventsOptions,
): AsyncGenerator<OperationEvent, void, undefined> {
  const maxRetries = o.reconnect ?? 5
  let lastEventId = o.lastEventId
  let retryMs = DEFAULT_RETRY_MS
  let failures = 0
  let finished = false
  const request: Request = {
    method: "GET",
    path: "/api/v1/operations/{id}/events",
    params: { id },
    accept: "text/event-stream",
    ...(o.signal === undefined ? {} : { signal: o.signal }),
  }
  for (let first = true; ; first = false) {
    let broken: ClientError
    let res: Response | undefined
    try {
      res = await send(
        lastEventId === undefined
          ? t
          : { ...t, headers: { ...t.headers, "last-event-id": lastEventId } },
        request,
      )
    } catch (e) {
      // An abort ends the iteration, also before the server answered, as it does mid-stream.
      if (o.signal?.aborted === true) return
      // The first request's errors are the caller's (404, 400, refused); on a reconnect only a
      // lost server (network, 5xx from a proxy) is worth another try.
      if (!(e instanceof ClientError) || first) throw e
      if (e.reason === "Http" && e.status < 500) throw e
      broken = e
    }
    if (res !== undefined) {
      if (res.body === null) return
      try {
        for await (const e of Sse.read(res.body, o.signal)) {
          if (e.retry !== undefined) retryMs = e.retry
          if (e.id !== undefined) lastEventId = e.id
          // Unknown event types are future additions: skipped, so old clients keep working.
          if (!EVENT_TYPES.has(e.event)) continue
          let data: unknown
          try {
            data = JSON.parse(e.data)
          } catch (cause) {
            throw new ClientError({
              reason: "Decode",
              status: res.status,
              problem: { title: "Event data is not JSON", detail: e.data.slice(0, 200) },
              method: "GET",
              url: res.url,
              cause,
            })
          }
          // The snapshot comes again on every connection: only later events count as headway.
          if (e.event !== "snapshot") failures = 0
          if (e.event === "status" || e.event === "snapshot")
            finished = isFinal((data as { status?: unknown } | null)?.status)
          yield { type: e.event, id: e.id, data } as OperationEvent
        }
        if (o.signal?.aborted === true || finished) return
        broken = streamBroken(
          res,
          "the server closed the event stream before the operation finished",
        )
      } catch (e) {
        if (e instanceof ClientError) throw e
        if (o.signal?.aborted === true) return
        broken = streamBroken(res, e instanceof Error ? e.message : String(e), e)
      }
    }
    // Like EventSource: wait the server's `retry:` delay, then resume after the last event id.
    if (failures >= maxRetries) throw broken!
    failures++
    await sleep(retryMs, o.signal)
    if (o.signal?.aborted === true) return
  }
}
