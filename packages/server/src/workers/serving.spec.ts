import type { Envelope } from "@netwark/transport"
import { describe, expect, it } from "vitest"
import {
  announcedJobTypes,
  clockProblems,
  jobTypeProblem,
  receives,
  routingProblems,
  runs,
} from "./serving.js"

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

  it("names a worker whose jobTypes lack a type this server routes to a queue of its own", () => {
    const routed = [
      { name: "netwark", mode: "one" as const, jobTypes: ["ping", "mtr", "dns"] },
      { name: "netwark.broadcast", mode: "each" as const },
      { name: "paris", mode: "one" as const, jobTypes: ["ping", "mtr", "dns"] },
      { name: "dc-lyon", mode: "each" as const },
    ]
    const queues = ["netwark", "netwark.broadcast", "paris", "dc-lyon"]
    expect(jobTypeProblem(worker("a", queues, { jobTypes: ["ping"] }), routed)).toEqual({
      key: "a",
      message:
        "worker a (host-a) gets none of the mtr, dns jobs sent to queues netwark, paris: this server routes them to queues of their own (<queue>/<type>), which the worker does not consume (its jobTypes: ping); they wait there for another worker or their deadline (run the same version on the server and the workers)",
    })
    expect(jobTypeProblem(worker("b", ["paris"], { jobTypes: [] }), routed)?.message).toMatch(
      /^worker b \(host-b\) gets none of the ping, mtr, dns jobs sent to queue paris: .*\(its jobTypes: none\)/,
    )
    // the same list, or more: nothing to say
    expect(jobTypeProblem(worker("c", queues, { jobTypes: ["dns", "mtr", "ping"] }), routed)).toBe(
      undefined,
    )
    expect(
      jobTypeProblem(worker("d", queues, { jobTypes: ["ping", "mtr", "dns", "whois"] }), routed),
    ).toBe(undefined)
    // no list announced (an earlier version) or not a list of strings: unknown, nothing said
    expect(jobTypeProblem(worker("e", queues), routed)).toBe(undefined)
    expect(jobTypeProblem(worker("f", queues, { jobTypes: "ping" }), routed)).toBe(undefined)
    expect(jobTypeProblem(worker("g", queues, { jobTypes: ["ping", 3] }), routed)).toBe(undefined)
    // only broadcast queues, or a direct queue it routes as broadcast (routingProblems says so)
    expect(
      jobTypeProblem(worker("h", ["netwark.broadcast", "dc-lyon"], { jobTypes: [] }), routed),
    ).toBe(undefined)
    expect(
      jobTypeProblem(worker("i", ["paris"], { jobTypes: [], modes: { paris: "each" } }), routed),
    ).toBe(undefined)
    expect(announcedJobTypes(worker("j", [], { jobTypes: ["ping"] }))).toEqual(["ping"])
    expect(announcedJobTypes(worker("k", []))).toBe(undefined)
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
