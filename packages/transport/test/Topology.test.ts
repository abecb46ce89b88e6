import { describe, expect, it } from "vitest"
import * as Queues from "../src/Queues.js"
import * as Topology from "../src/internal/topology.js"

const queues: ReadonlyArray<Queues.QueueConfig> = [
  { queue: "paris", name: "Paris", location: "FR-Paris", broadcast: false },
  // would be the type queue of `paris` were the type joined with a dot
  { queue: "paris.ping", name: "Paris ping", location: "FR-Paris", broadcast: false },
  { queue: "berlin", name: "Berlin", location: "DE-Berlin", broadcast: true },
]

const jobTypes: ReadonlyArray<string> = ["ping", "mtr", "traceroute", "dns"]

describe("Topology", () => {
  const topology = Topology.make(queues, "ns", 1000, jobTypes)

  it("routes a direct job of a known type to its type's queue, another type to the plain one", () => {
    const paris = topology.routes.get("paris")!
    expect(paris.typeKeys.get("mtr")).toBe("ns.paris/mtr")
    expect(paris.typeKeys.get("echo") ?? paris.routingKey).toBe("ns.paris")
    expect(topology.routes.get("paris.ping")!.typeKeys.get("ping")).toBe("ns.paris.ping/ping")
    // the dispatcher declares every type queue, so a job sent before its worker starts waits
    const declared = topology.declarations.queues.map((q) => q.name)
    for (const type of jobTypes) expect(declared).toContain(`ns.netwark/${type}`)
    expect(new Set(declared).size).toBe(declared.length)
  })

  it("has a worker consume the plain queue and the queues of the types it runs", () => {
    const names = (types?: ReadonlyArray<string>) =>
      topology.routes
        .get(Queues.direct)!
        .consume("w1", types && new Set(types))
        .map((spec) => spec.name)
    expect(names(["ping", "echo"])).toEqual(["ns.netwark", "ns.netwark/ping"])
    expect(names()).toEqual(["ns.netwark", ...jobTypes.map((t) => `ns.netwark/${t}`)])
    expect(topology.routes.get("berlin")!.consume("w1", new Set(["ping"]))).toEqual([
      expect.objectContaining({ name: "ns.berlin.worker.w1", bindTo: "ns.berlin" }),
    ])
  })

  it("names the public queue of every broker queue in dead-letter reports", () => {
    expect(topology.publicName("ns.netwark/mtr")).toBe(Queues.direct)
    expect(topology.publicName("ns.paris/dns")).toBe("paris")
    expect(topology.publicName("ns.paris.ping")).toBe("paris.ping")
    expect(topology.publicName("ns.paris.ping/ping")).toBe("paris.ping")
    expect(topology.publicName("ns.netwark")).toBe(Queues.direct)
    expect(topology.publicName("ns.berlin.worker.w1")).toBe("berlin")
    expect(topology.publicName("ns.netwark.results")).toBe("netwark.results")
  })

  it("without job types, sends and consumes every direct job on the plain queue", () => {
    const plain = Topology.make(queues, "ns", 1000, [])
    const paris = plain.routes.get("paris")!
    expect(paris.typeKeys.size).toBe(0)
    expect(paris.consume("w1", new Set(["ping"])).map((spec) => spec.name)).toEqual(["ns.paris"])
    expect(plain.declarations.queues.map((q) => q.name).filter((n) => n.includes("/"))).toEqual([])
  })
})
