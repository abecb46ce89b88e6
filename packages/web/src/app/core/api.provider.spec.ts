import type { Client } from "@netwark/client"
import type { EventCursor } from "./api"
import { makeApi } from "./api.provider"

const progress = (id: string, seq: number) => ({
  type: "progress" as const,
  id,
  data: { operationId: "op", workerId: "w1", data: { type: "reply", sequence: seq } },
})

describe("operation events through the client", () => {
  it("a reconnect with the same cursor resumes after the last event seen", async () => {
    const calls: Array<string | undefined> = []
    const client = {
      operationEvents: (_id: string, options: { lastEventId?: string }) => {
        calls.push(options.lastEventId)
        return (async function* () {
          yield progress("p-1", 1)
          yield progress("p-2", 2)
        })()
      },
    } as unknown as Client
    const api = makeApi(client)
    const cursor: EventCursor = {}
    const seen: Array<unknown> = []
    for await (const e of api.operationEvents("op", new AbortController().signal, cursor))
      seen.push(e)
    expect(seen).toHaveLength(2)
    expect(cursor.lastEventId).toBe("p-2")
    for await (const _ of api.operationEvents("op", new AbortController().signal, cursor)) break
    expect(calls).toEqual([undefined, "p-2"])
  })
})
