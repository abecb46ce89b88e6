import { ClientError, type ProblemDetails } from "../ClientError.js"

/** Query values the API takes: absent values are left out, arrays repeat the key. */
export type QueryValue =
  string | number | boolean | undefined | null | ReadonlyArray<string | number>

/** One request, before URL building. */
export interface Request {
  readonly method: "GET" | "POST" | "PUT" | "DELETE" | "PATCH"
  /** A path template under the base URL, e.g. `/api/v1/geoip/{ip}`. */
  readonly path: string
  readonly params?: Readonly<Record<string, string | number>>
  readonly query?: Readonly<Record<string, QueryValue>>
  readonly body?: unknown
  readonly accept?: string
  readonly signal?: AbortSignal | undefined
}

/** The resolved transport settings of a client. */
export interface Transport {
  readonly baseUrl: string
  readonly fetch: typeof globalThis.fetch
  readonly headers: Readonly<Record<string, string>>
}

/** Builds the request URL: path parameters percent-encoded, so `/` or `?` in a value stay data. */
export const url = (t: Transport, r: Request): string => {
  const path = r.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const v = r.params?.[name]
    const text = v === undefined || v === null ? "" : String(v)
    // An empty segment, `.` or `..` (even as %2E) would change the path itself: the request
    // would reach another route, or none ("404 Cannot GET"), and the server could not say which
    // input was wrong.
    if (text === "" || text === "." || text === "..") {
      const detail = `${name} must not be ${text === "" ? "empty" : `"${text}"`}`
      throw new ClientError({
        reason: "InvalidInput",
        status: 0,
        problem: { title: "Invalid input", detail, field: name },
        method: r.method,
        url: t.baseUrl + r.path,
      })
    }
    return encodeURIComponent(text)
  })
  const search = new URLSearchParams()
  for (const [k, v] of Object.entries(r.query ?? {})) {
    if (v === undefined || v === null) continue
    if (Array.isArray(v)) for (const item of v) search.append(k, String(item))
    else search.append(k, String(v))
  }
  const qs = search.toString()
  return t.baseUrl.replace(/\/+$/, "") + path + (qs === "" ? "" : `?${qs}`)
}

const isAbort = (e: unknown, signal: AbortSignal | undefined): boolean =>
  signal?.aborted === true || (e instanceof Error && e.name === "AbortError")

/**
 * The message of a failure with its causes: Node's `fetch` only says "fetch failed" and keeps
 * the reason (`connect ECONNREFUSED 127.0.0.1:6543`, `getaddrinfo ENOTFOUND`) in `cause`.
 */
const message = (e: unknown): string => {
  const parts: Array<string> = []
  let cur: unknown = e
  for (let depth = 0; depth < 4 && cur !== undefined && cur !== null; depth++) {
    const text = cur instanceof Error ? cur.message : String(cur)
    const code = (cur as { code?: unknown }).code
    const part = typeof code === "string" && !text.includes(code) ? `${code} ${text}` : text
    if (part !== "" && !parts.includes(part)) parts.push(part)
    cur = cur instanceof Error ? cur.cause : undefined
  }
  return parts.join(": ")
}

/** Reads an error answer's problem details; a non-JSON body becomes the `detail`. */
const problemOf = async (res: Response): Promise<ProblemDetails> => {
  const text = await res.text().catch(() => "")
  try {
    const parsed: unknown = JSON.parse(text)
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed))
      return parsed as ProblemDetails
  } catch {
    // Fall through: proxies and crashed servers answer with HTML or plain text.
  }
  return {
    title: res.statusText || `HTTP ${res.status}`,
    status: res.status,
    ...(text === "" ? {} : { detail: text.slice(0, 2000) }),
  }
}

/** A successful answer and the URL it came from (assembled once, named by later errors). */
interface Answer {
  readonly res: Response
  readonly target: string
}

/** Sends a request; any failure becomes a `ClientError`, the answer comes with its URL. */
const exchange = async (t: Transport, r: Request): Promise<Answer> => {
  const target = url(t, r)
  const headers: Record<string, string> = { ...t.headers, accept: r.accept ?? "application/json" }
  let body: string | undefined
  if (r.body !== undefined) {
    headers["content-type"] = "application/json"
    body = JSON.stringify(r.body)
  }
  let res: Response
  try {
    res = await t.fetch(target, {
      method: r.method,
      headers,
      ...(body === undefined ? {} : { body }),
      ...(r.signal === undefined ? {} : { signal: r.signal }),
    })
  } catch (e) {
    const aborted = isAbort(e, r.signal)
    throw new ClientError({
      reason: aborted ? "Aborted" : "Network",
      status: 0,
      problem: { title: aborted ? "Aborted" : "Network error", detail: message(e) },
      method: r.method,
      url: target,
      cause: e,
    })
  }
  if (!res.ok) {
    throw new ClientError({
      reason: "Http",
      status: res.status,
      problem: await problemOf(res),
      method: r.method,
      url: target,
    })
  }
  return { res, target }
}

/** Sends a request; any failure becomes a `ClientError`. Resolves with the successful response. */
export const send = async (t: Transport, r: Request): Promise<Response> =>
  (await exchange(t, r)).res

/** Reads a successful answer's body; a failure while reading is a `ClientError` too. */
const body = async (res: Response, r: Request, target: string): Promise<string> => {
  try {
    return await res.text()
  } catch (e) {
    const aborted = isAbort(e, r.signal)
    throw new ClientError({
      reason: aborted ? "Aborted" : "Network",
      status: res.status,
      problem: { title: aborted ? "Aborted" : "Network error", detail: message(e) },
      method: r.method,
      url: target,
      cause: e,
    })
  }
}

/** Sends a request and decodes the JSON answer. */
export const json = async <A>(t: Transport, r: Request): Promise<A> => {
  const { res, target } = await exchange(t, r)
  const text = await body(res, r, target)
  try {
    return JSON.parse(text) as A
  } catch (e) {
    throw new ClientError({
      reason: "Decode",
      status: res.status,
      problem: { title: "Answer is not JSON", detail: text.slice(0, 200) },
      method: r.method,
      url: target,
      cause: e,
    })
  }
}

/** Sends a request and returns the answer's text (e.g. Prometheus metrics). */
export const text = async (t: Transport, r: Request): Promise<string> => {
  const { res, target } = await exchange(t, r)
  return body(res, r, target)
}
