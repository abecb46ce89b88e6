/**
 * RabbitMQ-only faults: a worker killed with SIGKILL mid-job, a broker restart while jobs flow,
 * foreign messages on the job queue, and progress where workers of earlier versions put it. The
 * restart test stops and starts a RabbitMQ node of its own, not the machine's, which other runs
 * may be using.
 */
import { spawn, type ChildProcess } from "node:child_process"
import { randomUUID } from "node:crypto"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"
import { Chunk, Effect, Layer, Logger, LogLevel, type Scope, Stream } from "effect"
import { Connection } from "rabbitmq-client"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as Dedupe from "../src/Dedupe.js"
import type * as Envelope from "../src/Envelope.js"
import * as Queues from "../src/Queues.js"
import * as RabbitMq from "../src/RabbitMq.js"
import * as Transport from "../src/Transport.js"
import * as Rabbit from "./support/rabbit.js"

const up = await Rabbit.reachable()
let host: Awaited<ReturnType<typeof Rabbit.vhost>> | undefined
const packageDir = fileURLToPath(new URL("..", import.meta.url))
const childScript = fileURLToPath(new URL("./support/worker-child.ts", import.meta.url))

/** A worker child process with a queue of its stdout lines. */
const child = (namespace: string, workerId: string, queues: ReadonlyArray<string>) => {
  const proc: ChildProcess = spawn(
    process.execPath,
    ["--import", "tsx", childScript, host!.url, namespace, workerId, queues.join(",")],
    { cwd: packageDir, stdio: ["ignore", "pipe", "inherit"] },
  )
  const lines: Array<string> = []
  const waiters: Array<() => void> = []
  createInterface({ input: proc.stdout! }).on("line", (line) => {
    lines.push(line)
    for (const w of waiters.splice(0)) w()
  })
  const waitFor = (prefix: string, timeoutMs = 20_000) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${workerId}: no "${prefix}" line`)),
        timeoutMs,
      )
      const check = () => {
        const found = lines.find((l) => l.startsWith(prefix))
        if (found) {
          clearTimeout(timer)
          resolve(found)
        } else waiters.push(check)
      }
      check()
    })
  return { proc, lines, waitFor }
}

const run = <A, E>(
  namespace: string,
  program: Effect.Effect<A, E, Transport.Transport | Scope.Scope>,
  logs?: Array<string>,
  url = host!.url,
) => {
  // the connection logs through the logger it was built with
  const logger =
    logs === undefined
      ? Logger.minimumLogLevel(LogLevel.Error)
      : Layer.merge(
          Logger.replace(
            Logger.defaultLogger,
            Logger.make(({ logLevel, message }) =>
              logs.push(
                `${logLevel.label} ${Array.isArray(message) ? message.join(" ") : String(message)}`,
              ),
            ),
          ),
          Logger.minimumLogLevel(LogLevel.Info),
        )
  return Effect.runPromise(
    Effect.scoped(program).pipe(
      Effect.provide(
        RabbitMq.layer({ url, namespace, connectionName: "netwark-fault-test" }).pipe(
          Layer.provide(logger),
        ),
      ),
      Effect.provide(logger),
    ),
  )
}

/** Acked results, deduped, until every job id in `want` has one. */
const resultsFor = (
  transport: Transport.Service,
  want: ReadonlySet<string>,
  all: Array<Envelope.Result>,
) =>
  transport.results().pipe(
    Stream.tap((d) => d.ack),
    Stream.map((d) => d.message),
    Stream.filter((m): m is Envelope.Result => m.kind === "result"),
    Stream.tap((m) => Effect.sync(() => all.push(m))),
    (s) =>
      Dedupe.results()(
        s.pipe(Stream.map((message) => ({ message, ack: Effect.void, nack: Effect.void }))),
      ),
    Stream.map((d) => d.message as Envelope.Result),
    Stream.scan(new Map<string, Envelope.Result>(), (seen, r) =>
      new Map(seen).set(`${r.jobId}|${r.workerId}|${r.mode}`, r),
    ),
    Stream.takeUntil((seen) =>
      [...want].every((id) => [...seen.values()].some((r) => r.jobId === id)),
    ),
    Stream.runLast,
  )

describe.skipIf(!up)("RabbitMQ faults (skipped when no broker listens on 127.0.0.1:5672)", () => {
  beforeAll(async () => {
    host = await Rabbit.vhost("faults")
  })
  afterAll(async () => {
    await host?.remove()
  })

  it("kill -9 mid-job: the job is redelivered and finished, one result kept after dedupe", async () => {
    const ns = `k-${randomUUID().slice(0, 8)}`
    const a = child(ns, "kA", [Queues.direct, Queues.broadcast])
    const children: Array<ReturnType<typeof child>> = [a]
    try {
      await a.waitFor("ready")
      const all: Array<Envelope.Result> = []
      const kept = await run(
        ns,
        Effect.gen(function* () {
          const transport = yield* Transport.Transport
          yield* transport.dispatch(
            { operationId: "kill", type: "t", payload: { sleepMs: 30_000 } },
            [Queues.direct, Queues.broadcast],
          )
          yield* Effect.promise(() => a.waitFor("started kill/netwark.broadcast"))
          yield* Effect.promise(() => a.waitFor("started kill/netwark "))
          a.proc.kill("SIGKILL")
          // another worker of the direct queue, and the same worker id restarted
          const b = child(ns, "kB", [Queues.direct])
          const again = child(ns, "kA", [Queues.broadcast])
          children.push(b, again)
          return yield* resultsFor(
            transport,
            new Set(["kill/netwark", "kill/netwark.broadcast"]),
            all,
          ).pipe(Effect.timeout("30 seconds"))
        }),
      )
      const results = [...(kept._tag === "Some" ? kept.value.values() : [])]
      expect(results.map((r) => [r.jobId, r.workerId, r.attempt, r.status]).sort()).toEqual([
        ["kill/netwark", "kB", 2, "ok"],
        ["kill/netwark.broadcast", "kA", 2, "ok"],
      ])
      expect(all.every((r) => r.attempt === 2)).toBe(true)
    } finally {
      for (const c of children) c.proc.kill("SIGKILL")
    }
  }, 60_000)

  it("broker restart while jobs flow: every confirmed job ends with a result", async () => {
    const ns = `r-${randomUUID().slice(0, 8)}`
    const confirmed = new Set<string>()
    let restarted = false
    const all: Array<Envelope.Result> = []
    const logs: Array<string> = []
    const node = await Rabbit.privateNode()
    try {
      await run(
        ns,
        Effect.gen(function* () {
          const transport = yield* Transport.Transport
          for (const id of ["r1", "r2"])
            yield* transport.serve({ workerId: id, queues: [Queues.direct], concurrency: 4 }, () =>
              Effect.sleep("5 millis"),
            )
          const restart = Effect.promise(async () => {
            await new Promise((r) => setTimeout(r, 300))
            try {
              await node.ctl("stop_app")
              await new Promise((r) => setTimeout(r, 1500))
            } finally {
              await node.ctl("start_app")
              restarted = true
            }
          })
          const restarting = yield* Effect.fork(restart)
          for (let i = 0; i < 150; i++) {
            const jobs = yield* transport.dispatch(
              { operationId: `flow${i}`, type: "t", payload: i },
              [Queues.direct],
            )
            for (const job of jobs) confirmed.add(job.jobId)
            yield* Effect.sleep("15 millis")
          }
          yield* restarting.await
          yield* resultsFor(transport, confirmed, all).pipe(Effect.timeout("45 seconds"))
        }),
        logs,
        node.url,
      )
    } finally {
      await node.close()
    }
    expect(restarted).toBe(true)
    expect(confirmed.size).toBe(150)
    const answered = new Set(all.map((r) => r.jobId))
    expect([...confirmed].filter((id) => !answered.has(id))).toEqual([])
    // an operator reading the log sees the loss and the recovery, not a flood
    const lost = logs.findIndex((l) => /^WARN transport: rabbitmq connection:/.test(l))
    const restored = logs.findIndex((l) => l === "INFO transport: rabbitmq connection restored")
    expect(lost).toBeGreaterThanOrEqual(0)
    expect(restored).toBeGreaterThan(lost)
    expect(
      logs.filter((l) => l.startsWith("INFO transport: rabbitmq connection restored")),
    ).toHaveLength(1)
  }, 120_000)

  it("a broker that cannot be reached at start: the error says why, not only that time ran out", async () => {
    const failure = (url: string) =>
      Effect.runPromise(
        Effect.flip(
          Effect.scoped(RabbitMq.make({ url, connectTimeout: 1_500 })).pipe(
            Effect.provide(Logger.minimumLogLevel(LogLevel.None)),
          ),
        ),
      )
    const refused = await failure("amqp://guest:guest@127.0.0.1:1/")
    expect(refused.reason).toBe("Connection")
    expect(refused.message).toMatch(
      /^cannot connect to RabbitMQ: no connection within 1\.5 s, last error: .*ECONNREFUSED 127\.0\.0\.1:1$/,
    )
    const login = await failure(host!.url.replace("guest:guest@", "guest:wrong@"))
    expect(login.message).toMatch(/no connection within 1\.5 s, last error: .*ACCESS_REFUSED/)
  }, 30_000)

  it("foreign messages on a job queue (JSON and text content types) are dead-lettered", async () => {
    const ns = `f-${randomUUID().slice(0, 8)}`
    const dead = await run(
      ns,
      Effect.gen(function* () {
        const transport = yield* Transport.Transport
        yield* transport.serve({ workerId: "f1", queues: [Queues.direct] }, () => Effect.void)
        const connection = new Connection({ url: host!.url })
        const publisher = connection.createPublisher({ confirm: true })
        yield* Effect.promise(async () => {
          await publisher.send({ routingKey: `${ns}.netwark` }, { hello: "json" })
          await publisher.send({ routingKey: `${ns}.netwark` }, "plain text")
          await publisher.close()
          await connection.close()
        })
        return yield* transport.deadLetters().pipe(
          Stream.tap((d) => d.ack),
          Stream.map((d) => d.message),
          Stream.take(2),
          Stream.runCollect,
          Effect.timeout("10 seconds"),
        )
      }),
    )
    expect(Chunk.toReadonlyArray(dead).map((d) => [d.queue, d.reason])).toEqual([
      ["netwark", "Malformed"],
      ["netwark", "Malformed"],
    ])
  })

  it("progress on the results queue (workers of earlier versions) is still handed out", async () => {
    const ns = `l-${randomUUID().slice(0, 8)}`
    const progress: Envelope.Progress = {
      v: 1,
      kind: "progress",
      operationId: "legacy",
      jobId: "legacy/netwark",
      workerId: "old-1",
      attempt: 1,
      target: "netwark",
      mode: "one",
      seq: 0,
      at: 1,
      data: { line: "64 bytes from 127.0.0.1" },
    }
    const got = await run(
      ns,
      Effect.gen(function* () {
        const transport = yield* Transport.Transport
        const connection = new Connection({ url: host!.url })
        // declared as the earlier workers' transport declared it
        const publisher = connection.createPublisher({
          confirm: true,
          queues: [
            {
              queue: `${ns}.netwark.results`,
              durable: true,
              arguments: { "x-dead-letter-exchange": `${ns}.netwark.dead` },
            },
          ],
        })
        yield* Effect.promise(async () => {
          await publisher.send(
            { routingKey: `${ns}.netwark.results`, contentType: "application/vnd.netwark+json" },
            Buffer.from(JSON.stringify(progress)),
          )
          await publisher.close()
          await connection.close()
        })
        return yield* transport.results().pipe(
          Stream.tap((d) => d.ack),
          Stream.map((d) => d.message),
          Stream.take(1),
          Stream.runCollect,
          Effect.timeout("10 seconds"),
        )
      }),
    )
    expect(Chunk.toReadonlyArray(got)).toEqual([progress])
  })
})
