import type { Envelope } from "@netwark/transport"
import { describe, expect, it } from "vitest"
import { clockProblems, receives, routingProblems, runs } from "./serving.js"

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

  it("names an online worker whose clock is more than 5 s ahead of the server's", () => {
    const known = (id: string, clockSkewMs: number, status: "online" | "offline" = "online") => ({
      worker: worker(id, ["netwark"]),
      status,
      lastSeen: 0,
      clockSkewMs,
    })
    expect(
      clockProblems([
        known("ahead", 60_400),
        // behind, or a message that took 7 s to arrive: not told
        known("behind", -7_000),
        known("close", 4_000),
        known("gone", 90_000, "offline"),
      ]),
    ).toEqual([
      {
        key: "ahead clock",
        message:
          "worker ahead (host-ahead): its clock is 60 s ahead of this server's; it answers the jobs whose timeout is shorter than that as expired (sync its clock, e.g. NTP)",
      },
    ])
  })
})
