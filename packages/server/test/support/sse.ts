/** A minimal Server-Sent Events reader over fetch, for tests. */
export interface SseEvent {
  readonly type: string
  readonly data: unknown
}

/** Read every event until the stream ends (or `timeoutMs`); resolves with the events. */
export const readEvents = async (
  url: string,
  timeoutMs = 30_000,
): Promise<ReadonlyArray<SseEvent>> => {
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(), timeoutMs)
  const events: Array<SseEvent> = []
  try {
    const res = await fetch(url, {
      signal: controller.signal,
      headers: { accept: "text/event-stream" },
    })
    if (res.status !== 200 || res.body === null)
      throw new Error(`SSE ${url}: HTTP ${res.status}: ${await res.text()}`)
    const decoder = new TextDecoder()
    let buffer = ""
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true })
      let end: number
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        let type = "message"
        const data: Array<string> = []
        for (const line of block.split("\n")) {
          if (line.startsWith("event:")) type = line.slice(6).trim()
          else if (line.startsWith("data:")) data.push(line.slice(5).trimStart())
        }
        if (data.length > 0) events.push({ type, data: JSON.parse(data.join("\n")) as unknown })
      }
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error
  } finally {
    clearTimeout(timer)
  }
  return events
}

/** Every result an operation's stream carried: those in the snapshot, then the live ones. */
export const streamedResults = (
  events: ReadonlyArray<SseEvent>,
): ReadonlyArray<Record<string, unknown>> => {
  const snapshot = events.find((e) => e.type === "snapshot")?.data as
    { results?: Array<Record<string, unknown>> } | undefined
  return [
    ...(snapshot?.results ?? []),
    ...events.filter((e) => e.type === "result").map((e) => e.data as Record<string, unknown>),
  ]
}

/** The last status a stream carried (the snapshot's, or a later `status` event's). */
export const streamedStatus = (events: ReadonlyArray<SseEvent>): string | undefined => {
  let status: string | undefined
  for (const e of events)
    if (e.type === "snapshot" || e.type === "status")
      status = (e.data as { status?: string }).status
  return status
}
