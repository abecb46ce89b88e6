import { describe, expect, it } from "vitest"
import { Effect, Either, Redacted, type Scope } from "effect"
import type { TransportError } from "../src/TransportError.js"
import * as Envelope from "../src/Envelope.js"
import * as InProcess from "../src/InProcess.js"
import * as Queues from "../src/Queues.js"
import * as Registry from "../src/Registry.js"
import { contract } from "./contract.js"

contract("in-process", (options) => InProcess.layer(options))

describe("Envelope", () => {
  it("decodes error results with and without the later reason and field (v 1 both ways)", () => {
    const result: Envelope.Result = {
      v: 1,
      kind: "result",
      operationId: "op",
      jobId: "op/netwark",
      workerId: "w1",
      attempt: 1,
      target: "netwark",
      mode: "one",
      status: "error",
      startedAt: 1,
      finishedAt: 2,
      error: { message: "ping: unknown host" },
    }
    const bytes = (m: unknown) => new TextEncoder().encode(JSON.stringify(m))
    expect(Envelope.decodeReply(bytes(result))).toEqual(Either.right(result))
    const full = { ...result, error: { message: "bad", reason: "InvalidTarget", field: "target" } }
    expect(Envelope.decodeReply(Envelope.encode(full))).toEqual(Either.right(full))
    // a later addition to the error is ignored, not a decode failure
    const later = { ...result, error: { message: "bad", hint: "try -4" } }
    expect(Envelope.decodeReply(bytes(later))).toEqual(
      Either.right({ ...result, error: { message: "bad" } }),
    )
    expect(Envelope.resultError("plain")).toEqual({ message: "plain" })
    expect(Envelope.resultError({ message: "m", reason: 3, field: "f" })).toEqual({
      message: "m",
      field: "f",
    })
  })

  const job: Envelope.Job = {
    v: 1,
    kind: "job",
    operationId: "op",
    jobId: "op/netwark",
    type: "ping",
    payload: { target: "127.0.0.1" },
    target: "netwark",
    mode: "one",
    deadline: 2,
    createdAt: 1,
  }
  it("round-trips a job and refuses oversized, non-JSON, wrong-version and wrong-shape input", () => {
    expect(Envelope.decodeJob(Envelope.encode(job))).toEqual(Either.right(job))
    const reason = (bytes: Uint8Array, max?: number) => {
      const r = Envelope.decodeJob(bytes, max)
      return Either.isLeft(r) ? [r.left.reason, r.left.error.reason] : "ok"
    }
    const text = (s: string) => new TextEncoder().encode(s)
    expect(reason(Envelope.encode(job), 10)).toEqual(["TooLarge", "TooLarge"])
    expect(reason(text("{"))).toEqual(["Malformed", "Decode"])
    expect(reason(new Uint8Array([0xff, 0xfe]))).toEqual(["Malformed", "Decode"])
    expect(reason(text(JSON.stringify({ ...job, v: 2 })))).toEqual(["UnknownVersion", "Decode"])
    expect(reason(text(JSON.stringify({ ...job, deadline: "soon" })))).toEqual([
      "Malformed",
      "Decode",
    ])
  })
  it("keys results per job on `one` targets and per worker on `each` targets", () => {
    const r: Envelope.Result = {
      v: 1,
      kind: "result",
      operationId: "o",
      jobId: "j",
      workerId: "w1",
      attempt: 1,
      target: "netwark",
      mode: "one",
      status: "ok",
      startedAt: 0,
      finishedAt: 1,
    }
    expect(Envelope.resultKey(r)).toBe(Envelope.resultKey({ ...r, workerId: "w2", attempt: 2 }))
    const each = { ...r, mode: "each" as const }
    expect(Envelope.resultKey(each)).not.toBe(Envelope.resultKey({ ...each, workerId: "w2" }))
  })
})

describe("Queues", () => {
  const yaml = `
broker_url: amqp://u:secret@10.0.0.1:5672/
netwark_queues:
  - queue: paris
    name: Paris
    location: FR-Paris
    broadcast: true
    latitude: 48.85
    longitude: 2.35
  - queue: "eu:west.1"
    name: EU West
    location: IE-Dublin
`
  it("reads the Python Netwark netwark_queues shape, with optional coordinates", () => {
    const config = Either.getOrThrow(Queues.parseYaml(yaml))
    expect(config.queues).toEqual([
      {
        queue: "paris",
        name: "Paris",
        location: "FR-Paris",
        broadcast: true,
        latitude: 48.85,
        longitude: 2.35,
      },
      { queue: "eu:west.1", name: "EU West", location: "IE-Dublin", broadcast: false },
    ])
    expect(String(config.brokerUrl)).not.toContain("secret")
    expect(Queues.targets(config.queues).map((t) => `${t.name}:${t.mode}`)).toEqual([
      "netwark:one",
      "netwark.broadcast:each",
      "paris:each",
      "eu:west.1:one",
    ])
  })
  it("lets the environment override the file", () => {
    const base = Either.getOrThrow(Queues.parseYaml(yaml))
    const env = Either.getOrThrow(
      Queues.fromEnv(
        {
          NETWARK_BROKER_URL: "amqp://127.0.0.1",
          NETWARK_QUEUES: '[{"queue":"lab","location":"home"}]',
        },
        base,
      ),
    )
    expect(env.brokerUrl && Redacted.value(env.brokerUrl)).toBe("amqp://127.0.0.1")
    expect(env.queues.map((q) => q.queue)).toEqual(["lab"])
    expect(Either.getOrThrow(Queues.fromEnv({}, base)).queues).toHaveLength(2)
  })
  it("refuses bad names, reserved names, duplicates, bad coordinates and bad YAML", () => {
    const bad = (text: string) => {
      const r = Queues.parseYaml(text)
      return Either.isLeft(r) ? r.left.reason : "ok"
    }
    expect(bad("netwark_queues:\n  - queue: 'a b'")).toBe("InvalidConfig")
    expect(bad("netwark_queues:\n  - queue: netwark.broadcast")).toBe("InvalidConfig")
    expect(bad("netwark_queues:\n  - queue: a\n  - queue: a")).toBe("InvalidConfig")
    expect(bad("netwark_queues:\n  - queue: a\n    latitude: 91")).toBe("InvalidConfig")
    expect(bad("netwark_queues:\n  - queue: a\n    broadcast: maybe")).toBe("InvalidConfig")
    expect(bad("netwark_queues: [")).toBe("InvalidConfig")
    expect(bad("")).toBe("ok")
  })
  it("refuses a misspelt queue setting instead of ignoring it, and says where YAML breaks", () => {
    const message = (text: string) => {
      const r = Queues.parseYaml(text)
      return Either.isLeft(r) ? r.left.message : "ok"
    }
    // `brodcast: true` ignored would make a broadcast queue round-robin without a word
    expect(message("netwark_queues:\n  - queue: lyon\n    brodcast: true")).toBe(
      "netwark_queues[0].brodcast is not a queue setting (known: queue, name, location, broadcast, latitude, longitude)",
    )
    expect(
      Either.isLeft(Queues.fromEnv({ NETWARK_QUEUES: '[{"queue":"lab","locaton":"home"}]' })),
    ).toBe(true)
    const yamlError = message(
      "broker_url: amqp://u:secret@127.0.0.1/\nnetwark_queues:\n  - queue: a\n   location: x",
    )
    expect(yamlError).toMatch(/^configuration is not valid YAML: .* at line 4, column 1$/)
    expect(yamlError).not.toContain("secret")
  })
})

describe("Registry", () => {
  const info = (id: string, queues: ReadonlyArray<string>): Envelope.WorkerInfo => ({
    id,
    hostname: "h",
    version: "1",
    queues,
    locations: [],
    capabilities: {},
  })
  const hello = (id: string, queues: ReadonlyArray<string>, ttlMs = 1000): Envelope.Presence => ({
    v: 1,
    kind: "presence",
    event: "hello",
    at: 0,
    ttlMs,
    worker: info(id, queues),
  })
  it("expires silent workers on the registry's clock and takes them offline on goodbye", () => {
    let s = Registry.apply(Registry.empty, hello("a", ["netwark"]), 1000)
    s = Registry.apply(s, hello("b", ["netwark"], 5000), 1000)
    expect(Registry.online(s, 1500).map((w) => w.id)).toEqual(["a", "b"])
    expect(Registry.online(s, 2500).map((w) => w.id)).toEqual(["b"])
    s = Registry.apply(s, { ...hello("b", ["netwark"]), event: "goodbye" }, 2600)
    expect(Registry.online(s, 2600)).toEqual([])
  })
  it("remembers offline workers with when they were last heard from, for the retention only", () => {
    const day = 86_400_000
    let s = Registry.apply(Registry.empty, hello("a", ["netwark"]), 1000)
    s = Registry.apply(s, hello("b", ["netwark"]), 1000)
    s = Registry.apply(s, { ...hello("b", ["netwark"]), event: "goodbye" }, 1200)
    const status = (now: number, retention?: number) =>
      Registry.known(s, now, retention).map((k) => [k.worker.id, k.status, k.lastSeen])
    expect(status(1500)).toEqual([
      ["a", "online", 1000],
      ["b", "offline", 1200],
    ])
    // `a` misses its heartbeat: offline, last seen at its last hello.
    expect(status(5000)).toEqual([
      ["a", "offline", 1000],
      ["b", "offline", 1200],
    ])
    expect(status(1000 + day + 100)).toEqual([["b", "offline", 1200]])
    expect(status(1000 + day + 300)).toEqual([])
    expect(status(4100, 3000)).toEqual([["b", "offline", 1200]])
    // Forgotten for good once a message arrives after the retention.
    s = Registry.apply(s, hello("c", ["netwark"]), 1300 + day, day)
    expect(Registry.known(s, 1300 + day).map((k) => k.worker.id)).toEqual(["c"])
    expect([...s.keys()]).toEqual(["c"])
    // A worker that comes back is online again.
    s = Registry.apply(s, hello("b", ["netwark"]), 1400 + day)
    expect(status(1400 + day)).toEqual([
      ["b", "online", 1400 + day],
      ["c", "online", 1300 + day],
    ])
  })
  it("remembers online and known answers for a state only until a worker's status can change", () => {
    const day = 86_400_000
    let s = Registry.apply(Registry.empty, hello("a", ["netwark"]), 1000)
    s = Registry.apply(s, hello("b", ["netwark"], 5000), 1000)
    s = Registry.apply(s, { ...hello("c", ["netwark"]), event: "goodbye" }, 1100)
    // a online until 2000, b until 6000; each offline one forgotten a day after it was last seen
    expect(Registry.stableUntil(s, 1500)).toBe(2001)
    expect(Registry.stableUntil(s, 2500)).toBe(6001)
    expect(Registry.stableUntil(s, 7000)).toBe(1000 + day + 1)
    let calls = 0
    const online = Registry.memoize((state, now) => {
      calls++
      return Registry.online(state, now)
    })
    const first = online(s, 1500)
    expect(online(s, 2000)).toBe(first)
    expect(calls).toBe(1)
    expect(online(s, 2001).map((w) => w.id)).toEqual(["b"])
    // the clock went back, or the state changed: computed again
    expect(online(s, 1500).map((w) => w.id)).toEqual(["a", "b"])
    s = Registry.apply(s, hello("d", ["netwark"]), 1600)
    expect(online(s, 1600).map((w) => w.id)).toEqual(["a", "b", "d"])
    expect(calls).toBe(4)
    const known = Registry.memoize((state, now) =>
      Registry.known(state, now).map((k) => k.worker.id),
    )
    expect(known(s, 7000)).toEqual(["a", "b", "c", "d"])
    expect(known(s, 1000 + day + 1)).toEqual(["c", "d"])
  })
  it("measures each worker's clock against its own, from the last presence message", () => {
    let s = Registry.apply(Registry.empty, { ...hello("ahead", ["netwark"]), at: 61_000 }, 1000)
    s = Registry.apply(s, { ...hello("behind", ["netwark"]), at: 500 }, 1000)
    s = Registry.apply(s, { ...hello("ahead", ["netwark"]), at: 62_100 }, 2000)
    expect(Registry.known(s, 2000).map((k) => [k.worker.id, k.clockSkewMs])).toEqual([
      ["ahead", 60_100],
      ["behind", -500],
    ])
  })
  it("never expects a result from an offline worker", () => {
    let s = Registry.empty
    for (const id of ["a", "b", "c"])
      s = Registry.apply(s, hello(id, ["netwark", "netwark.broadcast"]), 0)
    s = Registry.apply(s, { ...hello("c", ["netwark", "netwark.broadcast"]), event: "goodbye" }, 5)
    const r = Registry.reach(s, Queues.targets([]), ["netwark.broadcast"], 10)
    expect(Array.isArray(r) && r[0]?.workers.map((w: Envelope.WorkerInfo) => w.id)).toEqual([
      "a",
      "b",
    ])
    expect(Array.isArray(r) && r[0]?.expected).toBe(2)
    s = Registry.apply(s, { ...hello("b", ["netwark"]), event: "goodbye" }, 6)
    s = Registry.apply(s, { ...hello("a", ["netwark"]), event: "goodbye" }, 7)
    const none = Registry.reach(s, Queues.targets([]), ["netwark"], 10)
    expect(Array.isArray(none) && none[0]?.expected).toBe(0)
  })
  it("counts expected results: all workers of an `each` target, one of a `one` target", () => {
    let s = Registry.empty
    for (const id of ["a", "b", "c"])
      s = Registry.apply(s, hello(id, ["netwark", "netwark.broadcast"]), 0)
    const known = Queues.targets([])
    const r = Registry.reach(s, known, ["netwark.broadcast", "netwark"], 10)
    expect(Array.isArray(r) && r.map((x) => x.expected)).toEqual([3, 1])
    const none = Registry.reach(Registry.empty, known, ["netwark"], 10)
    expect(Array.isArray(none) && none[0]?.expected).toBe(0)
  })
})

describe("InProcess options", () => {
  const reason = <A>(effect: Effect.Effect<A, TransportError, Scope.Scope>) =>
    Effect.runPromise(Effect.scoped(Effect.flip(effect))).then((e) => e.reason)
  it("refuses a bad namespace, bad queue config and a bad worker id", async () => {
    expect(await reason(InProcess.make({ namespace: "a b" }))).toBe("InvalidConfig")
    expect(
      await reason(
        InProcess.make({ queues: [{ queue: "x/y", name: "", location: "", broadcast: false }] }),
      ),
    ).toBe("InvalidConfig")
    expect(await reason(InProcess.make({ maxMessageBytes: 0 }))).toBe("InvalidConfig")
    expect(
      await reason(
        Effect.flatMap(InProcess.make(), (t) =>
          t.serve({ workerId: "has space", queues: [Queues.direct] }, () => Effect.void),
        ),
      ),
    ).toBe("InvalidConfig")
  })

  it("refuses job types that cannot end a queue name, naming the entry", async () => {
    const message = (jobTypes: unknown) =>
      Effect.runPromise(
        Effect.scoped(Effect.flip(InProcess.make({ jobTypes: jobTypes as ReadonlyArray<string> }))),
      ).then((e) => [e.reason, e.message])
    expect(await message(["ping", "a/b"])).toEqual([
      "InvalidConfig",
      'jobTypes[1] "a/b" must be 1-200 characters of [a-zA-Z0-9-_.:]',
    ])
    expect(await message([""])).toEqual([
      "InvalidConfig",
      'jobTypes[0] "" must be 1-200 characters of [a-zA-Z0-9-_.:]',
    ])
    expect(await message(["x".repeat(201)])).toEqual([
      "InvalidConfig",
      expect.stringMatching(/^jobTypes\[0\] "x+" must be 1-200 characters/),
    ])
    expect(await message(["ping", "dns", "ping"])).toEqual([
      "InvalidConfig",
      "jobTypes[2] ping is listed twice",
    ])
    expect(await message([3])).toEqual(["InvalidConfig", "jobTypes[0] must be a string"])
    expect(await message("ping")).toEqual(["InvalidConfig", "jobTypes must be a list"])
    // a good list makes a transport
    await Effect.runPromise(Effect.scoped(InProcess.make({ jobTypes: ["ping", "dns.v2"] })))
  })

  it("tells which job types each direct target routes to queues of their own", async () => {
    const targets = await Effect.runPromise(
      Effect.scoped(
        Effect.map(
          InProcess.make({
            jobTypes: ["ping", "mtr"],
            queues: [
              { queue: "paris", name: "Paris", location: "FR-Paris", broadcast: false },
              { queue: "berlin", name: "Berlin", location: "DE-Berlin", broadcast: true },
            ],
          }),
          (t) => t.targets,
        ),
      ),
    )
    expect(targets.map((t) => [t.name, t.jobTypes])).toEqual([
      ["netwark", ["ping", "mtr"]],
      ["netwark.broadcast", undefined],
      ["paris", ["ping", "mtr"]],
      ["berlin", undefined],
    ])
    // without the option no type has a queue of its own
    const plain = await Effect.runPromise(
      Effect.scoped(Effect.map(InProcess.make(), (t) => t.targets)),
    )
    expect(plain.find((t) => t.name === "netwark")?.jobTypes).toEqual([])
  })
})
