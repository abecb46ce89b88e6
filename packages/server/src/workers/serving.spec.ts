import type { Envelope } from "@netwark/transport"
import { describe, expect, it } from "vitest"
import { receives, routingProblems, runs } from "./serving.js"

const worker = (
  id: string,
  queues: ReadonlyArray<string>,
  capabilities: Record<string, unknown> = {},
): Envelope.WorkerInfo => ({
  id,
  hostname: `host-${id}`,
  version: "1",
  queues,
  locations: [],
  capabilities,
})

const targets = [
  { name: "netwark", mode: "one" as const },
  { name: "netwark.broadcast", mode: "each" as const },
  { name: "dc-lyon", mode: "each" as const },
]

describe("serving", () => {
  it("a worker receives a queue it consumes unless its own broadcast flag differs", () => {
    const agrees = worker("a", ["dc-lyon"], { modes: { "dc-lyon": "each" } })
    const differs = worker("b", ["dc-lyon"], { modes: { "dc-lyon": "one" } })
    const older = worker("c", ["dc-lyon"])
    expect(receives(agrees, "dc-lyon", "each")).toBe(true)
    expect(receives(differs, "dc-lyon", "each")).toBe(false)
    expect(receives(older, "dc-lyon", "each")).toBe(true)
    expect(receives(agrees, "netwark", "one")).toBe(false)
  })

  it("a worker runs the job types it announces, every type when it announces none", () => {
    expect(runs(worker("a", [], { jobs: ["ping"] }), "mtr")).toBe(false)
    expect(runs(worker("a", [], { jobs: ["ping"] }), "ping")).toBe(true)
    expect(runs(worker("c", []), "mtr")).toBe(true)
  })

  it("names a worker whose broadcast flag differs and a queue this server does not know", () => {
    const problems = routingProblems(
      [
        worker("a", ["netwark", "dc-lyon"], { modes: { netwark: "one", "dc-lyon": "each" } }),
        worker("b", ["dc-lyon", "dc-tokyo"], { modes: { "dc-lyon": "one", "dc-tokyo": "one" } }),
      ],
      targets,
    )
    expect(problems).toEqual([
      {
        key: "b dc-lyon",
        message:
          "worker b (host-b) has queue dc-lyon as broadcast: false and this server as broadcast: true: it gets none of its jobs until both agree",
      },
      {
        key: "b dc-tokyo",
        message:
          "worker b (host-b) serves queue dc-tokyo, which is not in this server's netwark_queues: no operation can be sent to it",
      },
    ])
  })
})
