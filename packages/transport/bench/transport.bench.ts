/**
 * Transport benchmark: fan-out latency (one broadcast to 100 workers, until all 100 results are
 * back) and job throughput (a trivial job: dispatch → worker → result → collector ack), on
 * RabbitMQ and in-process, each against a raw `rabbitmq-client` baseline measured in the same run.
 *
 * Needs RabbitMQ on 127.0.0.1:5672 (`rabbitmqctl` to make a throwaway vhost); the in-process
 * figures run without it. Knobs: BENCH_WORKERS (100), BENCH_ROUNDS (300), BENCH_JOBS (20000), BENCH_PROCS (4: child
 * processes sharing the workers in the second fan-out figure), BENCH_ONLY (fanout|throughput).
 */
import { execFile } from "node:child_process"
import { randomUUID } from "node:crypto"
import { readdirSync, readFileSync } from "node:fs"
import { connect, type Socket } from "node:net"
import { promisify } from "node:util"
import { type ChildProcess, spawn } from "node:child_process"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"
import { Context, Effect, Layer, Logger, LogLevel, Runtime, Scope, Stream } from "effect"
import { type AsyncMessage, Connection, ConsumerStatus } from "rabbitmq-client"
import * as Acks from "../src/internal/acks.js"
import * as InProcess from "../src/InProcess.js"
import * as Queues from "../src/Queues.js"
import * as RabbitMq from "../src/RabbitMq.js"
import * as Transport from "../src/Transport.js"

const workers = Number(process.env["BENCH_WORKERS"] ?? 100)
const rounds = Number(process.env["BENCH_ROUNDS"] ?? 300)
const jobs = Number(process.env["BENCH_JOBS"] ?? 20_000)
const procs = Number(process.env["BENCH_PROCS"] ?? 4)
const warmup = 30
/** BENCH_ONLY=fanout|throughput runs one half of the RabbitMQ figures. */
const only = process.env["BENCH_ONLY"]
const workerScript = fileURLToPath(new URL("./worker-process.ts", import.meta.url))
const warmupJobs = 3000

const exec = promisify(execFile)
const quantile = (xs: ReadonlyArray<number>, q: number) => {
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN
}
const ms = (x: number) => `${x.toFixed(2)} ms`
const kps = (x: number) => `${(x / 1000).toFixed(1)} k/s`
const summary = (xs: ReadonlyArray<number>, cpuMs = NaN, brokerMs = NaN, childMs = NaN) => ({
  p50: quantile(xs, 0.5),
  p99: quantile(xs, 0.99),
  /** This process's CPU time per round: steadier than latency on a contended machine. */
  cpuMs,
  /** The broker's CPU time per round (NaN where /proc shows no local beam.smp). */
  brokerMs,
  /** The bench's worker child processes' CPU time per round (NaN without children). */
  childMs,
})
/** CPU milliseconds (user + system) this process spent since `from`. */
const cpuSince = (from: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(from)
  return (used.user + used.system) / 1000
}

/** The local RabbitMQ's Erlang VM, for its CPU time (Linux /proc; undefined elsewhere). */
const beam = (() => {
  try {
    return readdirSync("/proc").find((pid) => {
      if (!/^\d+$/.test(pid)) return false
      try {
        return readFileSync(`/proc/${pid}/comm`, "utf8").startsWith("beam")
      } catch {
        return false
      }
    })
  } catch {
    return undefined
  }
})()
/** CPU milliseconds process `pid` has used so far (user + system, /proc), NaN when unknown. */
const processCpu = (pid: string | number | undefined): number => {
  if (pid === undefined) return NaN
  try {
    // fields after the ")" that ends the command name: utime and stime are the 12th and 13th,
    // in clock ticks (100 per second on Linux)
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100
  } catch {
    return NaN
  }
}
/** CPU milliseconds the broker has used so far. */
const brokerCpu = (): number => processCpu(beam)
/** The running bench worker processes. */
const children = new Set<number>()
/** CPU milliseconds the running bench worker processes have used so far; NaN without any. */
const childCpu = (): number =>
  children.size === 0 ? NaN : [...children].reduce((sum, pid) => sum + processCpu(pid), 0)

const reachable = () =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ host: "127.0.0.1", port: 5672 })
    socket.once("connect", () => (socket.destroy(), resolve(true)))
    socket.once("error", () => resolve(false))
  })

// ---------------------------------------------------------------- raw rabbitmq-client baselines

/** One message to a fanout exchange with N queues; time until every consumer got it / replied. */
const rawFanout = async (url: string, reply: boolean, durable = false) => {
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
        // durable: what the transport declares (per-worker queues that survive a restart)
        queueOptions: durable
          ? { durable: true, arguments: { "x-expires": 60_000 } }
          : { exclusive: true, autoDelete: true },
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
      {
        queue: replies,
        queueOptions: durable
          ? { durable: true, arguments: { "x-expires": 60_000 } }
          : { exclusive: true },
        qos: { prefetchCount: 1000 },
      },
      () => {
        if (--pending === 0) done()
      },
    )
    await new Promise((r) => c.once("ready", r))
    consumers.push(c)
  }
  const result = await rounds_(async (i) => {
    pending = workers
    const all = new Promise<void>((r) => (done = r))
    await pub.send({ exchange: ex, durable: true }, Buffer.from(`{"round":${i}}`))
    await all
  })
  for (const c of consumers) await c.close()
  await pub.close()
  await conn.close()
  return result
}

/**
 * Time `warmup + rounds` rounds; latency, and the CPU per round of this process, the broker and
 * the bench's worker processes (NaN when there are none).
 */
const rounds_ = async (round: (i: number) => Promise<void>) => {
  const times: Array<number> = []
  let cpu = process.cpuUsage()
  let broker = brokerCpu()
  let child = childCpu()
  for (let i = 0; i < rounds + warmup; i++) {
    if (i === warmup) {
      cpu = process.cpuUsage()
      broker = brokerCpu()
      child = childCpu()
    }
    const t0 = performance.now()
    await round(i)
    if (i >= warmup) times.push(performance.now() - t0)
  }
  return summary(
    times,
    cpuSince(cpu) / rounds,
    (brokerCpu() - broker) / rounds,
    (childCpu() - child) / rounds,
  )
}

/**
 * The raw round trip with the transport's socket technique and no envelope: durable queues, all
 * consumers on one channel (prefetch 1 each), the socket corked until the next check phase, and
 * the acks of a turn as `multiple` runs. The floor the transport's own work stands on.
 */
const rawFanoutTuned = async (url: string) => {
  const conn = new Connection({ url, noDelay: true })
  const ex = `raw.tuned.${randomUUID().slice(0, 6)}`
  const replies = `${ex}.replies`
  let pending = 0
  let done: () => void = () => {}
  const pub = conn.createPublisher({
    confirm: true,
    exchanges: [{ exchange: ex, type: "fanout", autoDelete: true }],
  })
  const socket = () => (conn as unknown as { readonly _socket: Socket })._socket
  type Channel = Awaited<ReturnType<typeof conn.acquire>>
  const acking = new Map<Channel, Acks.Tracker>()
  let corked: Socket | undefined
  const turn = () => {
    if (corked !== undefined) return
    corked = socket()
    corked.cork()
    setImmediate(() => {
      for (const [channel, acks] of acking)
        for (const frame of acks.flush())
          if (channel.active) channel.basicAck({ deliveryTag: frame.tag, multiple: frame.multiple })
      const s = corked!
      corked = undefined
      s.uncork()
    })
  }
  const consume = async (channel: Channel, queue: string, f: (msg: AsyncMessage) => void) => {
    // one tracker per channel: delivery tags count per channel, across its consumers
    const acks = acking.get(channel) ?? Acks.make()
    acking.set(channel, acks)
    await channel.basicConsume({ queue }, (msg) => {
      acks.delivered(msg.deliveryTag)
      turn()
      f(msg)
    })
  }
  const ack = (channel: Channel, tag: number) => {
    turn()
    acking.get(channel)!.settle(tag, "ack")
  }
  const workerChannel = await conn.acquire()
  await workerChannel.basicQos({ prefetchCount: 1 })
  await workerChannel.exchangeDeclare({ exchange: ex, type: "fanout", autoDelete: true })
  for (let i = 0; i < workers; i++) {
    const queue = `${ex}.${i}`
    await workerChannel.queueDeclare({ queue, durable: true, arguments: { "x-expires": 60_000 } })
    await workerChannel.queueBind({ queue, exchange: ex })
    await consume(workerChannel, queue, (msg) => {
      void pub
        .send({ routingKey: replies, durable: true }, msg.body as Buffer)
        .then(() => ack(workerChannel, msg.deliveryTag))
    })
  }
  const replyChannel = await conn.acquire()
  await replyChannel.queueDeclare({
    queue: replies,
    durable: true,
    arguments: { "x-expires": 60_000 },
  })
  await replyChannel.basicQos({ prefetchCount: 1000 })
  await consume(replyChannel, replies, (msg) => {
    ack(replyChannel, msg.deliveryTag)
    if (--pending === 0) done()
  })
  const result = await rounds_(async (i) => {
    pending = workers
    const all = new Promise<void>((r) => (done = r))
    await pub.send({ exchange: ex, durable: true }, Buffer.from(`{"round":${i}}`))
    await all
  })
  // the last round's worker acks wait for their replies' confirms: let them go out first
  await new Promise((resolve) => setTimeout(resolve, 200))
  await workerChannel.close()
  await replyChannel.close()
  await pub.close()
  await conn.close()
  return result
}

/**
 * N persistent jobs with confirms; a consumer answers each with a confirmed result; count results.
 * `durable`: durable queues, as the transport declares (persistent messages then reach the disk
 * before the broker confirms them; to a non-durable queue they never do).
 */
const rawJobs = async (url: string, roundTrip: boolean, durable = false) => {
  const conn = new Connection({ url, noDelay: true })
  const q = `raw.jobs.${randomUUID().slice(0, 6)}`
  const r = `${q}.results`
  const pub = conn.createPublisher({
    confirm: true,
    queues: [
      { queue: q, durable },
      { queue: r, durable },
    ],
  })
  const workerPub = conn.createPublisher({ confirm: true })
  let received = 0
  let done: () => void = () => {}
  const finished = new Promise<void>((resolve) => (done = resolve))
  const count = () => {
    if (++received === jobs) done()
  }
  const worker = conn.createConsumer(
    { queue: q, queueOptions: { durable }, qos: { prefetchCount: 256 }, concurrency: 256 },
    async (msg) => {
      if (roundTrip) await workerPub.send({ routingKey: r, durable: true }, msg.body as Buffer)
      else count()
    },
  )
  const collector = conn.createConsumer(
    { queue: r, queueOptions: { durable }, qos: { prefetchCount: 256 }, concurrency: 256 },
    () => count(),
  )
  // a deleted queue cancels its consumer: not an error here
  for (const c of [worker, collector]) c.on("error", () => {})
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

/** Starts the workers of a measurement (in this process, or in child processes). */
type Workers = Effect.Effect<void, unknown, Scope.Scope>

/** Serve `count` trivial workers on `queue` through `layer`, in this process. */
const localWorkers = (
  layer: Layer.Layer<Transport.Transport, unknown>,
  queue: string,
  count: number,
  concurrency: number,
): Workers =>
  Effect.gen(function* () {
    const context = yield* Layer.build(layer)
    const transport = Context.get(context, Transport.Transport)
    for (let i = 0; i < count; i++)
      yield* transport.serve({ workerId: `bench-${i}`, queues: [queue], concurrency }, () =>
        Effect.succeed(1),
      )
  })

/** Serve `count` workers split over `procs` child processes. */
const childWorkers = (
  url: string,
  namespace: string,
  queue: string,
  count: number,
  procs: number,
  concurrency: number,
): Workers =>
  Effect.forEach(
    Array.from({ length: procs }, (_, p) => p),
    (p) => {
      const per = Math.ceil(count / procs)
      const n = Math.min(per, count - p * per)
      return Effect.acquireRelease(
        Effect.promise(
          () =>
            new Promise<ChildProcess>((resolve, reject) => {
              const child = spawn(
                process.execPath,
                [
                  "--import",
                  "tsx",
                  workerScript,
                  url,
                  namespace,
                  queue,
                  `${n}`,
                  `${p * per}`,
                  `${concurrency}`,
                ],
                { stdio: ["ignore", "pipe", "inherit"] },
              )
              children.add(child.pid!)
              child.once("exit", (code) => {
                children.delete(child.pid!)
                reject(new Error(`bench worker exited with ${code}`))
              })
              createInterface({ input: child.stdout! }).on("line", (line) => {
                if (line === "ready") resolve(child)
              })
            }),
        ),
        (child) => Effect.sync(() => child.kill("SIGKILL")),
      )
    },
    { concurrency: "unbounded", discard: true },
  )

/** One broadcast to every worker per round; time until all results are acked. */
const fanout = (layer: Layer.Layer<Transport.Transport, unknown>, start: Workers) =>
  Effect.gen(function* () {
    yield* start
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
    const runPromise = Runtime.runPromise(yield* Effect.runtime<never>())
    return yield* Effect.promise(() =>
      rounds_(async (i) => {
        pending = workers
        const all = new Promise<void>((r) => (done = r))
        await runPromise(
          transport.dispatch({ operationId: `fan${i}`, type: "noop", payload: {} }, [
            Queues.broadcast,
          ]),
        )
        await all
      }),
    )
  }).pipe(Effect.scoped, Effect.provide(Layer.merge(layer, quiet)))

/**
 * Dispatch trivial jobs to the direct queue, 256 in flight (`dispatch` from 256 fibers, or
 * `dispatchMany` batches of 256); jobs/s until every result is acked.
 */
const throughput = (
  layer: Layer.Layer<Transport.Transport, unknown>,
  start: Workers,
  batched: boolean,
) =>
  Effect.gen(function* () {
    yield* start
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
        const input = (i: number) => ({ operationId: `${prefix}${i}`, type: "noop", payload: i })
        if (batched)
          for (let i = 0; i < n; i += 256)
            yield* transport.dispatchMany(
              Array.from({ length: Math.min(256, n - i) }, (_, k) => ({
                input: input(i + k),
                targets: [Queues.direct],
              })),
            )
        else
          yield* Effect.forEach(
            Array.from({ length: n }, (_, i) => i),
            (i) => transport.dispatch(input(i), [Queues.direct]),
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
  console.log(`workers=${workers} rounds=${rounds} jobs=${jobs} procs=${procs}`)
  // the in-process transport: one broker shared by workers and dispatcher, never closed
  const scope = await Effect.runPromise(Scope.make())
  const shared = Layer.succeedContext(
    await Effect.runPromise(Layer.buildWithScope(InProcess.layer({ namespace: "bench" }), scope)),
  )
  const memFan = await Effect.runPromise(
    fanout(shared, localWorkers(shared, Queues.broadcast, workers, 1)),
  )
  const memTp = await Effect.runPromise(
    throughput(shared, localWorkers(shared, Queues.direct, 2, 128), true),
  )
  console.log(
    `in-process fan-out to ${workers}: p50 ${ms(memFan.p50)}  p99 ${ms(memFan.p99)}  cpu ${ms(memFan.cpuMs)}/round`,
  )
  console.log(`in-process throughput (dispatchMany × 256): ${kps(memTp)} jobs`)

  if (!(await reachable())) {
    console.log("RabbitMQ not reachable on 127.0.0.1:5672: RabbitMQ figures skipped")
    return
  }
  const vhost = `netwark-bench-${randomUUID().slice(0, 8)}`
  await exec("rabbitmqctl", ["add_vhost", vhost])
  try {
    await exec("rabbitmqctl", ["set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"])
    const url = `amqp://guest:guest@127.0.0.1:5672/${vhost}`
    const rabbit = (name: string) =>
      RabbitMq.layer({ url, namespace: name, connectionName: `netwark-bench-${name}` })
    if (only !== "throughput") {
      const rawDeliver = await rawFanout(url, false)
      const rawRound = await rawFanout(url, true)
      const rawDurable = await rawFanout(url, true, true)
      const rawTuned = await rawFanoutTuned(url)
      const fanLocal = await Effect.runPromise(
        fanout(rabbit("fan1"), localWorkers(rabbit("fan1"), Queues.broadcast, workers, 1)),
      )
      const fanTransient = await Effect.runPromise(
        fanout(
          RabbitMq.layer({ url, namespace: "fant", broadcastDelivery: "transient" }),
          localWorkers(rabbit("fant"), Queues.broadcast, workers, 1),
        ),
      )
      const fanProcs = await Effect.runPromise(
        fanout(rabbit("fanp"), childWorkers(url, "fanp", Queues.broadcast, workers, procs, 1)),
      )
      const figures = (f: ReturnType<typeof summary>) =>
        `p50 ${ms(f.p50)}  p99 ${ms(f.p99)}  cpu ${ms(f.cpuMs)}/round` +
        (Number.isNaN(f.childMs) ? "" : ` + workers ${ms(f.childMs)}/round`) +
        `  broker ${ms(f.brokerMs)}/round`
      const ratios = (f: ReturnType<typeof summary>) =>
        `(p50 ${(f.p50 / rawDurable.p50).toFixed(2)}×  p99 ${(f.p99 / rawDurable.p99).toFixed(2)}×  ` +
        `cpu ${((f.cpuMs + (Number.isNaN(f.childMs) ? 0 : f.childMs)) / rawDurable.cpuMs).toFixed(2)}× raw durable)`
      console.log(
        `raw rabbitmq-client fan-out to ${workers} (delivery only): p50 ${ms(rawDeliver.p50)}  p99 ${ms(rawDeliver.p99)}`,
      )
      console.log(`raw fan-out round trip (confirmed replies, transient): ${figures(rawRound)}`)
      console.log(
        `raw fan-out round trip, durable queues (as the transport; the ratio base): ${figures(rawDurable)}`,
      )
      console.log(
        `raw, durable, one consumer channel + corked turn + multiple acks (no envelope): ${figures(rawTuned)}  ${ratios(rawTuned)}`,
      )
      for (const [label, fan] of [
        ["workers in the dispatcher's process", fanLocal],
        [`workers in ${procs} processes`, fanProcs],
        ["workers in the dispatcher's process, broadcastDelivery transient", fanTransient],
      ] as const)
        console.log(`transport (RabbitMQ, ${label}): ${figures(fan)}  ${ratios(fan)}`)
      console.log(`(aim on a faster machine: p99 ≤ 10 ms for 100 results)`)
    }
    if (only !== "fanout") {
      const rawPersist = await rawJobs(url, false)
      const rawTrip = await rawJobs(url, true)
      const rawTripDurable = await rawJobs(url, true, true)
      const tp = await Effect.runPromise(
        throughput(rabbit("tp"), childWorkers(url, "tp", Queues.direct, 2, 2, 128), true),
      )
      const tpFibers = await Effect.runPromise(
        throughput(rabbit("tpf"), childWorkers(url, "tpf", Queues.direct, 2, 2, 128), false),
      )
      console.log(
        `raw rabbitmq-client persistent messages with confirms, non-durable queue: ${kps(rawPersist)}`,
      )
      console.log(
        `raw rabbitmq-client jobs (job + confirmed result, one process), non-durable queues: ${kps(rawTrip)}`,
      )
      console.log(
        `raw rabbitmq-client jobs (job + confirmed result, one process), durable queues (as the transport): ${kps(rawTripDurable)}`,
      )
      console.log(
        `transport throughput (RabbitMQ, 2 worker processes, dispatch from 256 fibers): ${kps(tpFibers)} jobs`,
      )
      console.log(
        `transport throughput (RabbitMQ, 2 worker processes, dispatchMany × 256): ${kps(tp)} jobs  ` +
          `(${(tp / rawTripDurable).toFixed(2)}× raw durable jobs, ${(tp / rawTrip).toFixed(2)}× raw non-durable; aim ≥ 5 k/s); ` +
          `in-process transport ${(memTp / tp).toFixed(1)}× that`,
      )
    }
  } finally {
    await exec("rabbitmqctl", ["delete_vhost", vhost])
  }
}
