import { workerNames } from "./worker-names"

describe("worker names", () => {
  it("uses the host name, adding the worker id only where host names collide", () => {
    const names = workerNames([
      { workerId: "paris-1", hostname: "vm", status: "ok" },
      { workerId: "tokyo-1", hostname: "vm", status: "ok" },
      { workerId: "nyc-1", hostname: "nyc", status: "ok" },
      { workerId: "job/lab", hostname: "A worker on lab", status: "waiting" },
      { workerId: "anon", status: "running" },
    ])
    expect([...names.values()]).toEqual([
      "vm (paris-1)",
      "vm (tokyo-1)",
      "nyc",
      "A worker on lab",
      "anon",
    ])
  })
})
