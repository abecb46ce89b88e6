/** Configuration (YAML + environment), worker ids, JSON log lines. */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import { Cause, Duration, Effect, Either, HashMap, LogLevel, Redacted } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as Config from "../src/Config.js"
import * as Identity from "../src/internal/identity.js"
import * as Log from "../src/internal/log.js"

const yaml = `
broker_url: amqp://netwark:s3cret@broker.example:5672/netwark
netwark_queues:
  - queue: paris
    name: Paris (OVH)
    location: Paris
    broadcast: false
    latitude: 48.8566
    longitude: 2.3522
  - queue: lab-all
    name: Lab
    location: Lab
    broadcast: true
worker:
  instance: probe-2
  concurrency: 8
  heartbeat: 2s
  shutdown_grace: 1m
  jobs: [ping, dns]
  policy:
    allow: [10.0.0.0/8, "*.corp.example"]
    deny: [10.0.0.1]
  log_level: debug
`

const ok = (text: string | undefined, env: Record<string, string> = {}) =>
  Either.getOrThrowWith(Config.parse(text, env), (e) => e)
const err = (text: string | undefined, env: Record<string, string> = {}) =>
  Either.match(Config.parse(text, env), { onLeft: (e) => e.message, onRight: () => "ok" })

describe("Config.parse", () => {
  it("reads the YAML file", () => {
    const c = ok(yaml)
    expect(Redacted.value(c.brokerUrl!)).toBe("amqp://netwark:s3cret@broker.example:5672/netwark")
    expect(c.queues.map((q) => [q.queue, q.location, q.broadcast])).toEqual([
      ["paris", "Paris", false],
      ["lab-all", "Lab", true],
    ])
    expect(c.queues[0]).toMatchObject({ latitude: 48.8566, longitude: 2.3522 })
    expect(c).toMatchObject({
      instance: "probe-2",
      concurrency: 8,
      jobs: ["ping", "dns"],
      policy: { allow: ["10.0.0.0/8", "*.corp.example"], deny: ["10.0.0.1"] },
      logLevel: LogLevel.Debug,
      builtinQueues: true,
    })
    expect(Duration.toMillis(c.heartbeat)).toBe(2000)
    expect(Duration.toMillis(c.shutdownGrace)).toBe(60_000)
    expect(Config.consumed(c)).toEqual(["netwark", "netwark.broadcast", "paris", "lab-all"])
    expect(Config.locations(c)).toEqual(["Paris", "Lab"])
  })

  it("the environment wins over the file", () => {
    const c = ok(yaml, {
      NETWARK_BROKER_URL: "amqp://guest:guest@127.0.0.1:5672/",
      NETWARK_QUEUES: "[{queue: tokyo, name: Tokyo, location: Tokyo}]",
      NETWARK_WORKER_ID: "fixed-id.1",
      NETWARK_CONCURRENCY: "2",
      NETWARK_SHUTDOWN_GRACE: "500ms",
      NETWARK_JOBS: "mtr,traceroute",
      NETWARK_BUILTIN_QUEUES: "false",
      NETWARK_POLICY_DENY: "192.0.2.0/24, 198.51.100.7",
      NETWARK_NAMESPACE: "staging",
    })
    expect(Redacted.value(c.brokerUrl!)).toBe("amqp://guest:guest@127.0.0.1:5672/")
    expect(c.queues.map((q) => q.queue)).toEqual(["tokyo"])
    expect(c).toMatchObject({
      workerId: "fixed-id.1",
      concurrency: 2,
      jobs: ["mtr", "traceroute"],
      namespace: "staging",
      policy: { allow: ["10.0.0.0/8", "*.corp.example"], deny: ["192.0.2.0/24", "198.51.100.7"] },
    })
    expect(Duration.toMillis(c.shutdownGrace)).toBe(500)
    expect(Config.consumed(c)).toEqual(["tokyo"])
  })

  it("defaults without a file", () => {
    const c = ok(undefined)
    expect(c.brokerUrl).toBeUndefined()
    expect(c).toMatchObject({ instance: "default", concurrency: 4, queues: [], policy: {} })
    expect(Config.consumed(c)).toEqual(["netwark", "netwark.broadcast"])
  })

  it("refuses what it cannot use, naming the setting", () => {
    expect(err("netwark_queues: [{queue: 'bad name'}]")).toMatch(/queue name "bad name"/)
    expect(err("netwark_queues: [{queue: netwark.x}]")).toMatch(/reserved/)
    expect(err("netwark_queues: {a: 1}")).toMatch(/must be a list/)
    expect(err("worker: {concurrency: 0}")).toMatch(/concurrency must be an integer from 1/)
    expect(err(undefined, { NETWARK_CONCURRENCY: "many" })).toMatch(/concurrency/)
    expect(err("worker: {heartbeat: soon}")).toMatch(/heartbeat must be a duration/)
    expect(err("worker: {jobs: [ping, whois]}")).toMatch(/unknown job type whois/)
    expect(err("worker: {policy: {deny: ['not a rule!']}}")).toMatch(/policy rule/)
    expect(err(undefined, { NETWARK_WORKER_ID: "has space" })).toMatch(/worker id/)
    expect(err("worker: {instance: ../etc}")).toMatch(/instance/)
    expect(err("worker: [1]")).toMatch(/worker must be a mapping/)
    expect(err("key: [unclosed")).toMatch(/not valid YAML/)
    expect(err("worker: {log_level: loud}")).toMatch(/log_level/)
  })

  it("refuses a misspelt worker setting instead of taking the default, and warns of foreign top-level keys", () => {
    expect(err("worker: {concurency: 8}")).toBe(
      "worker.concurency is not a worker setting (known: id, instance, state_dir, concurrency, builtin_queues, jobs, heartbeat, shutdown_grace, log_level, policy)",
    )
    expect(err("worker: {policy: {allowed: [10.0.0.0/8]}}")).toBe(
      "worker.policy.allowed is not a policy setting (known: allow, deny)",
    )
    expect(err("netwark_queues: [{queue: lyon, brodcast: true}]")).toMatch(
      /netwark_queues\[0\]\.brodcast is not a queue setting/,
    )
    // a file shared with the server (database_url) or with foreign keys still loads
    const shared = ok("database_url: postgres://db/netwark\nnetwark_queue: [{queue: paris}]")
    expect(shared.queues).toEqual([])
    expect(shared.ignoredKeys).toEqual(["netwark_queue"])
    expect(ok(yaml).ignoredKeys).toEqual([])
  })

  it("refuses a worker that would serve no queue or no job type", () => {
    expect(err(undefined, { NETWARK_BUILTIN_QUEUES: "false" })).toBe(
      "the worker would serve no queue: list netwark_queues, or leave builtin_queues true",
    )
    expect(err("worker: {builtin_queues: false}\nnetwark_queues: []")).toMatch(/serve no queue/)
    expect(
      ok("worker: {builtin_queues: false}\nnetwark_queues: [{queue: lab}]").builtinQueues,
    ).toBe(false)
    expect(err(undefined, { NETWARK_JOBS: "," })).toBe(
      "jobs must name at least one job type (ping, mtr, traceroute, dns)",
    )
    expect(err("worker: {jobs: []}")).toMatch(/at least one job type/)
  })

  it("refuses a broker URL that is not amqp:// or amqps:// without showing it", () => {
    expect(err(undefined, { NETWARK_BROKER_URL: "http://u:s3cret@127.0.0.1:5672/" })).toBe(
      "broker URL must be amqp://user:password@host:5672/vhost or amqps://… (got http://…)",
    )
    expect(err("broker_url: 127.0.0.1:5672")).toMatch(/got 127\.0\.0\.1:5672|got no scheme/)
    expect(err("broker_url: rabbit.example")).toMatch(/\(got no scheme\)$/)
    expect(ok(undefined, { NETWARK_BROKER_URL: "AMQPS://u:p@127.0.0.1/" }).brokerUrl).toBeDefined()
  })

  it("durations: seconds, units and Effect's form", () => {
    const ms = (v: unknown) =>
      Either.map(Config.parseDuration("d", v), Duration.toMillis).pipe(Either.getOrElse(() => -1))
    expect([ms(5), ms("250ms"), ms("1.5s"), ms("2m"), ms("1h"), ms("3 seconds")]).toEqual([
      5000, 250, 1500, 120_000, 3_600_000, 3000,
    ])
    expect(ms("-1s")).toBe(-1)
  })

  it("load reads the file named by NETWARK_CONFIG", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "netwark-config-"))
    const file = path.join(dir, "worker.yaml")
    await writeFile(file, yaml)
    const c = await Effect.runPromise(Config.load(undefined, { NETWARK_CONFIG: file }))
    expect(c.instance).toBe("probe-2")
    const missing = await Effect.runPromise(
      Effect.flip(Config.load(path.join(dir, "nope.yaml"), {})),
    )
    expect(missing.message).toMatch(/cannot read configuration/)
    await rm(dir, { recursive: true })
  })

  it("the state directory follows systemd, then XDG", () => {
    expect(Config.defaultStateDir({ STATE_DIRECTORY: "/var/lib/netwark-worker" }, "/h")).toBe(
      "/var/lib/netwark-worker",
    )
    expect(Config.defaultStateDir({ XDG_STATE_HOME: "/x" }, "/h")).toBe("/x/netwark")
    expect(Config.defaultStateDir({}, "/h")).toBe("/h/.local/state/netwark")
  })
})

describe("worker ids", () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "netwark-id-"))
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))
  const resolve = (instance: string, extra: { configured?: string; stateDir?: string } = {}) =>
    Effect.runPromise(
      Identity.resolve({ hostname: "Probe 01.example", instance, stateDir: dir, ...extra }),
    )

  it("generated once, kept, and distinct per instance", async () => {
    const a = await resolve("a")
    expect(a.source).toBe("generated")
    expect(a.id).toMatch(/^probe-01.example-a-[0-9a-f]{6}$/)
    expect((await readFile(Identity.idFile(dir, "a"), "utf8")).trim()).toBe(a.id)
    expect(await resolve("a")).toMatchObject({ id: a.id, source: "stored" })
    const b = await resolve("b")
    expect(b.id).not.toBe(a.id)
  })

  it("a configured id wins; an unwritable state directory falls back to host and instance", async () => {
    expect(await resolve("a", { configured: "edge-7" })).toEqual({
      id: "edge-7",
      source: "configured",
    })
    const blocked = path.join(dir, "file")
    await writeFile(blocked, "")
    expect(await resolve("z", { stateDir: path.join(blocked, "sub") })).toEqual({
      id: "probe-01.example-z",
      source: "derived",
    })
  })
})

describe("JSON logs", () => {
  it("one JSON object per event, broker passwords masked", () => {
    const text = Log.line({
      logLevel: LogLevel.Warning,
      message: "connection failed: amqp://netwark:s3cret@broker:5672/x",
      date: new Date("2026-01-02T03:04:05.000Z"),
      annotations: HashMap.make(
        ["workerId", "w1"],
        ["url", "amqps://u:p%40ss@h/v"],
        ["secret", Redacted.make("x")],
        ["n", 3],
      ),
      cause: Cause.empty,
    })
    expect(JSON.parse(text)).toEqual({
      level: "warn",
      time: "2026-01-02T03:04:05.000Z",
      msg: "connection failed: amqp://netwark:***@broker:5672/x",
      workerId: "w1",
      url: "amqps://u:***@h/v",
      secret: "<redacted>",
      n: 3,
    })
    expect(Log.redactUrl(Redacted.make("amqp://guest:guest@127.0.0.1/"))).toBe(
      "amqp://guest:***@127.0.0.1/",
    )
    expect(Log.redact("no url here")).toBe("no url here")
  })
})
