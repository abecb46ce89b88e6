/**
 * The one contract both transports satisfy: queue semantics, deadlines, acks, dead letters,
 * presence. `contract(name, makeLayer)` registers the suite; every test gets a fresh namespace.
 */
import { randomUUID } from "node:crypto"
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import { Chunk, Duration, Effect, Either, Layer, Schedule, type Scope, Stream } from "effect"
import { describe, expect, it } from "vitest"
import * as Dedupe from "../src/Dedupe.js"
import * as Envelope from "../src/Envelope.js"
import * as Queues from "../src/Queues.js"
import * as Registry from "../src/Registry.js"
import * as Transport from "../src/Transport.js"
import type { TransportError } from "../src/TransportError.js"

/** Builds a transport layer for one test with the given options (namespace included). */
export type MakeLayer = (
  options: Transport.CommonOptions,
) => Layer.Layer<Transport.Transport, TransportError>

const locations: ReadonlyArray<Queues.QueueConfig> = [
  {
    queue: "paris",
    name: "Paris",
    location: "FR-Paris",
    broadcast: true,
    latitude: 48.85,
    longitude: 2.35,
  },
  { queue: "berlin", name: "Berlin", location: "DE-Berlin", broadcast: false },
]

const worker = (id: string, queues: ReadonlyArray<string>): Envelope.WorkerInfo => ({
  id,
  hostname: "test-host",
  version: "0.0.0-test",
  queues,
  locations: [],
  capabilities: {},
})

/** Results (acked) until `n` arrived, plus whatever else comes within `grace`. */
const collect = (
  transport: Transport.Service,
  n: number,
  options: {
    readonly grace?: Duration.DurationInput
    readonly timeout?: Duration.DurationInput
  } = {},
) =>
  Effect.gen(function* () {
    const got: Array<Envelope.Result> = []
    yield* transport.results().pipe(
      Stream.tap((d) => d.ack),
      Stream.map((d) => d.message),
      Stream.filter((m): m is Envelope.Result => m.kind === "result"),
      Stream.tap((m) => Effect.sync(() => got.push(m))),
      Stream.takeUntil(() => got.length >= n),
      Stream.runDrain,
      Effect.timeout(options.timeout ?? "10 seconds"),
    )
    if (options.grace !== undefined)
      yield* transport.results().pipe(
        Stream.tap((d) => d.ack),
        Stream.map((d) => d.message),
        Stream.filter((m): m is Envelope.Result => m.kind === "result"),
        Stream.tap((m) => Effect.sync(() => got.push(m))),
        Stream.interruptAfter(options.grace),
        Stream.runDrain,
      )
    return got
  })

/** The first `n` dead letters (acked). */
const deadLetters = (transport: Transport.Service, n: number) =>
  transport.deadLetters().pipe(
    Stream.tap((d) => d.ack),
    Stream.map((d) => d.message),
    Stream.take(n),
    Stream.runCollect,
    Effect.timeout("10 seconds"),
  )

/** Wait (up to 10 s) until `done()` holds. */
const until = (done: () => boolean) =>
  Effect.sync(done).pipe(
    Effect.repeat({ until: (ok) => ok, schedule: Schedule.spaced("10 millis") }),
    Effect.timeout("10 seconds"),
  )

/** Register the contract suite for one transport implementation. */
export const contract = (name: string, makeLayer: MakeLayer) => {
  const run = <A, E>(
    program: Effect.Effect<A, E, Transport.Transport | Scope.Scope>,
    options: Transport.CommonOptions = {},
  ): Promise<A> =>
    Effect.runPromise(
      Effect.scoped(program).pipe(
        Effect.provide(
          makeLayer({ namespace: `t-${randomUUID().slice(0, 8)}`, queues: locations, ...options }),
        ),
      ),
    )

  describe(`Transport contract: ${name}`, () => {
    it("direct queue `netwark`: 3 workers share 9 jobs round-robin, one result per job", () =>
      run(
        Effect.gen(function* () {
          const transport = yield* Transport.Transport
          const ran: Array<string> = []
          for (const id of ["w1", "w2", "w3"])
            yield* transport.serve(
              { workerId: id, queues: [Queues.direct], concurrency: 10 },
              (job) =>
                Effect.sync(() => {
                  ran.push(id)
                  return { echo: job.payload }
                }),
            )
          for (let i = 0; i < 9; i++)
            yield* transport.dispatch({ operationId: `op${i}`, type: "echo", payload: i }, [
              Queues.direct,
            ])
          const results = yield* collect(transport, 9, { grace: "150 millis" })
          expect(results).toHaveLength(9)
          expect(new Set(results.map((r) => r.operationId)).size).toBe(9)
          const per = (id: string) => results.filter((r) => r.workerId === id).length
          expect([per("w1"), per("w2"), per("w3")]).toEqual([3, 3, 3])
          expect(
            results.every((r) => r.status === "ok" && r.mode === "one" && r.attempt === 1),
          ).toBe(true)
          const first = results.find((r) => r.operationId === "op4")
          expect(first?.data).toEqual({ echo: 4 })
          expect(first?.jobId).toBe("op4/netwark")
        }),
      ))

    it("a shared direct queue gives each job to a worker that runs its type", () =>
      run(
        Effect.gen(function* () {
          const transport = yield* Transport.Transport
          const ran: Array<string> = []
          const serve = (id: string, types: ReadonlyArray<string>) =>
            transport.serve(
              { workerId: id, queues: [Queues.direct, "berlin"], types, concurrency: 2 },
              (job) =>
                Effect.sync(() => ran.push(`${id}:${job.type}`)).pipe(
                  // long enough that both workers are busy while the ping jobs wait
                  Effect.zipRight(Effect.sleep("5 millis")),
                ),
            )
          yield* serve("ping-only", ["ping"])
          yield* serve("ping-mtr", ["ping", "mtr"])
          const n = 12
          for (let i = 0; i < n; i++) {
            yield* transport.dispatch({ operationId: `mtr${i}`, type: "mtr", payload: i }, [
              Queues.direct,
              "berlin",
            ])
            yield* transport.dispatch({ operationId: `ping${i}`, type: "ping", payload: i }, [
              Queues.direct,
              "berlin",
            ])
          }
          const results = yield* collect(transport, 4 * n, { grace: "150 millis" })
          expect(results).toHaveLength(4 * n)
          // none reached the ping-only worker, so none was answered UnknownType
          expect(results.filter((r) => r.status !== "ok")).toEqual([])
          const mtr = results.filter((r) => r.operationId.startsWith("mtr"))
          expect(mtr.map((r) => r.workerId)).toEqual(Array(2 * n).fill("ping-mtr"))
          expect(ran.filter((r) => r === "ping-only:mtr")).toEqual([])
          for (const target of [Queues.direct, "berlin"]) {
            const ping = results.filter(
              (r) => r.operationId.startsWith("ping") && r.target === target,
            )
            expect(ping).toHaveLength(n)
            const byPingOnly = ping.filter((r) => r.workerId === "ping-only").length
            expect(byPingOnly).toBeGreaterThan(0)
            expect(byPingOnly).toBeLessThan(n)
          }
        }),
        { jobTypes: ["ping", "mtr"] },
      ))

    for (const broadcastDelivery of ["persistent", "transient"] as const)
      it(`broadcast \`netwark.broadcast\` (${broadcastDelivery}): every one of 5 workers runs the job once`, () =>
        run(
          Effect.gen(function* () {
            const transport = yield* Transport.Transport
            const ids = ["b1", "b2", "b3", "b4", "b5"]
            for (const id of ids)
              yield* transport.serve(
                { workerId: id, queues: [Queues.broadcast, Queues.direct] },
                () => Effect.succeed(id),
              )
            yield* transport.dispatch({ operationId: "op", type: "ping", payload: {} }, [
              Queues.broadcast,
            ])
            const results = yield* collect(transport, 5, { grace: "150 millis" })
            expect(results.map((r) => r.workerId).sort()).toEqual(ids)
            expect(results.every((r) => r.mode === "each" && r.data === r.workerId)).toBe(true)
          }),
          { broadcastDelivery },
        ))

    it("dispatchMany publishes a batch (checked first) and every job is answered", () =>
      run(
        Effect.gen(function* () {
          const transport = yield* Transport.Transport
          for (const id of ["m1", "m2"])
            yield* transport.serve(
              { workerId: id, queues: [Queues.direct, Queues.broadcast] },
              () => Effect.succeed(id),
            )
          const items = Array.from({ length: 10 }, (_, i) => ({
            input: { operationId: `many${i}`, type: "t", payload: i },
            targets: [Queues.direct],
          }))
          const jobs = yield* transport.dispatchMany([
            ...items,
            {
              input: { operationId: "all", type: "t", payload: null },
              targets: [Queues.broadcast],
            },
          ])
          expect(jobs).toHaveLength(11)
          const results = yield* collect(transport, 12, { grace: "100 millis" })
          expect(results).toHaveLength(12)
          expect(
            results
              .filter((r) => r.operationId === "all")
              .map((r) => r.workerId)
              .sort(),
          ).toEqual(["m1", "m2"])
          const bad = yield* Effect.either(
            transport.dispatchMany([...items, { input: items[0]!.input, targets: ["nowhere"] }]),
          )
          expect(Either.isLeft(bad) && bad.left.reason).toBe("UnknownQueue")
        }),
      ))

    it("the registry hands each presence message to its observer, after applying it; a failing observer stops nothing", () =>
      run(
        Effect.gen(function* () {
          const transport = yield* Transport.Transport
          const seen: Array<string> = []
          const holder: { registry?: Registry.Service } = {}
          const registry = yield* Registry.makeWith({
            observe: (message) =>
              message.worker.id === "bad"
                ? Effect.die(new Error("observer bug"))
                : Effect.flatMap(holder.registry!.online, (online) =>
                    Effect.sync(() => {
                      const listed = online.some((w) => w.id === message.worker.id)
                      seen.push(`${message.event}:${message.worker.id}:${listed}`)
                    }),
                  ),
          })
          holder.registry = registry
          yield* transport.announce(worker("bad", [Queues.broadcast]), { interval: "1 second" })
          yield* transport.announce(worker("w1", [Queues.broadcast]), { interval: "1 second" })
          yield* registry.await((ws) => ws.length === 2, "5 seconds")
          for (let i = 0; i < 50 && !seen.some((e) => e.startsWith("hello:w1")); i++)
            yield* Effect.sleep("20 millis")
          // applied before observed: the worker already counts as online
          expect(seen.find((e) => e.startsWith("hello:w1"))).toBe("hello:w1:true")
          // the failing observer stopped neither the registry nor the observing of others
          expect((yield* registry.online).map((w) => w.id).sort()).toEqual(["bad", "w1"])
        }),
      ))

    it("location queues reach exactly their workers (broadcast: all of them, else one)", () =>
      run(
        Effect.gen(function* () {
          const transport = yield* Transport.Transport
          const registry = yield* Registry.make
          const serve = (id: string, queues: ReadonlyArray<string>) =>
            Effect.zipRight(
              transport.serve({ workerId: id, queues }, () => Effect.succeed(null)),
              transport.announce(worker(id, queues), { interval: "1 second" }),
            )
          yield* serve("p1", ["paris", Queues.broadcast])
          yield* serve("p2", ["paris", Queues.broadcast])
          yield* serve("be1", ["berlin", Queues.broadcast])
          yield* serve("be2", ["berlin", Queues.broadcast])
          yield* serve("x", [Queues.direct, Queues.broadcast])
          yield* registry.await((ws) => ws.length === 5, "5 seconds")
          expect(yield* registry.expected(["paris", "berlin"])).toBe(3)
          expect(yield* registry.expected([Queues.broadcast])).toBe(5)
          expect(yield* registry.expected([Queues.direct])).toBe(1)
          const reach = yield* registry.reach(["paris"])
          expect(reach[0]?.workers.map((w) => w.id)).toEqual(["p1", "p2"])
          yield* transport.dispatch({ operationId: "loc", type: "ping", payload: {} }, [
            "paris",
            "berlin",
          ])
          const results = yield* collect(transport, 3, { grace: "150 millis" })
          const paris = results.filter((r) => r.target === "paris").map((r) => r.workerId)
          const berlin = results.filter((r) => r.target === "berlin").map((r) => r.workerId)
          expect(paris.sort()).toEqual(["p1", "p2"])
          expect(berlin).toHaveLength(1)
          expect(["be1", "be2"]).toContain(berlin[0])
          const unknown = yield* Effect.either(
            transport.dispatch({ operationId: "u", type: "ping", payload: {} }, ["tokyo"]),
          )
          expect(Either.isLeft(unknown) && unknown.left.reason).toBe("UnknownQueue")
        }),
      ))

    it("a broadcast copy that reaches a worker after its deadline is reported expired, not run", () =>
      run(
        Effect.gen(function* () {
          const transport = yield* Transport.Transport
          const ran: Array<string> = []
          for (const id of ["d1", "d2"])
            yield* transport.serve(
              { workerId: id, queues: [Queues.broadcast], concurrency: 1 },
              (job) =>
                Effect.sync(() => ran.push(`${id}:${job.operationId}`)).pipe(
                  Effect.zipRight(
                    job.operationId === "slow" ? Effect.sleep("300 millis") : Effect.void,
                  ),
                ),
            )
          yield* transport.dispatch({ operationId: "slow", type: "t", payload: {} }, [
            Queues.broadcast,
          ])
          // queued behind the slow job on each worker; its deadline passes while it waits
          yield* transport.dispatch(
            { operationId: "late", type: "t", payload: {}, timeout: "100 millis" },
            [Queues.broadcast],
          )
          const results = yield* collect(transport, 4)
          const late = results.filter((r) => r.operationId === "late")
          expect(late.map((r) => r.status)).toEqual(["expired", "expired"])
          expect(ran.sort()).toEqual(["d1:slow", "d2:slow"])
        }),
      ))

    it("progress precedes the result; a failing handler yields an error result, acked once", () =>
      run(
        Effect.gen(function* () {
          const transport = yield* Transport.Transport
          yield* transport.serve({ workerId: "pg", queues: [Queues.direct] }, (job, ctx) =>
            job.type === "fail"
              ? Effect.fail(new Error("target unreachable"))
              : job.type === "refuse"
                ? Effect.fail(
                    Object.assign(new Error("count must be at least 1"), {
                      reason: "InvalidInput",
                      field: "count",
                    }),
                  )
                : Effect.zipRight(
                    Effect.zipRight(ctx.progress({ n: 1 }), ctx.progress({ n: 2 })),
                    Effect.succeed("done"),
                  ),
          )
          const seen: Array<Envelope.Reply> = []
          yield* transport.results().pipe(
            Stream.tap((d) => d.ack),
            Stream.runForEach((d) => Effect.sync(() => seen.push(d.message))),
            Effect.forkScoped,
          )
          // progress is live: only a subscribed consumer hears it. A consumer listens to progress
          // before it takes results, so its first result says it is subscribed.
          yield* transport.dispatch({ operationId: "warm", type: "ok", payload: {} }, [
            Queues.direct,
          ])
          yield* until(() => seen.some((m) => m.operationId === "warm" && m.kind === "result"))
          yield* transport.dispatch({ operationId: "p", type: "ok", payload: {} }, [Queues.direct])
          yield* transport.dispatch({ operationId: "f", type: "fail", payload: {} }, [
            Queues.direct,
          ])
          yield* transport.dispatch({ operationId: "r", type: "refuse", payload: {} }, [
            Queues.direct,
          ])
          yield* until(() => seen.filter((m) => m.kind === "result").length >= 4)
          const forP = seen.filter((m) => m.operationId === "p")
          expect(forP.map((m) => (m.kind === "progress" ? `p${m.seq}` : m.kind))).toEqual([
            "p0",
            "p1",
            "result",
          ])
          const failed = seen.find((m) => m.operationId === "f")
          expect(failed?.kind === "result" && failed.status).toBe("error")
          expect(failed?.kind === "result" && failed.error).toEqual({
            message: "target unreachable",
          })
          // a failure with a reason and a field keeps them on the way back
          const refused = seen.find((m) => m.operationId === "r")
          expect(refused?.kind === "result" && refused.error).toEqual({
            message: "count must be at least 1",
            reason: "InvalidInput",
            field: "count",
          })
        }),
      ))

    it("progress reaches every `results()` consumer, the result exactly one of them", () =>
      run(
        Effect.gen(function* () {
          const transport = yield* Transport.Transport
          let subscribed = false
          yield* transport.serve({ workerId: "pr", queues: [Queues.direct] }, (job, ctx) =>
            job.type === "warmup"
              ? // progress until both consumers heard some: then both are subscribed
                ctx
                  .progress({ warmup: true })
                  .pipe(
                    Effect.zipRight(Effect.sleep("20 millis")),
                    Effect.repeat({ until: () => subscribed }),
                  )
              : Effect.zipRight(
                  Effect.zipRight(ctx.progress({ n: 1 }), ctx.progress({ n: 2 })),
                  Effect.succeed("done"),
                ),
          )
          const seen: [Array<Envelope.Reply>, Array<Envelope.Reply>] = [[], []]
          for (const into of seen)
            yield* transport.results().pipe(
              Stream.tap((d) => d.ack),
              Stream.runForEach((d) => Effect.sync(() => into.push(d.message))),
              Effect.forkScoped,
            )
          yield* transport.dispatch({ operationId: "w", type: "warmup", payload: {} }, [
            Queues.direct,
          ])
          yield* until(() => seen.every((s) => s.some((m) => m.operationId === "w")))
          subscribed = true
          yield* transport.dispatch({ operationId: "x", type: "ok", payload: {} }, [Queues.direct])
          const of = (s: ReadonlyArray<Envelope.Reply>) =>
            s
              .filter((m) => m.operationId === "x")
              .map((m) => (m.kind === "progress" ? m.data : m.kind))
          yield* until(
            () =>
              seen.every((s) => of(s).filter((m) => m !== "result").length >= 2) &&
              seen.flatMap(of).includes("result"),
          )
          // time for a second copy of the result to show up, were there one
          yield* Effect.sleep("200 millis")
          for (const s of seen)
            expect(of(s).filter((m) => m !== "result")).toEqual([{ n: 1 }, { n: 2 }])
          expect(seen.map((s) => of(s).filter((m) => m === "result").length).sort()).toEqual([0, 1])
        }),
      ))

    it("a result nacked by the collector comes back (at-least-once), and dedupe keeps one", () =>
      run(
        Effect.gen(function* () {
          const transport = yield* Transport.Transport
          yield* transport.serve({ workerId: "n1", queues: [Queues.direct] }, () =>
            Effect.succeed(1),
          )
          yield* transport.dispatch({ operationId: "nack", type: "t", payload: {} }, [
            Queues.direct,
          ])
          const first = yield* transport.results().pipe(
            Stream.take(1),
            Stream.mapEffect((d) => Effect.as(d.nack, d.message)),
            Stream.runCollect,
            Effect.timeout("10 seconds"),
          )
          const again = yield* transport.results().pipe(
            Stream.take(1),
            Stream.mapEffect((d) => Effect.as(d.ack, d.message)),
            Stream.runCollect,
            Effect.timeout("10 seconds"),
          )
          expect(Chunk.toReadonlyArray(again)).toEqual(Chunk.toReadonlyArray(first))
          const dedupe = Dedupe.make()
          const r = Chunk.unsafeHead(first) as Envelope.Result
          expect([
            dedupe.first(r),
            dedupe.first(Chunk.unsafeHead(again) as Envelope.Result),
            dedupe.first({ ...r, attempt: 2 }),
          ]).toEqual([true, false, false])
        }),
      ))

    it("a batch of results: each handed out, a bad one dead-lettered alone, a nack brings back the whole", () =>
      run(
        Effect.gen(function* () {
          const transport = yield* Transport.Transport
          const result = (jobId: string, attempt = 1) => ({
            v: 1,
            kind: "result",
            operationId: "batch",
            jobId,
            workerId: "w1",
            attempt,
            target: Queues.direct,
            mode: "one",
            status: "ok",
            startedAt: 1,
            finishedAt: 2,
          })
          const bad = result("bad", 0)
          yield* transport.publishRaw(
            Queues.results,
            new TextEncoder().encode(
              JSON.stringify({ v: 1, kind: "results", results: [result("a"), bad, result("b")] }),
            ),
          )
          const jobIds = (deliveries: Chunk.Chunk<Transport.Delivery<Envelope.Reply>>) =>
            Chunk.toReadonlyArray(deliveries).map((d) => d.message.jobId)
          // the first time round, one of the two is handed back
          const first = yield* transport.results().pipe(
            Stream.take(2),
            Stream.tap((d) => (d.message.jobId === "a" ? d.ack : d.nack)),
            Stream.runCollect,
            Effect.timeout("10 seconds"),
          )
          expect(jobIds(first)).toEqual(["a", "b"])
          const again = yield* transport.results().pipe(
            Stream.take(2),
            Stream.tap((d) => d.ack),
            Stream.runCollect,
            Effect.timeout("10 seconds"),
          )
          expect(jobIds(again)).toEqual(["a", "b"])
          // settled: nothing comes a third time
          const third = yield* transport
            .results()
            .pipe(Stream.interruptAfter("300 millis"), Stream.runCollect)
          expect(third.length).toBe(0)
          // the bad result, once per delivery of its batch, on its own
          const dead = yield* deadLetters(transport, 2)
          for (const letter of Chunk.toReadonlyArray(dead)) {
            expect([letter.queue, letter.reason]).toEqual([Queues.results, "Malformed"])
            expect(letter.detail).toContain("result 2 of 3 in a batch does not match the schema")
            expect(JSON.parse(new TextDecoder().decode(letter.body))).toEqual(bad)
          }
        }),
      ))

    it("bad messages go to `netwark.dead` with a reason; the worker keeps running", () =>
      run(
        Effect.gen(function* () {
          const transport = yield* Transport.Transport
          const ran: Array<string> = []
          yield* transport.serve(
            { workerId: "dl", queues: [Queues.direct, Queues.broadcast], types: ["ping"] },
            (job) => Effect.sync(() => ran.push(job.operationId)),
          )
          const text = (s: string) => new TextEncoder().encode(s)
          yield* transport.publishRaw(Queues.direct, text("{not json"))
          yield* transport.publishRaw(Queues.direct, text(JSON.stringify({ v: 1, kind: "job" })))
          yield* transport.publishRaw(Queues.direct, text(JSON.stringify({ v: 9, kind: "job" })))
          yield* transport.publishRaw(Queues.direct, new Uint8Array(5000).fill(32))
          // a type the worker does not run: a direct job is answered with why, a broadcast copy
          // is set aside
          yield* transport.dispatch({ operationId: "nope", type: "traceroute6", payload: {} }, [
            Queues.direct,
          ])
          yield* transport.dispatch({ operationId: "nope-b", type: "traceroute6", payload: {} }, [
            Queues.broadcast,
          ])
          const tooBig = yield* Effect.either(
            transport.dispatch({ operationId: "big", type: "ping", payload: "x".repeat(5000) }, [
              Queues.direct,
            ]),
          )
          expect(Either.isLeft(tooBig) && tooBig.left.reason).toBe("TooLarge")
          yield* transport.dispatch({ operationId: "good", type: "ping", payload: {} }, [
            Queues.direct,
          ])
          const results = yield* collect(transport, 2)
          expect(results.map((r) => [r.operationId, r.status]).sort()).toEqual([
            ["good", "ok"],
            ["nope", "error"],
          ])
          expect(results.find((r) => r.operationId === "nope")?.error).toEqual({
            message:
              "worker dl does not run traceroute6 jobs (it runs ping): every worker on a shared queue should run the types sent to it",
            reason: "UnknownType",
          })
          expect(ran).toEqual(["good"])
          const dead = yield* deadLetters(transport, 5)
          const reasons = Chunk.toReadonlyArray(dead).map((d) => [d.queue, d.reason])
          expect(reasons.sort()).toEqual(
            [
              ["netwark", "Malformed"],
              ["netwark", "Malformed"],
              ["netwark", "TooLarge"],
              ["netwark", "UnknownVersion"],
              ["netwark.broadcast", "UnknownType"],
            ].sort(),
          )
          expect(new TextDecoder().decode(Chunk.unsafeHead(dead).body)).toBe("{not json")
        }),
        { maxMessageBytes: 4096 },
      ))

    it("lets go of a batch of results once its consumer waits for the next", () =>
      run(
        Effect.gen(function* () {
          // a full collection on demand (vitest runs without --expose-gc)
          setFlagsFromString("--expose-gc")
          const gc = runInNewContext("gc") as () => void
          const transport = yield* Transport.Transport
          yield* transport.serve({ workerId: "w1", queues: [Queues.direct] }, () =>
            Effect.succeed({ output: "x".repeat(4096) }),
          )
          yield* transport.dispatch({ operationId: "let-go", type: "t", payload: {} }, [
            Queues.direct,
          ])
          let handled: WeakRef<object> | undefined
          yield* Effect.forkScoped(
            transport.results().pipe(
              Stream.runForEach((d) =>
                Effect.zipRight(
                  d.ack,
                  Effect.sync(() => {
                    if (d.message.kind === "result") handled ??= new WeakRef(d.message)
                  }),
                ),
              ),
            ),
          )
          yield* until(() => handled !== undefined)
          // the consumer acked it and now waits for the next batch
          yield* Effect.sleep("100 millis")
          gc()
          expect(handled!.deref() === undefined).toBe(true)
        }),
      ))

    it("presence: hello puts a worker online, goodbye takes it off", () =>
      run(
        Effect.gen(function* () {
          const registry = yield* Registry.make
          const transport = yield* Transport.Transport
          yield* transport.announce(worker("stay", [Queues.direct]), { interval: "200 millis" })
          const leave = yield* Effect.forkScoped(
            Effect.scoped(
              Effect.zipRight(
                transport.announce(worker("leave", [Queues.direct]), { interval: "200 millis" }),
                Effect.sleep("400 millis"),
              ),
            ),
          )
          yield* registry.await((ws) => ws.length === 2, "5 seconds")
          yield* leave.await
          const after = yield* registry.await((ws) => ws.length === 1, "5 seconds")
          expect(after.map((w) => w.id)).toEqual(["stay"])
        }),
      ))

    it("a registry started after the workers learns of them at once (probe), not at the next heartbeat", () =>
      run(
        Effect.gen(function* () {
          const transport = yield* Transport.Transport
          yield* transport.announce(worker("early1", [Queues.broadcast]), { interval: "1 minute" })
          yield* transport.announce(worker("early2", [Queues.broadcast]), { interval: "1 minute" })
          const registry = yield* Registry.make
          const online = yield* registry.await((ws) => ws.length === 2, "3 seconds")
          expect(online.map((w) => w.id)).toEqual(["early1", "early2"])
          expect(yield* registry.expected([Queues.broadcast])).toBe(2)
        }),
      ))

    it("closing a worker with onShutdown `requeue` hands its running job to another worker", () =>
      run(
        Effect.gen(function* () {
          const transport = yield* Transport.Transport
          let started = false
          const leaving = yield* Effect.forkScoped(
            Effect.scoped(
              Effect.zipRight(
                transport.serve(
                  { workerId: "leaving", queues: [Queues.direct], onShutdown: "requeue" },
                  () => Effect.sync(() => (started = true)).pipe(Effect.zipRight(Effect.never)),
                ),
                Effect.sleep("10 millis").pipe(Effect.repeat({ until: () => started })),
              ),
            ),
          )
          yield* transport.dispatch({ operationId: "hand", type: "t", payload: {} }, [
            Queues.direct,
          ])
          yield* leaving.await
          yield* transport.serve({ workerId: "staying", queues: [Queues.direct] }, (_job, ctx) =>
            Effect.succeed(ctx.attempt),
          )
          const results = yield* collect(transport, 1, { grace: "100 millis" })
          expect(results.map((r) => [r.workerId, r.attempt, r.data])).toEqual([["staying", 2, 2]])
        }),
      ))

    it("stopTaking: the jobs of a shared queue go to the other workers at once, the running job finishes", () =>
      run(
        Effect.gen(function* () {
          const transport = yield* Transport.Transport
          let started = false
          const serving = yield* transport.serve(
            { workerId: "draining", queues: [Queues.direct], concurrency: 2 },
            (job) =>
              (job.payload as { slow?: boolean }).slow === true
                ? Effect.sync(() => (started = true)).pipe(
                    Effect.zipRight(Effect.sleep("1500 millis")),
                    Effect.as("slow"),
                  )
                : Effect.succeed("quick"),
          )
          yield* transport.dispatch({ operationId: "slow", type: "t", payload: { slow: true } }, [
            Queues.direct,
          ])
          yield* Effect.sleep("10 millis").pipe(Effect.repeat({ until: () => started }))
          yield* serving.stopTaking
          yield* transport.serve({ workerId: "other", queues: [Queues.direct] }, () =>
            Effect.succeed("quick"),
          )
          for (const id of ["q1", "q2", "q3"])
            yield* transport.dispatch({ operationId: id, type: "t", payload: {} }, [Queues.direct])
          // the quick jobs are answered long before the slow one ends: none waits for the drain
          const quick = yield* collect(transport, 3, { timeout: "1 second" })
          expect(quick.map((r) => [r.operationId, r.workerId]).sort()).toEqual([
            ["q1", "other"],
            ["q2", "other"],
            ["q3", "other"],
          ])
          const slow = yield* collect(transport, 1, { timeout: "3 seconds" })
          expect(slow.map((r) => [r.operationId, r.workerId, r.data])).toEqual([
            ["slow", "draining", "slow"],
          ])
        }),
      ))

    it("closing a worker waits for its running job, whose result still arrives", () =>
      run(
        Effect.gen(function* () {
          const transport = yield* Transport.Transport
          let started = false
          const serving = yield* Effect.forkScoped(
            Effect.scoped(
              Effect.zipRight(
                transport.serve({ workerId: "g", queues: [Queues.direct] }, () =>
                  Effect.sync(() => (started = true)).pipe(
                    Effect.zipRight(Effect.sleep("200 millis")),
                    Effect.as("finished"),
                  ),
                ),
                Effect.sleep("10 millis").pipe(Effect.repeat({ until: () => started })),
              ),
            ),
          )
          yield* transport.dispatch({ operationId: "g", type: "t", payload: {} }, [Queues.direct])
          yield* serving.await
          const results = yield* collect(transport, 1)
          expect(results[0]?.data).toBe("finished")
        }),
      ))
  })
}
