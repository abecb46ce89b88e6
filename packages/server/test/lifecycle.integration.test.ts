/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers in tests */
import { ToolError } from "@netwark/tools"
import { Envelope, Transport } from "@netwark/transport"
import { SqlClient } from "@effect/sql"
import { type Duration, Effect, Either, Exit, Fiber, Redacted, Scope } from "effect"
import pg from "pg"
import { describe, expect, it } from "vitest"
import * as Events from "../src/operations/events.js"
import * as Repository from "../src/operations/operations.repository.js"
import { call, eventually } from "./support/api.js"
import { readEvents, streamedResults, streamedStatus } from "./support/sse.js"
import { useServer } from "./support/server.js"

const settled = (base: string, id: string, timeoutMs = 20_000) =>
  eventually(async () => {
    const r = await call<any>("GET", `${base}/operations/${id}`)
    return ["done", "partial", "error", "timeout"].includes(r.body.status) ? r.body : undefined
  }, timeoutMs)

/** Wait until the server lists `n` workers online. */
const onlineWorkers = (base: string, n: number) =>
  eventually(async () => {
    const r = await call<any>("GET", `${base}/workers`)
    return r.body.items.filter((w: any) => w.status === "online").length === n ? true : undefined
  })

/**
 * A fake worker on one queue that runs only `jobs` and announces them, as the reference worker
 * does (the transport answers or sets aside the jobs of other types).
 */
const typedWorker = (id: string, queue: string, jobs: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const transport = yield* Transport.Transport
    yield* transport.serve({ workerId: id, queues: [queue], types: jobs }, () =>
      Effect.succeed({ raw: `${id} output`, status: "ok" }),
    )
    yield* transport.announce({
      id,
      hostname: `host-${id}`,
      version: "test",
      queues: [queue],
      locations: [],
      capabilities: { jobs },
    })
  })

describe("operation lifecycle on PostgreSQL with fake in-process workers", () => {
  const running = useServer()

  it("ends as timeout when no worker takes a direct job before the deadline", async () => {
    const r = await call<any>("POST", `${running.base}/operations`, {
      type: "ping",
      target: "127.0.0.1",
      queues: ["netwark"],
      timeout: 1,
    })
    expect(r.status).toBe(202)
    const op = await settled(running.base, r.body.id)
    expect(op).toMatchObject({ status: "timeout", expected: 1, received: 0 })
  })

  it("ends as error when a broadcast reaches no worker", async () => {
    const r = await call<any>("POST", `${running.base}/operations`, {
      type: "ping",
      target: "127.0.0.1",
    })
    const op = await settled(running.base, r.body.id)
    expect(op).toMatchObject({
      status: "error",
      expected: 0,
      error: "no worker online on the requested queues runs ping jobs",
    })
  })

  it("ends as error when the transport refuses a job (a queue no longer configured)", async () => {
    const op = await running.server.runtime.run(
      Repository.insert({
        id: "5d9e8f0a-1111-4222-8333-444455556666",
        type: "ping",
        target: "127.0.0.1",
        options: {},
        queues: ["gone-queue"],
        timeoutMs: 60_000,
      }),
    )
    const ended = await settled(running.base, op.id)
    expect(ended).toMatchObject({ status: "error", error: expect.stringContaining("gone-queue") })
  })

  it("ends as partial when one of two workers fails, and ignores a redelivered result", async () => {
    const fakeWorker = (id: string, fail: boolean) =>
      Effect.gen(function* () {
        const transport = yield* Transport.Transport
        yield* transport.serve({ workerId: id, queues: ["netwark.broadcast"] }, () =>
          fail
            ? Effect.fail(
                new ToolError.ToolError({
                  reason: "PolicyDenied",
                  message: "127.0.0.1 is refused by deny rule 127.0.0.0/8",
                  field: "target",
                }),
              )
            : Effect.succeed({ raw: "fake output", status: "ok" }),
        )
        yield* transport.announce({
          id,
          hostname: `host-${id}`,
          version: "test",
          queues: ["netwark.broadcast"],
          locations: [],
          capabilities: {},
        })
      })
    const fiber = running.server.runtime.managed.runFork(
      Effect.scoped(
        Effect.zipRight(
          Effect.all([fakeWorker("ok-1", false), fakeWorker("bad-1", true)]),
          Effect.never,
        ),
      ),
    )
    try {
      await eventually(async () => {
        const r = await call<any>("GET", `${running.base}/workers`)
        return r.body.total === 2 ? true : undefined
      })
      const r = await call<any>("POST", `${running.base}/operations`, {
        type: "ping",
        target: "127.0.0.1",
      })
      const op = await settled(running.base, r.body.id)
      expect(op).toMatchObject({ status: "partial", expected: 2, received: 2 })
      const ok = op.results.find((x: any) => x.workerId === "ok-1")
      expect(ok).toMatchObject({
        status: "ok",
        raw: "fake output",
        result: { status: "ok" },
        hostname: "host-ok-1",
      })
      // the worker's reason and field come back with its message
      expect(op.results.find((x: any) => x.workerId === "bad-1")).toMatchObject({
        status: "error",
        error: "127.0.0.1 is refused by deny rule 127.0.0.0/8",
        errorReason: "PolicyDenied",
        errorField: "target",
      })
      expect(ok).not.toHaveProperty("errorReason")

      // the same result again (a redelivery): stored once
      const again = await running.server.runtime.run(
        Repository.storeResults([
          {
            operationId: r.body.id,
            jobId: ok.jobId,
            workerSlot: "ok-1",
            workerId: "ok-1",
            hostname: "host-ok-1",
            queue: "netwark.broadcast",
            location: null,
            mode: "each",
            attempt: 2,
            status: "ok",
            startedAt: Date.now(),
            finishedAt: Date.now(),
            data: {},
            raw: "second",
            error: null,
          },
        ]),
      )
      expect(again.inserted).toHaveLength(0)
      const after = await call<any>("GET", `${running.base}/operations/${r.body.id}`)
      expect(after.body.results).toHaveLength(2)
      expect(after.body.results.find((x: any) => x.workerId === "ok-1").raw).toBe("fake output")
    } finally {
      await running.server.runtime.managed.runPromise(Fiber.interrupt(fiber))
    }
  })

  it("a direct job of a type its queue's workers do not run ends at once, saying why", async () => {
    const fiber = running.server.runtime.managed.runFork(
      Effect.scoped(
        Effect.zipRight(typedWorker("direct-ping-only", "netwark", ["ping"]), Effect.never),
      ),
    )
    try {
      await eventually(async () => {
        const r = await call<any>("GET", `${running.base}/workers`)
        const ids = r.body.items
          .filter((w: any) => w.status === "online")
          .map((w: any) => w.id as string)
        return ids.includes("direct-ping-only") ? true : undefined
      })
      // online, but without mtr: an error at dispatch, not a timeout two minutes on
      const mtr = await call<any>("POST", `${running.base}/operations`, {
        type: "mtr",
        target: "127.0.0.1",
        queues: ["netwark"],
        timeout: 120,
      })
      expect(await settled(running.base, mtr.body.id, 10_000)).toMatchObject({
        status: "error",
        error: "no worker online on queue netwark runs mtr jobs (online there: direct-ping-only)",
      })
      // a job that reaches it all the same is answered with why. The transport routes a
      // traceroute job to the queue of traceroute workers, which this one does not consume, so
      // the job comes the way a server of an earlier version sends it, on the plain queue; the
      // server's plan is bypassed by storing it by hand
      const transport = await running.server.runtime.run(Transport.Transport)
      const id = "0f1e2d3c-4b5a-4968-8776-655443322110"
      await running.server.runtime.run(
        Repository.insert({
          id,
          type: "traceroute",
          target: "127.0.0.1",
          options: {},
          queues: ["netwark"],
          timeoutMs: 120_000,
        }),
      )
      await running.server.runtime.run(
        Effect.flatMap(SqlClient.SqlClient, (sql) =>
          Effect.zipRight(
            sql`UPDATE outbox SET sent_at = clock_timestamp() WHERE operation_id = ${id}`,
            Effect.zipRight(
              sql`INSERT INTO jobs (operation_id, job_id, queue, mode, expected)
                  VALUES (${id}, ${id}, 'netwark', 'one', 1)`,
              sql`UPDATE operations SET expected = 1, status = 'running',
                    deadline = clock_timestamp() + interval '2 minutes' WHERE id = ${id}`,
            ),
          ),
        ),
      )
      const now = Date.now()
      const job: Envelope.Job = {
        v: Envelope.version,
        kind: "job",
        operationId: id,
        jobId: `${id}/netwark`,
        type: "traceroute",
        payload: { target: "127.0.0.1" },
        target: "netwark",
        mode: "one",
        deadline: now + 120_000,
        createdAt: now,
      }
      await running.server.runtime.run(transport.publishRaw("netwark", Envelope.encode(job)))
      const op = await settled(running.base, id, 10_000)
      expect(op).toMatchObject({ status: "error", received: 1 })
      expect(op.results[0]).toMatchObject({
        workerId: "direct-ping-only",
        status: "error",
        errorReason: "UnknownType",
        error:
          "worker direct-ping-only does not run traceroute jobs (it runs ping): every worker on a shared queue should run the types sent to it",
      })
    } finally {
      await running.server.runtime.managed.runPromise(Fiber.interrupt(fiber))
    }
  })

  it("a broadcast waits only for the workers that run its job type", async () => {
    const worker = (id: string, jobs: ReadonlyArray<string>) =>
      typedWorker(id, "netwark.broadcast", jobs)
    const fiber = running.server.runtime.managed.runFork(
      Effect.scoped(
        Effect.zipRight(
          Effect.all([worker("all-jobs", ["ping", "mtr"]), worker("ping-only", ["ping"])]),
          Effect.never,
        ),
      ),
    )
    try {
      await onlineWorkers(running.base, 2)
      const mtr = await call<any>("POST", `${running.base}/operations`, {
        type: "mtr",
        target: "127.0.0.1",
        timeout: 120,
      })
      // settled by the one worker that runs mtr, not at the deadline two minutes on
      const op = await settled(running.base, mtr.body.id, 10_000)
      expect(op).toMatchObject({ status: "done", expected: 1, received: 1 })
      expect(op.expectedWorkers.map((w: any) => w.workerId)).toEqual(["all-jobs"])
      const ping = await call<any>("POST", `${running.base}/operations`, {
        type: "ping",
        target: "127.0.0.1",
      })
      expect(await settled(running.base, ping.body.id, 10_000)).toMatchObject({
        status: "done",
        expected: 2,
        received: 2,
      })
      // workers online, none of them runs the type: an error at once, saying so
      const trace = await call<any>("POST", `${running.base}/operations`, {
        type: "traceroute",
        target: "127.0.0.1",
        timeout: 120,
      })
      expect(await settled(running.base, trace.body.id, 10_000)).toMatchObject({
        status: "error",
        expected: 0,
        error: "no worker online on the requested queues runs traceroute jobs",
      })
    } finally {
      await running.server.runtime.managed.runPromise(Fiber.interrupt(fiber))
    }
  })

  it("a worker whose broadcast flag for a queue differs is not waited for, nor listed on it", async () => {
    const announce = (id: string, mode: "one" | "each") =>
      Effect.flatMap(Transport.Transport, (transport) =>
        transport.announce({
          id,
          hostname: `host-${id}`,
          version: "test",
          queues: ["netwark.broadcast"],
          locations: [],
          capabilities: { jobs: ["ping"], modes: { "netwark.broadcast": mode } },
        }),
      )
    const fiber = running.server.runtime.managed.runFork(
      Effect.scoped(
        Effect.gen(function* () {
          const transport = yield* Transport.Transport
          yield* transport.serve({ workerId: "routed-1", queues: ["netwark.broadcast"] }, () =>
            Effect.succeed({ raw: "ok", status: "ok" }),
          )
          yield* announce("routed-1", "each")
          // its own configuration routes the queue round-robin: it consumes a plain queue that
          // nothing publishes to, so it never sees the broadcast
          yield* announce("misrouted-1", "one")
          return yield* Effect.never
        }),
      ),
    )
    try {
      await onlineWorkers(running.base, 2)
      const queues = await call<any>("GET", `${running.base}/management/backend/queues`)
      const broadcast = queues.body.items.find((q: any) => q.queue === "netwark.broadcast")
      expect(broadcast.workers.map((w: any) => w.id)).toEqual(["routed-1"])
      const r = await call<any>("POST", `${running.base}/operations`, {
        type: "ping",
        target: "127.0.0.1",
        timeout: 120,
      })
      const op = await settled(running.base, r.body.id, 10_000)
      expect(op).toMatchObject({ status: "done", expected: 1, received: 1 })
    } finally {
      await running.server.runtime.managed.runPromise(Fiber.interrupt(fiber))
    }
  })

  it("a result from a worker the broadcast did not expect neither settles it early nor fails it", async () => {
    const worker = (id: string, delay: Duration.DurationInput) =>
      Effect.gen(function* () {
        const transport = yield* Transport.Transport
        yield* transport.serve({ workerId: id, queues: ["netwark.broadcast"] }, () =>
          Effect.as(Effect.sleep(delay), { raw: `${id} output`, status: "ok" }),
        )
        yield* transport.announce({
          id,
          hostname: `host-${id}`,
          version: "test",
          queues: ["netwark.broadcast"],
          locations: [],
          capabilities: {},
        })
      })
    const fiber = running.server.runtime.managed.runFork(
      Effect.scoped(
        Effect.zipRight(
          Effect.all([worker("quick-1", "10 millis"), worker("slow-1", "2 seconds")]),
          Effect.never,
        ),
      ),
    )
    try {
      await onlineWorkers(running.base, 2)
      const r = await call<any>("POST", `${running.base}/operations`, {
        type: "ping",
        target: "127.0.0.1",
        timeout: 120,
      })
      const first = await eventually(async () => {
        const op = await call<any>("GET", `${running.base}/operations/${r.body.id}`)
        return op.body.results.length === 1 ? op.body : undefined
      })
      expect(first.expected).toBe(2)
      // a worker stopped when the broadcast went out answers the copy its queue kept
      await running.server.runtime.run(
        Repository.storeResults([
          {
            operationId: r.body.id,
            jobId: first.results[0].jobId,
            workerSlot: "restarted-1",
            workerId: "restarted-1",
            hostname: "host-restarted-1",
            queue: "netwark.broadcast",
            location: null,
            mode: "each",
            attempt: 1,
            status: "error",
            startedAt: Date.now(),
            finishedAt: Date.now(),
            data: undefined,
            raw: null,
            error: "unreachable",
          },
        ]),
      )
      const meanwhile = await call<any>("GET", `${running.base}/operations/${r.body.id}`)
      expect(meanwhile.body).toMatchObject({ status: "running", received: 2 })
      const op = await settled(running.base, r.body.id)
      expect(op).toMatchObject({ status: "done", expected: 2, received: 3 })
      expect(op.results.map((x: any) => x.workerId).sort()).toEqual([
        "quick-1",
        "restarted-1",
        "slow-1",
      ])
    } finally {
      await running.server.runtime.managed.runPromise(Fiber.interrupt(fiber))
    }
  })

  it("names the host and location of a worker that said goodbye before its result (a drain)", async () => {
    // what a SIGTERM does: goodbye first, then the running job finishes and its result is sent
    const drainingWorker = Effect.gen(function* () {
      const transport = yield* Transport.Transport
      const presence = yield* Scope.make()
      yield* transport.serve({ workerId: "draining-1", queues: ["netwark"] }, () =>
        Effect.gen(function* () {
          yield* Scope.close(presence, Exit.void)
          yield* Effect.sleep("300 millis")
          return { raw: "drained output", status: "ok" }
        }),
      )
      yield* Scope.extend(
        transport.announce({
          id: "draining-1",
          hostname: "host-draining-1",
          version: "test",
          queues: ["netwark"],
          locations: ["Lyon"],
          capabilities: {},
        }),
        presence,
      )
    })
    const fiber = running.server.runtime.managed.runFork(
      Effect.scoped(Effect.zipRight(drainingWorker, Effect.never)),
    )
    try {
      await eventually(async () => {
        const r = await call<any>("GET", `${running.base}/workers`)
        return r.body.items.some((w: any) => w.id === "draining-1" && w.status === "online")
          ? true
          : undefined
      })
      const r = await call<any>("POST", `${running.base}/operations`, {
        type: "ping",
        target: "127.0.0.1",
        queues: ["netwark"],
      })
      const op = await settled(running.base, r.body.id)
      const workers = await call<any>("GET", `${running.base}/workers`)
      expect(workers.body.items.find((w: any) => w.id === "draining-1")).toMatchObject({
        status: "offline",
      })
      expect(op).toMatchObject({ status: "done", received: 1 })
      expect(op.results[0]).toMatchObject({
        workerId: "draining-1",
        hostname: "host-draining-1",
        location: "Lyon",
        raw: "drained output",
      })
    } finally {
      await running.server.runtime.managed.runPromise(Fiber.interrupt(fiber))
    }
  })

  it("settles an operation whose results were stored without settling it (two replicas at once)", async () => {
    const op = await running.server.runtime.run(
      Repository.insert({
        id: "7e2a1c3b-2222-4333-8444-555566667777",
        type: "ping",
        target: "127.0.0.1",
        options: {},
        queues: ["netwark"],
        timeoutMs: 600_000,
      }),
    )
    // what two collectors can leave behind: every result in, the operation still running
    await running.server.runtime.run(
      Effect.flatMap(SqlClient.SqlClient, (sql) =>
        Effect.zipRight(
          sql`UPDATE outbox SET sent_at = now() WHERE operation_id = ${op.id}`,
          Effect.zipRight(
            sql`UPDATE operations SET status = 'running', expected = 1, deadline = now() + interval '10 minutes' WHERE id = ${op.id}`,
            sql`INSERT INTO results (operation_id, job_id, worker_slot, worker_id, queue, mode, attempt, status, started_at, finished_at)
                VALUES (${op.id}, ${op.id + "/netwark"}, '*', 'w', 'netwark', 'one', 1, 'ok', now(), now())`,
          ),
        ),
      ),
    )
    const ended = await settled(running.base, op.id)
    expect(ended).toMatchObject({ status: "done", received: 1 })
  })

  /** An operation running one job, recorded as the dispatcher records it. */
  const runningWithJob = async (
    id: string,
    job: { jobId: string; queue: string; mode: "one" | "each"; workers: ReadonlyArray<string> },
  ) => {
    await running.server.runtime.run(
      Repository.insert({
        id,
        type: "ping",
        target: "127.0.0.1",
        options: {},
        queues: ["netwark"],
        timeoutMs: 30_000,
      }),
    )
    const expected = job.mode === "one" ? 1 : job.workers.length
    const workers = JSON.stringify(job.workers.map((w) => ({ id: w })))
    await running.server.runtime.run(
      Effect.flatMap(SqlClient.SqlClient, (sql) =>
        Effect.zipRight(
          sql`INSERT INTO jobs (operation_id, job_id, queue, mode, expected, expected_workers)
              VALUES (${id}, ${job.jobId}, ${job.queue}, ${job.mode}, ${expected}, ${workers}::jsonb)`,
          sql`UPDATE operations SET expected = ${expected}, status = 'running' WHERE id = ${id}`,
        ),
      ),
    )
  }

  /** A broadcast worker's result as the collector hands it to `storeResults`. */
  const eachResult = (
    operationId: string,
    jobId: string,
    workerId: string,
    fields: Partial<Repository.NewResult> = {},
  ): Repository.NewResult => ({
    operationId,
    jobId,
    workerSlot: workerId,
    workerId,
    hostname: `host-${workerId}`,
    queue: "netwark.broadcast",
    location: null,
    mode: "each",
    attempt: 1,
    status: "ok",
    startedAt: 1_764_000_000_000,
    finishedAt: 1_764_000_000_010,
    data: null,
    raw: "",
    error: null,
    ...fields,
  })

  it("storing results answers each new one as GET shows it, once per key, and settles", async () => {
    const id = "7a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d"
    // as the dispatcher records it: one direct job expecting one answer
    await runningWithJob(id, { jobId: id, queue: "netwark", mode: "one", workers: [] })
    const result = (raw: string, attempt: number): Repository.NewResult => ({
      // the id as a worker may spell it: the database's form is lower case
      operationId: id.toUpperCase(),
      jobId: id,
      workerSlot: "*",
      workerId: "w-1",
      hostname: "host-w-1",
      queue: "netwark",
      location: "Paris",
      mode: "one",
      attempt,
      status: "ok",
      startedAt: 1_764_000_000_123,
      finishedAt: 1_764_000_000_456,
      data: { rtt: { min: 0.042, avg: 0.05 }, hops: [1, 2], missing: undefined },
      raw,
      error: null,
    })
    // a redelivery in the same batch as its original: the first is stored, once
    const stored = await running.server.runtime.run(
      Repository.storeResults([result("first", 1), result("second", 2)]),
    )
    expect(stored.settled).toEqual([{ id, status: "done", received: 1 }])
    expect(stored.inserted).toHaveLength(1)
    const op = await call<any>("GET", `${running.base}/operations/${id}`)
    expect(op.body.results).toHaveLength(1)
    expect(op.body.results[0]).toMatchObject({ raw: "first", attempt: 1, durationMs: 333 })
    // what the live stream sends is what GET shows
    const { operationId, result: live } = stored.inserted[0]!
    expect(operationId).toBe(id)
    expect(live).toEqual(op.body.results[0])
  })

  /**
   * Store `odd`'s result (its raw output and data) in one batch with a clean one, as the collector
   * does; the batch settles the operation, and the result reads back the same from GET and from
   * what the store answered (the live stream's copy). Resolves to the GET's copy.
   */
  const storeOddWithClean = async (id: string, odd: string, raw: string, data: unknown) => {
    await runningWithJob(id, {
      jobId: id + "/b",
      queue: "netwark.broadcast",
      mode: "each",
      workers: [odd, "w-ok"],
    })
    const stored = await running.server.runtime.run(
      Repository.storeResults([
        eachResult(id, id + "/b", odd, { raw, data }),
        eachResult(id, id + "/b", "w-ok", { raw: "clean", data: { note: "y" } }),
      ]),
    )
    expect(stored.settled).toEqual([{ id, status: "done", received: 2 }])
    const op = await call<any>("GET", `${running.base}/operations/${id}`)
    const read = op.body.results.find((r: any) => r.workerId === odd)
    const live = stored.inserted.find((r) => r.result.workerId === odd)!
    expect(live.result).toEqual(read)
    return read
  }

  it("stores a result holding U+0000 (which PostgreSQL text and jsonb refuse) as U+FFFD, with the rest of its batch", async () => {
    const id = "7a1b2c3d-4e5f-4a6b-8c7d-000000000000"
    const nul = await storeOddWithClean(id, "w-nul", "a\u0000b \\u0000 stays", { note: "x\u0000" })
    expect(nul).toMatchObject({ raw: "a\ufffdb \\u0000 stays", result: { note: "x\ufffd" } })
  })

  it("stores a result holding a lone surrogate (which PostgreSQL's JSON refuses) as U+FFFD, pairs and their escaped text kept", async () => {
    const id = "7a1b2c3d-4e5f-4a6b-8c7d-00000000d800"
    // an emoji cut after its first half, a second half alone, a whole pair, and the escape as text
    const half = await storeOddWithClean(
      id,
      "w-half",
      "cut \u{1F600}".slice(0, 5) + " \\ud83d stays",
      {
        note: "\udc00x",
        whole: "\u{1F600}",
      },
    )
    expect(half).toMatchObject({
      raw: "cut \ufffd \\ud83d stays",
      result: { note: "\ufffdx", whole: "\u{1F600}" },
    })
  })

  it("keeps results to existing operations: none for an unknown one, and a delete takes them, also one waiting on a batch", async () => {
    const id = "7a1b2c3d-4e5f-4a6b-8c7d-0000000000de"
    // a broadcast waiting for two workers: one result does not settle it (whose update would
    // lock the operation by itself)
    await runningWithJob(id, {
      jobId: id,
      queue: "netwark.broadcast",
      mode: "each",
      workers: ["w-1", "w-2"],
    })
    const result = (operationId: string) => eachResult(operationId, id, "w-1")
    const run = running.server.runtime.run.bind(running.server.runtime)
    const count = (operationId: string) =>
      run(
        Effect.flatMap(
          SqlClient.SqlClient,
          (sql) =>
            sql<{ n: number }>`SELECT count(*)::int AS n FROM results
                               WHERE operation_id = ${operationId}`,
        ),
      ).then(([row]) => row!.n)
    // an operation that does not exist: its result is dropped, not stored
    const unknown = "7a1b2c3d-4e5f-4a6b-8c7d-0000000000ff"
    expect(await run(Repository.storeResults([result(unknown)]))).toEqual({
      inserted: [],
      settled: [],
    })
    expect(await count(unknown)).toBe(0)
    // a delete while a batch for the operation is not yet committed waits for it, then takes
    // its results too, as `ON DELETE CASCADE` did (the delete on a connection of its own)
    const other = new pg.Client({
      connectionString: Redacted.value(running.server.config.databaseUrl!),
    })
    await other.connect()
    let deleted: Promise<unknown> | undefined
    let waiting = false
    try {
      const outcome = await run(
        Effect.flatMap(SqlClient.SqlClient, (sql) =>
          sql.withTransaction(
            Effect.gen(function* () {
              const stored = yield* Repository.storeResults([result(id)])
              deleted = other.query("DELETE FROM operations WHERE id = $1", [id])
              let done = false
              void deleted.then(() => (done = true))
              yield* Effect.sleep("300 millis")
              waiting = !done
              return stored
            }),
          ),
        ),
      )
      await deleted
      expect(outcome.inserted).toHaveLength(1)
    } finally {
      await other.end()
    }
    expect(waiting).toBe(true)
    expect(await count(id)).toBe(0)
  })

  it("deleting operations takes their jobs and unsent outbox entries, and planning one deleted meanwhile stores no jobs", async () => {
    const run = running.server.runtime.run.bind(running.server.runtime)
    const rows = (table: "jobs" | "outbox", operationId: string) =>
      run(
        Effect.flatMap(
          SqlClient.SqlClient,
          (sql) =>
            sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql(table)}
                               WHERE operation_id = ${operationId}`,
        ),
      ).then(([row]) => row!.n)
    // the entry as unsent, or as sent, and leased for an hour: the dispatcher's poll leaves it be
    const outboxEntry = (operationId: string, sent: boolean) =>
      run(
        Effect.flatMap(
          SqlClient.SqlClient,
          (sql) =>
            sql`UPDATE outbox SET claimed_until = now() + interval '1 hour',
                                  sent_at = ${sent ? sql`now()` : sql`NULL`}
                WHERE operation_id = ${operationId}`,
        ),
      )
    const remove = (operationId: string) =>
      run(
        Effect.flatMap(
          SqlClient.SqlClient,
          (sql) => sql`DELETE FROM operations WHERE id = ${operationId}`,
        ),
      )
    const id = "7a1b2c3d-4e5f-4a6b-8c7d-0000000000df"
    await runningWithJob(id, { jobId: id, queue: "netwark", mode: "one", workers: [] })
    await outboxEntry(id, false)
    expect([await rows("jobs", id), await rows("outbox", id)]).toEqual([1, 1])
    await remove(id)
    expect([await rows("jobs", id), await rows("outbox", id)]).toEqual([0, 0])
    // a sent entry stays for the sweeper's clean-up, ten minutes after it was sent (0008: the
    // outbox has no index by operation for it)
    const sent = "7a1b2c3d-4e5f-4a6b-8c7d-0000000000e2"
    await runningWithJob(sent, { jobId: sent, queue: "netwark", mode: "one", workers: [] })
    await outboxEntry(sent, true)
    await remove(sent)
    expect([await rows("jobs", sent), await rows("outbox", sent)]).toEqual([0, 1])
    // a dispatcher that claimed an entry plans it after its operation was deleted: no orphan
    // jobs (the foreign key used to refuse them, failing the batch)
    const gone = "7a1b2c3d-4e5f-4a6b-8c7d-0000000000e0"
    const kept = "7a1b2c3d-4e5f-4a6b-8c7d-0000000000e1"
    const pending = await run(
      Repository.insertMany(
        [gone, kept].map((operationId) => ({
          id: operationId,
          type: "ping" as const,
          target: "127.0.0.1",
          options: {},
          queues: ["netwark"],
          timeoutMs: 30_000,
        })),
        { claim: true },
      ),
    )
    await remove(gone)
    const planned = await run(
      Repository.planClaimed(
        pending.map((p) => p.pending),
        (p) =>
          Either.right({
            outboxId: p.outboxId,
            id: p.id,
            deadline: Date.now() + 30_000,
            expected: 1,
            jobs: [{ jobId: p.id, queue: "netwark", mode: "one", expected: 1, workers: [] }],
          }),
      ),
    )
    expect(planned.planned).toHaveLength(2)
    expect([await rows("jobs", gone), await rows("jobs", kept)]).toEqual([0, 1])
  })

  it("ends a stream at the final status also when it comes in one chunk with the running one, after catching up the results", async () => {
    const id = "7a1b2c3d-4e5f-4a6b-8c7d-111111111111"
    await runningWithJob(id, { jobId: id, queue: "netwark", mode: "one", workers: [] })
    // as the snapshot will see it: not dispatched yet
    await running.server.runtime.run(
      Effect.flatMap(
        SqlClient.SqlClient,
        (sql) => sql`UPDATE operations SET status = 'pending' WHERE id = ${id}`,
      ),
    )
    const stream = readEvents(`${running.base}/operations/${id}/events`, 10_000)
    await new Promise((r) => setTimeout(r, 300))
    // the result is stored (and the operation settled) by the time the dispatcher's "running"
    // and the collector's "done" reach the stream together
    const stored = await running.server.runtime.run(
      Repository.storeResults([
        {
          operationId: id,
          jobId: id,
          workerSlot: "*",
          workerId: "w-fast",
          hostname: "host-fast",
          queue: "netwark",
          location: null,
          mode: "one",
          attempt: 1,
          status: "ok",
          startedAt: Date.now() - 5,
          finishedAt: Date.now(),
          data: { rtt: 1 },
          raw: "fast",
          error: null,
        },
      ]),
    )
    expect(stored.settled).toEqual([{ id, status: "done", received: 1 }])
    await running.server.runtime.run(
      Effect.flatMap(Events.Events, (events) =>
        // a waiting stream takes the first event alone and the rest together: the progress
        // line puts "running" and "done" in one chunk
        events.publishAll([
          {
            kind: "progress",
            operationId: id,
            jobId: id,
            workerId: "w-fast",
            seq: 0,
            at: new Date().toISOString(),
            data: { line: "probe" },
          },
          { kind: "status", operationId: id, status: "running" },
          { kind: "status", operationId: id, status: "done", received: 1 },
        ]),
      ),
    )
    const events = await stream
    expect(events.at(-1)).toMatchObject({ type: "status", data: { status: "done" } })
    expect(streamedStatus(events)).toBe("done")
    expect(streamedResults(events)).toHaveLength(1)
  })

  it("lists with filters, a stable order and cursor pagination with a total", async () => {
    const ids: Array<string> = []
    for (let i = 0; i < 7; i++) {
      const r = await call<any>("POST", `${running.base}/operations`, {
        type: i % 2 === 0 ? "ping" : "dns",
        target: i % 2 === 0 ? "127.0.0.1" : "localhost",
        queues: ["netwark"],
        timeout: 600,
      })
      ids.push(r.body.id)
    }
    const seen: Array<string> = []
    let cursor: string | null = null
    let total: number
    do {
      const qs: string = new URLSearchParams({
        queue: "netwark",
        limit: "3",
        ...(cursor ? { cursor } : {}),
        since: new Date(Date.now() - 60_000).toISOString(),
      }).toString()
      const page: any = await call<any>("GET", `${running.base}/operations?${qs}`)
      expect(page.status).toBe(200)
      total = page.body.total
      seen.push(...page.body.items.map((o: any) => o.id))
      cursor = page.body.nextCursor
    } while (cursor !== null)
    expect(new Set(seen).size).toBe(seen.length)
    expect(seen.length).toBe(total)
    for (const id of ids) expect(seen).toContain(id)
    const dns = await call<any>("GET", `${running.base}/operations?type=dns&target=localhost`)
    expect(dns.body.total).toBe(3)
    expect(dns.body.items.every((o: any) => o.type === "dns")).toBe(true)
    const future = await call<any>(
      "GET",
      `${running.base}/operations?since=${new Date(Date.now() + 60_000).toISOString()}`,
    )
    expect(future.body).toMatchObject({ total: 0, items: [], nextCursor: null })
  })

  it("pages forwards with nextCursor and back with previousCursor, rows of one millisecond included", async () => {
    // One statement: the rows share milliseconds (created_at keeps microseconds), which a cursor
    // of milliseconds skipped over.
    const made = await running.server.runtime.run(
      Effect.map(
        Repository.insertMany(
          Array.from({ length: 11 }, () => ({
            id: crypto.randomUUID(),
            type: "ping" as const,
            target: "127.0.0.1",
            options: {},
            queues: ["pager-queue"],
            timeoutMs: 60_000,
          })),
        ),
        (rows) => rows.map((r) => r.operation),
      ),
    )
    const list = async (params: Record<string, string>) => {
      const qs = new URLSearchParams({ queue: "pager-queue", ...params }).toString()
      const r = await call<any>("GET", `${running.base}/operations?${qs}`)
      expect(r.status).toBe(200)
      return r.body as {
        items: Array<{ id: string }>
        total: number
        nextCursor: string | null
        previousCursor: string | null
      }
    }
    const ids = (p: { items: Array<{ id: string }> }) => p.items.map((o) => o.id)
    const forward = [await list({ limit: "3" })]
    while (forward.at(-1)!.nextCursor !== null)
      forward.push(await list({ limit: "3", cursor: forward.at(-1)!.nextCursor! }))
    expect(forward.map((p) => p.items.length)).toEqual([3, 3, 3, 2])
    expect(new Set(forward.flatMap(ids))).toEqual(new Set(made.map((o) => o.id)))
    expect(forward[0]!.previousCursor).toBeNull()
    for (const p of forward.slice(1)) expect(p.previousCursor).toBeTypeOf("string")
    // back from the last page: the same pages, each with the cursors it had going forwards
    let page = forward.at(-1)!
    for (let i = forward.length - 2; i >= 0; i--) {
      page = await list({ limit: "3", cursor: page.previousCursor! })
      expect(ids(page)).toEqual(ids(forward[i]!))
      expect(page.total).toBe(11)
      expect(page.nextCursor).toBe(forward[i]!.nextCursor)
      expect(page.previousCursor === null).toBe(i === 0)
    }
    // a page that starts one row down: fewer than a page above it, so back is the first page
    const second = await list({ limit: "1" })
    const shifted = await list({ limit: "3", cursor: second.nextCursor! })
    expect(ids(shifted)).toEqual(forward.flatMap(ids).slice(1, 4))
    const top = await list({ limit: "3", cursor: shifted.previousCursor! })
    expect(ids(top)).toEqual(ids(forward[0]!))
    expect(top.previousCursor).toBeNull()
    // forged cursors of the new shape are refused as the cursor's fault, not the database's
    const forged = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url")
    const uuid = made[0]!.id
    for (const bad of [
      forged(["2026-02-31T00:00:00Z", uuid, "before"]),
      forged(["1", uuid, "before"]),
      forged(["2026-01-01T00:00:00.000000Z", "-".repeat(36), "before"]),
      forged(["2026-01-01T00:00:00.000000Z", uuid, "after"]),
      forged(["2026-01-01T00:00:00.000000Z", uuid, "before", 1]),
      "before",
    ]) {
      const r = await call<any>("GET", `${running.base}/operations?cursor=${bad}`)
      expect(r.body, bad).toMatchObject({ status: 400, field: "cursor" })
    }
  })

  it("shuts down promptly with an event stream still open", async () => {
    const r = await call<any>("POST", `${running.base}/operations`, {
      type: "ping",
      target: "127.0.0.1",
      queues: ["netwark"],
      timeout: 600,
    })
    const res = await fetch(`${running.base}/operations/${r.body.id}/events`)
    expect(res.status).toBe(200)
    const started = Date.now()
    await running.close()
    expect(Date.now() - started).toBeLessThan(5_000)
  })
})
