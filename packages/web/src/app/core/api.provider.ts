import { DOCUMENT, type Provider, inject } from "@angular/core"
import { type Client, createClient, Sse } from "@netwark/client"
import { API, type Api } from "./api"
import type {
  Operation,
  OperationEvent,
  ProgressData,
  Queue,
  WorkerResult,
  WorkerSummary,
} from "./models"

// PROVISIONAL (operations, queues, workers only): `@netwark/client` has no methods for these
// routes yet, so they go through this small fetch adapter; the tools go through the client.
const base = "/api/v1"

const fail = async (res: Response, method: string, url: string): Promise<never> => {
  let problem: Record<string, unknown> = { title: res.statusText, status: res.status }
  try {
    problem = (await res.json()) as Record<string, unknown>
  } catch {
    // keep the status line
  }
  throw Object.assign(new Error(String(problem["detail"] ?? problem["title"])), {
    name: "ClientError",
    reason: "Http",
    status: res.status,
    problem,
    method,
    url,
  })
}

const get = async <A>(
  path: string,
  query: Record<string, unknown> = {},
  signal?: AbortSignal,
): Promise<A> => {
  const qs = new URLSearchParams()
  for (const [k, v] of Object.entries(query))
    if (v !== undefined && v !== null && v !== "") qs.set(k, String(v))
  const url = base + path + (qs.size > 0 ? `?${qs}` : "")
  const res = await fetch(url, {
    headers: { accept: "application/json" },
    ...(signal ? { signal } : {}),
  })
  if (!res.ok) return fail(res, "GET", url)
  return (await res.json()) as A
}

const post = async <A>(path: string, body: unknown, signal?: AbortSignal): Promise<A> => {
  const url = base + path
  const res = await fetch(url, {
    method: "POST",
    headers: { accept: "application/json", "content-type": "application/json" },
    body: JSON.stringify(body),
    ...(signal ? { signal } : {}),
  })
  if (!res.ok) return fail(res, "POST", url)
  return (await res.json()) as A
}

const e = encodeURIComponent

async function* events(id: string, signal: AbortSignal): AsyncGenerator<OperationEvent> {
  const url = `${base}/operations/${e(id)}/events`
  const res = await fetch(url, { headers: { accept: "text/event-stream" }, signal })
  if (!res.ok) return fail(res, "GET", url)
  if (res.body === null) return
  for await (const m of Sse.read(res.body, signal)) {
    const event = toEvent(m.event, m.data)
    if (event !== null) yield event
  }
}

/** Maps one server-sent event of `GET /operations/{id}/events` to the console's event type. */
export const toEvent = (name: string, data: string): OperationEvent | null => {
  let payload: Record<string, unknown>
  try {
    payload = data === "" ? {} : (JSON.parse(data) as Record<string, unknown>)
  } catch {
    return null
  }
  switch (name) {
    case "snapshot":
      return { kind: "snapshot", operation: payload as unknown as Operation }
    case "result":
      return { kind: "result", result: payload as unknown as WorkerResult }
    case "status":
      return { kind: "status", status: String(payload["status"] ?? "") }
    case "progress":
      return {
        kind: "progress",
        workerId: String(payload["workerId"] ?? ""),
        data: payload["data"] as ProgressData,
      }
    case "end":
      return { kind: "end" }
    default:
      return null
  }
}

/** A queue as `GET /management/backend/queues` lists it. */
interface QueueView {
  readonly queue: string
  readonly name: string
  readonly location: string | null
  readonly broadcast: boolean
  readonly builtin: boolean
  readonly latitude: number | null
  readonly longitude: number | null
  readonly workers: ReadonlyArray<{ readonly id: string; readonly hostname: string }>
}

/** A worker as `GET /workers` lists it (only workers online now are listed). */
interface WorkerView {
  readonly id: string
  readonly hostname: string
  readonly version: string
  readonly queues: ReadonlyArray<string>
  readonly locations: ReadonlyArray<string>
  readonly capabilities: Readonly<Record<string, unknown>>
  readonly concurrency: number | null
}

/** The queue in the console's terms: a location with coordinates goes on the map. */
export const toQueue = (q: QueueView): Queue => ({
  name: q.queue,
  label: q.name,
  broadcast: q.broadcast,
  builtin: q.builtin,
  locationName: q.location,
  location:
    q.location !== null && q.latitude !== null && q.longitude !== null
      ? { name: q.location, latitude: q.latitude, longitude: q.longitude }
      : null,
  workers: q.workers.map((w) => ({ id: w.id, hostname: w.hostname, online: true })),
})

/** The worker in the console's terms. */
export const toWorker = (w: WorkerView): WorkerSummary => ({
  id: w.id,
  hostname: w.hostname,
  online: true,
  version: w.version,
  queues: w.queues,
  locations: w.locations,
  capabilities: w.capabilities,
  concurrency: w.concurrency,
})

/** The console's API on top of `@netwark/client` (tools) and the provisional adapter. */
export const makeApi = (client: Client): Api => ({
  createOperation: (r) =>
    post("/operations", {
      type: r.type,
      target: r.target,
      options: r.options,
      ...(r.queues.length > 0 ? { queues: r.queues } : {}),
    }),
  listOperations: (f, signal) => get("/operations", { ...f }, signal),
  getOperation: (id, signal) => get(`/operations/${e(id)}`, {}, signal),
  operationEvents: (id, signal) => events(id, signal),
  queues: async (signal) =>
    (
      await get<{ items: ReadonlyArray<QueueView> }>("/management/backend/queues", {}, signal)
    ).items.map(toQueue),
  workers: async (signal) =>
    (await get<{ items: ReadonlyArray<WorkerView> }>("/workers", {}, signal)).items.map(toWorker),
  whois: (resource, signal) => client.whoisLookup(resource, undefined, { signal }),
  geoip: (ip, signal) => client.geoIpLookup(ip, { signal }),
  ouiLookup: (mac, signal) => client.macOuiLookup(mac, { signal }),
  ouiSearch: (search, offset, limit, signal) =>
    client.macOuiSearch({ search, offset, limit }, { signal }),
  ipCalcNetwork: (address, prefix, signal) =>
    prefix === undefined
      ? client.ipCalcAddress(address, { signal })
      : client.ipCalcNetwork(address, prefix, { signal }),
  ipCalcSubnets: (address, prefix, newPrefix, offset, limit, signal) =>
    client.ipCalcSubnets(address, prefix, { newPrefix, offset, limit }, { signal }),
  ipCalcAggregate: (networks, signal) =>
    client.ipCalcAggregate({ networks: [...networks] }, { signal }),
})

/** Provides the console's API, talking to the server that served the page. */
export const provideApi = (): Provider => ({
  provide: API,
  useFactory: () => makeApi(createClient({ baseUrl: inject(DOCUMENT).location.origin })),
})
