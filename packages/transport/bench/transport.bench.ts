/**
 * Transport benchmark: fan-out latency (one broadcast to 100 workers, until all 100 results are
 * back) and job throughput (a trivial job: dispatch → worker → result → collector ack), on
 * RabbitMQ and in-process, each against a raw `rabbitmq-client` baseline measured in the same run.
 *
 * Needs RabbitMQ on 127.0.0.1:5672 (`rabbitmqctl` to make a throwaway vhost); the in-process
 * figures run without it. Knobs: BENCH_WORKERS (100), BENCH_ROUNDS (300), BENCH_JOBS (20000).
 */
import { execFile } from "node:child_process"
import { randomUUID } from "node:crypto"
import { connect } from "node:net"
import { promisify } from "node:util"
import { Effect, Layer, Logger, LogLevel, Scope, Stream } from "effect"
import { Connection, ConsumerStatus } from "rabbitmq-client"
import * as InProcess from "../src/InProcess.js"
import * as Queues from "../src/Queues.js"
import * as RabbitMq from "../src/RabbitMq.js"
import * as Transport from "../src/Transport.js"

const workers = Number(process.env["BENCH_WORKERS"] ?? 100)
const rounds = Number(process.env["BENCH_ROUNDS"] ?? 300)
const jobs = Number(process.env["BENCH_JOBS"] ?? 20_000)
const warmup = 30
const warmupJobs = 3000

const exec = promisify(execFile)
const quantile = (xs: ReadonlyArray<number>, q: number) => {
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN
}
const ms = (x: number) => `${x.toFixed(2)} ms`
const kps = (x: number) => `${(x / 1000).toFixed(1)} k/s`
const summary = (xs: ReadonlyArray<number>) => ({ p50: quantile(xs, 0.5), p99: quantile(xs, 0.99) })

const reachable = () =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ host: "127.0.0.1", port: 5672 })
    socket.once("connect", () => (socket.destroy(), resolve(true)))
    socket.once("error", () => resolve(false))
  })

// ---------------------------------------------------------------- raw rabbitmq-client baselines

/** One message to a fanout exchange with N queues; time until every consumer got it / replied. */
const rawFanout = async (url: string, reply: boolean) => {
  const conn = new Connection({ url, noDelay: true })
  const ex = `raw.fanout.${randomUUID().slice(0, 6)}`
  const replies = `${ex}.replies`
  let pending = 0
  let done: () => void = () => {}
  const pub = conn.createPublisher({
    confirm: true,
    exchanges: [{ exchange: ex, type: "fanout", autoDelete: true }],
  })
  const consumers = []
  for (let i = 0; i < workers; i++) {
    const queue = `${ex}.${i}`
    const c = conn.createConsumer(
      {
        queue,
        queueOptions: { exclusive: true, autoDelete: true },
        qos: { prefetchCount: 1 },
        exchanges: [{ exchange: ex, type: "fanout", autoDelete: true }],
        queueBindings: [{ queue, exchange: ex }],
      },
      async (msg) => {
        if (reply) await pub.send({ routingKey: replies, durable: true }, msg.body as Buffer)
        else if (--pending === 0) done()
        return ConsumerStatus.ACK
      },
    )
    await new Promise((r) => c.once("ready", r))
    consumers.push(c)
  }
  if (reply) {
    const c = conn.createConsumer(
      { queue: replies, queueOptions: { exclusive: true }, qos: { prefetchCount: 1000 } },
      () => {
        if (--pending === 0) done()
      },
    )
    await new Promise((r) => c.once("ready", r))
    consumers.push(c)
  }
  const times: Array<number> = []
  for (let i = 0; i < rounds + warmup; i++) {
    pending = workers
    const all = new Promise<void>((r) => (done = r))
    const t0 = performance.now()
    await pub.send({ exchange: ex, durable: true }, Buffer.from(`{"round":${i}}`))
    await all
    if (i >= warmup) times.push(performance.now() - t0)
  }
  for (const c of consumers) await c.close()
  await pub.close()
  await conn.close()
  return summary(times)
}

/** N persistent jobs with confirms; a consumer answers each with a confirmed result; count results. */
const rawJobs = async (url: string, roundTrip: boolean) => {
  const conn = new Connection({ url, noDelay: true })
  const q = `raw.jobs.${randomUUID().slice(0, 6)}`
  const r = `${q}.results`
  const pub = conn.createPublisher({ confirm: true, queues: [{ queue: q }, { queue: r }] })
  const workerPub = conn.createPublisher({ confirm: true })
  let received = 0
  let done: () => void = () => {}
  const finished = new Promise<void>((resolve) => (done = resolve))
  const count = () => {
    if (++received === jobs) done()
  }
  const worker = conn.createConsumer(
    { queue: q, qos: { prefetchCount: 256 }, concurrency: 256 },
    async (msg) => {
      if (roundTrip) await workerPub.send({ routingKey: r, durable: true }, msg.body as Buffer)
      else count()
    },
  )
  const collector = conn.createConsumer(
    { queue: r, qos: { prefetchCount: 256 }, concurrency: 256 },
    () => count(),
  )
  await Promise.all([worker, collector].map((c) => new Promise((res) => c.once("ready", res))))
  const body = Buffer.from(JSON.stringify({ v: 1, kind: "job", payload: 1 }))
  const t0 = performance.now()
  let next = 0
  await Promise.all(
    Array.from({ length: 256 }, async () => {
      while (next < jobs) {
        next++
        await pub.send({ routingKey: q, durable: true }, body)
      }
    }),
  )
  await finished
  const seconds = (performance.now() - t0) / 1000
  await worker.close()
  await collector.close()
  await conn.queueDelete(q)
  await conn.queueDelete(r)
  await pub.close()
  await workerPub.close()
  await conn.close()
  return jobs / seconds
}

// ---------------------------------------------------------------- the transport

const quiet = Logger.minimumLogLevel(LogLevel.Error)

/** Broadcast to `workers` workers (served by `workerLayer`), dispatch and collect on `layer`. */
const fanout = (
  layer: Layer.Layer<Transport.Transport, unknown>,
  workerLayer: Layer.Layer<Transport.Transport, unknown>,
) =>
  Effect.gen(function* () {
    const workerSide = yield* Layer.build(workerLayer)
    const served = Effect.gen(function* () {
      const transport = yield* Transport.Transport
      for (let i = 0; i < workers; i++)
        yield* transport.serve(
          { workerId: `bench-${i}`, queues: [Queues.broadcast], concurrency: 1 },
          () => Effect.succeed(1),
        )
    })
    yield* Effect.provide(served, workerSide)
    const transport = yield* Transport.Transport
    let pending = 0
    let done: () => void = () => {}
    yield* transport.results({ prefetch: 1000 }).pipe(
      Stream.runForEach((d) =>
        Effect.map(d.ack, () => {
          if (d.message.kind === "result" && --pending === 0) done()
        }),
      ),
      Effect.forkScoped,
    )
    const times: Array<number> = []
    for (let i = 0; i < rounds + warmup; i++) {
      pending = workers
      const all = new Promise<void>((r) => (done = r))
      const t0 = performance.now()
      yield* transport.dispatch({ operationId: `fan${i}`, type: "noop", payload: {} }, [
        Queues.broadcast,
      ])
      yield* Effect.promise(() => all)
      if (i >= warmup) times.push(performance.now() - t0)
    }
    return summary(times)
  }).pipe(Effect.scoped, Effect.provide(Layer.merge(layer, quiet)))

/** Dispatch `jobs` trivial jobs (256 in flight) to 2 workers; time until every result is acked. */
const throughput = (
  layer: Layer.Layer<Transport.Transport, unknown>,
  workerLayer: Layer.Layer<Transport.Transport, unknown>,
) =>
  Effect.gen(function* () {
    const workerSide = yield* Layer.build(workerLayer)
    yield* Effect.provide(
      Effect.gen(function* () {
        const transport = yield* Transport.Transport
        for (const id of ["tp1", "tp2"])
          yield* transport.serve({ workerId: id, queues: [Queues.direct], concurrency: 128 }, () =>
            Effect.succeed(1),
          )
      }),
      workerSide,
    )
    const transport = yield* Transport.Transport
    let received = 0
    let target = 0
    let done: () => void = () => {}
    yield* transport.results({ prefetch: 512 }).pipe(
      Stream.runForEach((d) =>
        Effect.map(d.ack, () => {
          if (d.message.kind === "result" && ++received === target) done()
        }),
      ),
      Effect.forkScoped,
    )
    const batch = (n: number, prefix: string) =>
      Effect.gen(function* () {
        received = 0
        target = n
        const finished = new Promise<void>((r) => (done = r))
        const t0 = performance.now()
        yield* Effect.forEach(
          Array.from({ length: n }, (_, i) => i),
          (i) =>
            transport.dispatch({ operationId: `${prefix}${i}`, type: "noop", payload: i }, [
              Queues.direct,
            ]),
          { concurrency: 256, discard: true },
        )
        yield* Effect.promise(() => finished)
        return n / ((performance.now() - t0) / 1000)
      })
    yield* batch(warmupJobs, "warm")
    return yield* batch(jobs, "tp")
  }).pipe(Effect.scoped, Effect.provide(Layer.merge(layer, quiet)))

/** Print fan-out and throughput figures with ratios against the raw baselines. */
export const run = async (): Promise<void> => {
  console.log(`## transport (workers=${workers}, rounds=${rounds}, jobs=${jobs})`)
  const memory = InProcess.layer({ namespace: "bench" })
  // the in-process transport needs one shared broker for workers and dispatcher
  const scope = await Effect.runPromise(Scope.make())
  const shared = await Effect.runPromise(Layer.buildWithScope(memory, scope))
  const sharedLayer = Layer.succeedContext(shared)
  const memFan = await Effect.runPromise(fanout(sharedLayer, sharedLayer))
  console.log(`in-process fan-out to ${workers}: p50 ${ms(memFan.p50)}  p99 ${ms(memFan.p99)}`)
  const memTp = await Effect.runPromise(throughput(sharedLayer, sharedLayer))
  console.log(`in-process throughput: ${kps(memTp)} jobs`)

  if (!(await reachable())) {
    console.log("RabbitMQ not reachable on 127.0.0.1:5672: RabbitMQ figures skipped")
    return
  }
  const vhost = `netwark-bench-${randomUUID().slice(0, 8)}`
  await exec("rabbitmqctl", ["add_vhost", vhost])
  try {
    await exec("rabbitmqctl", ["set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"])
    const url = `amqp://guest:guest@127.0.0.1:5672/${vhost}`
    const rawDeliver = await rawFanout(url, false)
    const rawRound = await rawFanout(url, true)
    const rabbit = (name: string) =>
      RabbitMq.layer({ url, namespace: name, connectionName: `netwark-bench-${name}` })
    const fan = await Effect.runPromise(fanout(rabbit("fan"), rabbit("fan")))
    console.log(
      `raw rabbitmq-client fan-out to ${workers} (delivery only): p50 ${ms(rawDeliver.p50)}  p99 ${ms(rawDeliver.p99)}`,
    )
    console.log(
      `raw rabbitmq-client fan-out round trip (confirmed replies): p50 ${ms(rawRound.p50)}  p99 ${ms(rawRound.p99)}`,
    )
    console.log(
      `transport fan-out round trip (RabbitMQ): p50 ${ms(fan.p50)}  p99 ${ms(fan.p99)}  ` +
        `(p99 ${(fan.p99 / rawRound.p99).toFixed(2)}× raw round trip, aim ≤ 10 ms)`,
    )
    const rawPersist = await rawJobs(url, false)
    const rawTrip = await rawJobs(url, true)
    const tp = await Effect.runPromise(throughput(rabbit("tp"), rabbit("tp")))
    console.log(`raw rabbitmq-client persistent messages with confirms: ${kps(rawPersist)}`)
    console.log(`raw rabbitmq-client jobs (job + confirmed result): ${kps(rawTrip)}`)
    console.log(
      `transport throughput (RabbitMQ): ${kps(tp)} jobs  (${(tp / rawTrip).toFixed(2)}× raw jobs, aim ≥ 5 k/s); ` +
        `in-process ${(memTp / tp).toFixed(1)}× RabbitMQ`,
    )
  } finally {
    await exec("rabbitmqctl", ["delete_vhost", vhost])
  }
}
