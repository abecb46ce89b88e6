/**
 * The built `netwark-worker` binary against the machine's RabbitMQ (a throwaway vhost per run):
 * three worker processes, round-robin on the direct queue, a broadcast answered by each,
 * `kill -9` mid-job (redelivered, finished elsewhere, one result after dedupe), SIGTERM
 * (running job finished, goodbye, exit 0), SIGTERM past the grace period (job handed back and
 * finished by another worker). Only loopback targets.
 */
import { existsSync } from "node:fs"
import { mkdtemp, readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import { type Duration, Effect, Exit, Fiber, Scope, Stream } from "effect"
import { Dedupe, type Envelope, Queues, RabbitMq, Registry, Transport } from "@netwark/transport"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as Children from "../src/internal/children.js"
import * as Jobs from "../src/Jobs.js"
import * as Binary from "./support/binary.js"
import { until } from "./support/until.js"
import * as Rabbit from "../../transport/test/support/rabbit.js"

const available = await Rabbit.reachable()

interface Child extends Binary.Spawned {
  readonly instance: string
  readonly id: string | undefined
}

describe.skipIf(!available)(
  `netwark-worker processes on RabbitMQ${available ? "" : " (skipped: no RabbitMQ on 127.0.0.1:5672)"}`,
  () => {
    let vhost: Awaited<ReturnType<typeof Rabbit.vhost>>
    let stateDir: string
    const children: Array<Child> = []
    const scope = Effect.runSync(Scope.make())
    let transport: Transport.Service
    let registry: Registry.Service
    const replies: Array<Envelope.Reply> = []
    const presence: Array<Envelope.Presence> = []
    const fibers: Array<Fiber.RuntimeFiber<unknown, unknown>> = []

    const start = (instance: string, env: Record<string, string> = {}): Child => {
      const spawned = Binary.spawn({
        NETWARK_BROKER_URL: vhost.url,
        NETWARK_STATE_DIR: stateDir,
        NETWARK_WORKER_INSTANCE: instance,
        NETWARK_CONCURRENCY: "2",
        NETWARK_HEARTBEAT: "500ms",
        NETWARK_SHUTDOWN_GRACE: "10s",
        ...env,
      })
      const c: Child = {
        ...spawned,
        instance,
        // the id the worker logs once started
        get id() {
          const started = spawned.lines.find((l) => l["msg"] === "worker started")
          return started === undefined ? undefined : String(started["workerId"])
        },
      }
      children.push(c)
      return c
    }

    const handbackQueue = {
      queue: "handback",
      name: "Hand back",
      location: "Lab",
      broadcast: false,
    }
    const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect)
    const resultsOf = (operationId: string) =>
      replies.filter(
        (r): r is Envelope.Result => r.kind === "result" && r.operationId === operationId,
      )
    const dispatch = (
      operationId: string,
      target: string,
      payload: unknown,
      timeout: Duration.DurationInput = "60 seconds",
    ) => run(transport.dispatch({ operationId, type: "ping", payload, timeout }, [target]))

    beforeAll(async () => {
      await Binary.ensureBuilt()
      vhost = await Rabbit.vhost("worker")
      stateDir = await mkdtemp(path.join(tmpdir(), "netwark-worker-state-"))
      transport = await run(
        RabbitMq.make({ url: vhost.url, queues: [handbackQueue], jobTypes: Jobs.types }).pipe(
          Scope.extend(scope),
        ),
      )
      registry = await run(
        Registry.make.pipe(
          Effect.provideService(Transport.Transport, transport),
          Scope.extend(scope),
        ),
      )
      fibers.push(
        Effect.runFork(
          transport.results().pipe(
            Stream.runForEach((d) =>
              Effect.zipRight(
                Effect.sync(() => replies.push(d.message)),
                d.ack,
              ),
            ),
          ),
        ),
        Effect.runFork(
          Effect.scoped(
            Effect.flatMap(transport.presence(), (stream) =>
              Stream.runForEach(stream, (p) => Effect.sync(() => presence.push(p))),
            ),
          ),
        ),
      )
      for (const instance of ["a", "b", "c"]) start(instance)
      await run(registry.await((ws) => ws.length === 3, "30 seconds"))
      await until("the workers' start logs", () => children.every((c) => c.id))
    })

    afterAll(async () => {
      // every step runs even if one fails, and the vhost always goes
      const attempt = async (step: () => Promise<unknown>) => {
        try {
          await step()
        } catch {
          // cleanup is best effort
        }
      }
      for (const c of children) if (c.process.exitCode === null) c.process.kill("SIGKILL")
      await attempt(() => Promise.all(children.map((c) => c.exited)))
      for (const f of fibers) await attempt(() => run(Fiber.interrupt(f)))
      await attempt(() => run(Scope.close(scope, Exit.void).pipe(Effect.timeout("10 seconds"))))
      await attempt(() => vhost?.remove())
      if (stateDir) await rm(stateDir, { recursive: true, force: true })
    })

    it("three workers online with distinct, persisted ids", async () => {
      const ids = children.map((c) => c.id)
      expect(new Set(ids).size).toBe(3)
      for (const c of children)
        expect(
          (await readFile(path.join(stateDir, `worker-${c.instance}.id`), "utf8")).trim(),
        ).toBe(c.id)
      const online = await run(registry.online)
      expect(online.map((w) => w.id).sort()).toEqual([...ids].sort())
      expect(online[0]?.capabilities).toMatchObject({
        tools: { ping: { installed: true } },
        jobs: ["ping", "mtr", "traceroute", "dns"],
      })
      expect(await run(registry.expected([Queues.broadcast]))).toBe(3)
    })

    it("the direct queue spreads jobs over every worker, one result per job", async () => {
      for (let i = 0; i < 6; i++)
        await dispatch(`rr-${i}`, Queues.direct, { target: "127.0.0.1", options: { count: 1 } })
      const results = await until("6 results", () => {
        const all = Array.from({ length: 6 }, (_, i) => resultsOf(`rr-${i}`))
        return all.every((r) => r.length === 1) ? all.map((r) => r[0]!) : undefined
      })
      expect(results.every((r) => r.status === "ok" && r.mode === "one")).toBe(true)
      expect(new Set(results.map((r) => r.workerId)).size).toBe(3)
      expect((results[0]?.data as { summary: { received: number } }).summary.received).toBe(1)
    })

    it("a broadcast is answered by each worker", async () => {
      await dispatch("bc-1", Queues.broadcast, { target: "127.0.0.1", options: { count: 1 } })
      const results = await until("3 broadcast results", () =>
        resultsOf("bc-1").length >= 3 ? resultsOf("bc-1") : undefined,
      )
      expect(results.map((r) => r.workerId).sort()).toEqual(children.map((c) => c.id).sort())
      expect(results.every((r) => r.status === "ok")).toBe(true)
    })

    it("a malformed message is dead-lettered and the workers keep running", async () => {
      await run(transport.publishRaw(Queues.direct, new TextEncoder().encode("{not json")))
      const dead = await run(
        transport.deadLetters().pipe(
          Stream.tap((d) => d.ack),
          Stream.map((d) => d.message),
          Stream.runHead,
          Effect.timeout("10 seconds"),
        ),
      )
      expect(dead._tag === "Some" && [dead.value.reason, dead.value.queue]).toEqual([
        "Malformed",
        Queues.direct,
      ])
      await dispatch("after-dead", Queues.broadcast, { target: "127.0.0.1", options: { count: 1 } })
      const results = await until("3 results after the bad message", () =>
        resultsOf("after-dead").length >= 3 ? resultsOf("after-dead") : undefined,
      )
      expect(results.every((r) => r.status === "ok")).toBe(true)
    })

    it("kill -9 mid-job: the job is redelivered, finished by another worker, one result kept", async () => {
      await dispatch("kill-1", Queues.direct, {
        target: "127.0.0.1",
        options: { count: 5, interval: "500 millis" },
      })
      const first = await until("first progress", () =>
        replies.find((r) => r.kind === "progress" && r.operationId === "kill-1"),
      )
      const victim = children.find((c) => c.id === first.workerId)!
      victim.process.kill("SIGKILL")
      await victim.exited
      const result = await until("a result after redelivery", () => resultsOf("kill-1")[0])
      expect(result.workerId).not.toBe(victim.id)
      expect(result.attempt).toBeGreaterThanOrEqual(2)
      expect(result.status).toBe("ok")
      expect((result.data as { replies: ReadonlyArray<unknown> }).replies).toHaveLength(5)
      await new Promise((r) => setTimeout(r, 500))
      const dedupe = Dedupe.make()
      expect(resultsOf("kill-1").filter((r) => dedupe.first(r))).toHaveLength(1)
    })

    it("SIGTERM: the running job finishes, the worker says goodbye and exits 0", async () => {
      const alive = children.filter(
        (c) => c.process.exitCode === null && c.process.signalCode === null,
      )
      expect(alive.length).toBe(2)
      await dispatch("term-1", Queues.broadcast, {
        target: "127.0.0.1",
        options: { count: 4, interval: "500 millis" },
      })
      const target = alive[0]!
      await until("progress from the worker to stop", () =>
        replies.find(
          (r) => r.kind === "progress" && r.operationId === "term-1" && r.workerId === target.id,
        ),
      )
      target.process.kill("SIGTERM")
      expect(await target.exited).toBe(0)
      const results = await until("both broadcast results", () =>
        resultsOf("term-1").length >= 2 ? resultsOf("term-1") : undefined,
      )
      const mine = results.find((r) => r.workerId === target.id)
      expect(mine?.status).toBe("ok")
      expect((mine?.data as { replies: ReadonlyArray<unknown> }).replies).toHaveLength(4)
      await until("goodbye", () =>
        presence.find((p) => p.event === "goodbye" && p.worker.id === target.id),
      )
      const online = await run(registry.online)
      expect(online.map((w) => w.id)).not.toContain(target.id)
      const messages = target.lines.map((l) => l["msg"])
      expect(messages).toEqual(
        expect.arrayContaining(["shutting down", "worker stopping", "worker stopped"]),
      )
    })

    it("a second SIGTERM mid-job: exit 1 at once, and the running tool does not outlive the worker", async () => {
      const env = {
        NETWARK_QUEUES: JSON.stringify([handbackQueue]),
        NETWARK_BUILTIN_QUEUES: "false",
      }
      const impatient = start("f", env)
      await until("worker f", () => impatient.id)
      // a short deadline: the copy the broker gets back is answered `expired` by the next worker
      await dispatch(
        "twice-1",
        "handback",
        { target: "127.0.0.1", options: { count: 20, interval: "300 millis" } },
        "4 seconds",
      )
      await until("progress from f", () =>
        replies.find((r) => r.kind === "progress" && r.operationId === "twice-1"),
      )
      const tools = Children.pidsOf(impatient.process.pid!)
      expect(tools.length).toBe(1)
      impatient.process.kill("SIGTERM")
      await until("f stopping", () => impatient.lines.find((l) => l["msg"] === "worker stopping"))
      impatient.process.kill("SIGTERM")
      expect(await impatient.exited).toBe(1)
      expect(impatient.lines.at(-1)).toMatchObject({
        msg: "second signal: exiting now, running jobs go back to the broker",
        toolsStopped: 1,
      })
      // ping would otherwise go on for its 20 replies (6 s), orphaned
      await until(
        "the ping process gone",
        () => tools.every((pid) => !existsSync(`/proc/${pid}`)),
        2_000,
      )
    })

    it("SIGTERM past the grace period: the job is handed back and finished by another worker", async () => {
      // a location queue only these workers serve, so the job surely lands on the one stopped
      const env = {
        NETWARK_QUEUES: JSON.stringify([handbackQueue]),
        NETWARK_BUILTIN_QUEUES: "false",
      }
      const first = start("d", { ...env, NETWARK_SHUTDOWN_GRACE: "300ms" })
      await until("worker d", () => first.id)
      await dispatch("handback-1", "handback", {
        target: "127.0.0.1",
        options: { count: 6, interval: "300 millis" },
      })
      await until("progress from d", () =>
        replies.find((r) => r.kind === "progress" && r.operationId === "handback-1"),
      )
      const stoppedAt = Date.now()
      first.process.kill("SIGTERM")
      expect(await first.exited).toBe(0)
      expect(Date.now() - stoppedAt).toBeLessThan(3_000)
      expect(first.lines.map((l) => l["msg"])).toEqual(
        expect.arrayContaining([
          "grace period over, handing back running jobs",
          "job handed back",
          "worker stopped",
        ]),
      )
      expect(resultsOf("handback-1")).toEqual([])
      const second = start("e", env)
      const result = await until("the result from e", () => resultsOf("handback-1")[0])
      expect(result).toMatchObject({ workerId: second.id, status: "ok" })
      expect(result.attempt).toBeGreaterThanOrEqual(2)
      expect((result.data as { replies: ReadonlyArray<unknown> }).replies).toHaveLength(6)
      expect(resultsOf("handback-1")).toHaveLength(1)
    })

    it("logs are JSON lines without the broker password", () => {
      for (const c of children) {
        expect(c.lines.filter((l) => "unparsed" in l)).toEqual([])
        expect(c.raw.join("\n")).not.toContain(":guest@")
        expect(
          c.lines.every((l) => typeof l["level"] === "string" && typeof l["time"] === "string"),
        ).toBe(true)
      }
      expect(children[0]!.raw.join("\n")).toContain("guest:***@")
    })
  },
)
