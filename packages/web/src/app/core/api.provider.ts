import { type Provider } from "@angular/core"
import { API, type Api } from "./api"
import type { OperationEvent, WorkerResult } from "./models"

// PROVISIONAL: a fetch adapter with the API's paths, until @netwark/client lands; then this
// file becomes `createClient({ baseUrl })` wrapped in the `Api` shape and holds no URL.
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
  if (!res.ok || res.body === null) return yield* []
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader()
  let buffer = ""
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return
      buffer += value
      let i: number
      while ((i = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, i)
        buffer = buffer.slice(i + 2)
        let name = "message"
        const data: Array<string> = []
        for (const line of block.split("\n")) {
          if (line.startsWith("event:")) name = line.slice(6).trim()
          else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""))
        }
        const event = toEvent(name, data.join("\n"))
        if (event !== null) yield event
      }
    }
  } finally {
    reader.releaseLock()
  }
}

/** Maps one server-sent event to the console's event type. */
export const toEvent = (name: string, data: string): OperationEvent | null => {
  let payload: Record<string, unknown> = {}
  try {
    payload = data === "" ? {} : (JSON.parse(data) as Record<string, unknown>)
  } catch {
    return null
  }
  switch (name) {
    case "result":
      return { kind: "result", result: (payload["result"] ?? payload) as WorkerResult }
    case "status":
      return { kind: "status", status: String(payload["status"] ?? "") }
    case "progress":
      return {
        kind: "progress",
        workerId: String(payload["workerId"] ?? ""),
        data: payload["data"] ?? payload,
      }
    case "end":
    case "done":
      return { kind: "end" }
    default:
      return null
  }
}

const api: Api = {
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
  queues: async (signal) => {
    const q = await get<unknown>("/management/backend/queues", {}, signal)
    return (Array.isArray(q) ? q : ((q as { items?: unknown }).items ?? [])) as never
  },
  workers: async (signal) => {
    const w = await get<unknown>("/workers", {}, signal)
    return (Array.isArray(w) ? w : ((w as { items?: unknown }).items ?? [])) as never
  },
  whois: (resource, signal) => get(`/whois/${e(resource)}`, {}, signal),
  geoip: (ip, signal) => get(`/geoip/${e(ip)}`, {}, signal),
  ouiLookup: (mac, signal) => get(`/mac-oui/${e(mac)}`, {}, signal),
  ouiSearch: (search, offset, limit, signal) => get("/mac-oui", { search, offset, limit }, signal),
  ipCalcNetwork: (address, prefix, signal) =>
    prefix === undefined
      ? get(`/ip-calc/${e(address)}`, {}, signal)
      : get(`/ip-calc/${e(address)}/${e(prefix)}`, {}, signal),
  ipCalcSubnets: (address, prefix, newPrefix, offset, limit, signal) =>
    get(`/ip-calc/${e(address)}/${e(prefix)}/subnets`, { newPrefix, offset, limit }, signal),
  ipCalcAggregate: (networks, signal) => post("/ip-calc/aggregate", { networks }, signal),
}

/** Provides the console's API. */
export const provideApi = (): Provider => ({ provide: API, useValue: api })
