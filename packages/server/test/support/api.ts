/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers in tests */
/** Small JSON helpers over fetch, for tests. */
export interface Reply<T = unknown> {
  readonly status: number
  readonly headers: Headers
  readonly body: T
}

/** Send a request and parse the JSON answer (if any). */
export const call = async <T = any>(
  method: string,
  url: string,
  body?: unknown,
  raw?: string,
): Promise<Reply<T>> => {
  const init: RequestInit = { method }
  if (raw !== undefined) init.body = raw
  else if (body !== undefined) init.body = JSON.stringify(body)
  if (raw !== undefined || body !== undefined) init.headers = { "content-type": "application/json" }
  const res = await fetch(url, init)
  const text = await res.text()
  let parsed: unknown = text
  try {
    parsed = text === "" ? undefined : JSON.parse(text)
  } catch {
    // not JSON
  }
  return { status: res.status, headers: res.headers, body: parsed as T }
}

/** Poll until `check` returns a value (not undefined), or fail after `timeoutMs`. */
export const eventually = async <T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 20_000,
  every = 100,
): Promise<T> => {
  const until = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, every))
  }
}
