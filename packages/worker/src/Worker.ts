/**
 * The worker as a library: consume jobs from the transport, run them with `@netwark/tools`,
 * announce presence. The binary (`main.ts`) runs it over RabbitMQ; the server's embedded mode runs
 * it in-process over `InProcess.layer` with the same code:
 *
 * ```ts
 * Worker.layer({ id: "local", queues: ["netwark", "netwark.broadcast"] }).pipe(
 *   Layer.provide(InProcess.layer({ jobTypes: Jobs.types })),
 * )
 * ```
 *
 * The transport's `jobTypes` should be {@link Jobs.types} on the worker's and the dispatcher's
 * side alike: the direct jobs of those types then travel queues of their own, which only the
 * workers that run the type consume. The worker announces the list (`capabilities.jobTypes`), so
 * that a dispatcher whose list differs can say so.
 *
 * Lifecycle: detect the tools, start consuming (so a broadcast sent after `hello` reaches this
 * worker), say `hello`, heartbeat. On shutdown (the scope closes): stop taking jobs (the consumers
 * are cancelled, so the jobs of shared queues go to the other workers at once), say `goodbye`,
 * let running jobs finish within `shutdownGrace`. Jobs still running after that are handed back:
 * their tool is stopped (the child process killed) and the transport requeues them unanswered, so
 * another worker (or this one after a restart) runs them.
 *
 * @module
 */
import { hostname as osHostname } from "node:os"
import { Duration, Effect, Exit, Layer, Schedule, Scope } from "effect"
import { Capabilities, type Target, ToolError } from "@netwark/tools"
import { type Envelope, Transport, type TransportError } from "@netwark/transport"
import * as Orphans from "./internal/orphans.js"
import * as Jobs from "./Jobs.js"

/** How a worker runs. */
export interface Options {
  /** Stable and unique (also with several workers on one host); names its broadcast queues. */
  readonly id: string
  /** Target names to consume (`netwark`, `netwark.broadcast`, configured location queues). */
  readonly queues: ReadonlyArray<string>
  /** The locations of its queues, announced for maps and routing. */
  readonly locations?: ReadonlyArray<string>
  /** Default: the machine's host name. */
  readonly hostname?: string
  /** The worker's version, announced. */
  readonly version?: string
  /** Jobs running at once (also the prefetch per queue); default 4. */
  readonly concurrency?: number
  /** Presence heartbeat period; default 5 s. */
  readonly heartbeat?: Duration.DurationInput
  /** How long a shutdown waits for running jobs before handing them back; default 30 s. */
  readonly shutdownGrace?: Duration.DurationInput
  /** Allow/deny lists applied to every target before anything runs; default: allow all. */
  readonly policy?: Target.Policy
  /** Job types served; others are dead-lettered by the transport. Default: all of {@link Jobs.types}. */
  readonly jobs?: ReadonlyArray<Jobs.JobType>
  /** Announced capabilities; default: `Capabilities.detect()` at start. */
  readonly capabilities?: Capabilities.Capabilities
  /** Resolver for the policy check (tests). */
  readonly resolve?: Target.Resolver
  /**
   * Keep the running tools' pids (and start times) in this file while jobs run, so that the next
   * worker process stops those a crash left behind (the binary sets it and reaps at start). Only
   * where every child process of this one is the worker's (not in the server). Linux only.
   */
  readonly toolsFile?: string
}

/** A started worker. */
export interface Worker {
  /** What the worker announces. */
  readonly info: Envelope.WorkerInfo
  /** Jobs running now. */
  readonly running: Effect.Effect<number>
}

const expired = (job: Envelope.Job) =>
  new ToolError.ToolError({
    reason: "Timeout",
    message: `job ${job.jobId} reached its deadline (${new Date(job.deadline).toISOString()}) before it ran`,
  })

/** Start consuming and announcing; shuts down gracefully when the scope closes. */
export const start = (
  options: Options,
): Effect.Effect<Worker, TransportError.TransportError, Transport.Transport | Scope.Scope> =>
  Effect.gen(function* () {
    const transport = yield* Transport.Transport
    const grace = Duration.decode(options.shutdownGrace ?? "30 seconds")
    const jobs = options.jobs ?? Jobs.types
    const capabilities = options.capabilities ?? (yield* Capabilities.detect())
    const info: Envelope.WorkerInfo = {
      id: options.id,
      hostname: options.hostname ?? osHostname(),
      version: options.version ?? "0.0.0",
      queues: [...options.queues],
      locations: [...(options.locations ?? [])],
      capabilities: {
        tools: capabilities.tools,
        jobs: [...jobs],
        // how this worker's configuration routes each queue: a server whose own `broadcast`
        // flag differs for a queue knows this worker gets none of its jobs from there
        modes: Object.fromEntries(
          options.queues.flatMap((queue) => {
            const target = transport.targets.find((t) => t.name === queue)
            return target === undefined ? [] : [[queue, target.mode]]
          }),
        ),
        // the types its transport routes to queues of their own (it consumes those of `jobs`):
        // a dispatcher whose list has a type more sends those jobs where this worker never looks
        jobTypes: [...new Set(transport.targets.flatMap((t) => t.jobTypes ?? []))],
      },
      concurrency: options.concurrency ?? 4,
    }
    const running = new Set<Envelope.Job>()
    const jobOptions: Jobs.Options = {
      ...(options.policy !== undefined ? { policy: options.policy } : {}),
      ...(options.resolve !== undefined ? { resolve: options.resolve } : {}),
    }

    const handler: Transport.Handler = (job, context) =>
      Effect.gen(function* () {
        // the transport drops expired jobs already; a job can still expire while waiting for a slot
        if (Date.now() > job.deadline) {
          yield* Effect.logWarning("job expired before it ran")
          return yield* Effect.fail(expired(job))
        }
        const prepared = Jobs.prepare(job.type, job.payload, jobOptions)
        if (prepared._tag === "Left") {
          const e = prepared.left
          yield* Effect.logWarning("job refused").pipe(
            Effect.annotateLogs({ reason: e.reason, field: e.field ?? "", error: e.message }),
          )
          return yield* Effect.fail(e)
        }
        const { run, target } = prepared.right
        yield* Effect.logInfo("job started").pipe(Effect.annotateLogs({ target }))
        const startedAt = Date.now()
        running.add(job)
        const exit = yield* run(context.progress).pipe(
          Effect.timeoutFail({
            duration: Duration.millis(Math.max(0, job.deadline - Date.now())),
            onTimeout: () =>
              new ToolError.ToolError({
                reason: "Timeout",
                message: `job ${job.jobId} stopped at its deadline (${new Date(job.deadline).toISOString()})`,
              }),
          }),
          Effect.exit,
          // a hand-back interrupts the handler, which stops the tool (its process is killed)
          Effect.ensuring(Effect.sync(() => running.delete(job))),
        )
        const ms = Date.now() - startedAt
        if (Exit.isSuccess(exit))
          yield* Effect.logInfo("job finished").pipe(Effect.annotateLogs({ target, ms }))
        else
          yield* Effect.logWarning("job failed").pipe(
            Effect.annotateLogs({
              target,
              ms,
              error: exit.cause._tag === "Fail" ? exit.cause.error.message : "interrupted",
            }),
          )
        return yield* exit
      }).pipe(Effect.annotateLogs(logFields(job, context)))

    if (options.toolsFile !== undefined)
      yield* Effect.forkScoped(Orphans.record(options.toolsFile, () => running.size > 0))

    const serveScope = yield* Scope.make()
    const announceScope = yield* Scope.make()
    const serving = yield* transport
      .serve(
        {
          workerId: options.id,
          queues: options.queues,
          concurrency: info.concurrency ?? 4,
          types: jobs,
          // jobs still running when the consumers close go back to the broker, unanswered
          onShutdown: "requeue",
        },
        handler,
      )
      .pipe(
        Scope.extend(serveScope),
        Effect.tapError(() => Scope.close(serveScope, Exit.void)),
      )
    yield* transport.announce(info, { interval: options.heartbeat ?? "5 seconds" }).pipe(
      Scope.extend(announceScope),
      Effect.tapError(() =>
        Effect.zipRight(Scope.close(announceScope, Exit.void), Scope.close(serveScope, Exit.void)),
      ),
    )
    yield* Effect.logInfo("worker started").pipe(
      Effect.annotateLogs({
        workerId: info.id,
        queues: info.queues.join(","),
        concurrency: info.concurrency ?? 4,
        jobs: jobs.join(","),
      }),
    )

    yield* Effect.addFinalizer(() =>
      Effect.gen(function* () {
        // first of all: the jobs of shared queues go to the other workers from now on, not
        // after the grace period (broadcast copies wait in this worker's queue for its restart)
        yield* serving.stopTaking
        yield* Effect.logInfo("worker stopping").pipe(
          Effect.annotateLogs({ workerId: info.id, running: running.size }),
        )
        yield* Scope.close(announceScope, Exit.void)
        // finalizers run uninterruptibly: without `interruptible` the timeout could not cut the wait
        const idle = yield* Effect.repeat(
          Effect.sync(() => running.size),
          { until: (n) => n === 0, schedule: Schedule.spaced("20 millis") },
        ).pipe(Effect.interruptible, Effect.timeout(grace), Effect.option)
        if (idle._tag === "None") {
          yield* Effect.logWarning("grace period over, handing back running jobs").pipe(
            Effect.annotateLogs({ workerId: info.id, running: running.size }),
          )
          for (const job of running)
            yield* Effect.logWarning("job handed back").pipe(
              Effect.annotateLogs({
                jobId: job.jobId,
                operationId: job.operationId,
                type: job.type,
              }),
            )
        }
        // interrupts the running handlers, whose jobs the transport requeues
        yield* Scope.close(serveScope, Exit.void)
        yield* Effect.logInfo("worker stopped").pipe(Effect.annotateLogs({ workerId: info.id }))
      }),
    )
    return { info, running: Effect.sync(() => running.size) }
  })

const logFields = (job: Envelope.Job, context: Transport.JobContext) => ({
  jobId: job.jobId,
  operationId: job.operationId,
  type: job.type,
  queue: job.target,
  attempt: context.attempt,
})

/** Run until interrupted (then shut down gracefully). */
export const run = (
  options: Options,
): Effect.Effect<never, TransportError.TransportError, Transport.Transport> =>
  Effect.scoped(Effect.zipRight(start(options), Effect.never))

/** The worker as a layer: it runs while the layer is alive (e.g. inside the server). */
export const layer = (
  options: Options,
): Layer.Layer<never, TransportError.TransportError, Transport.Transport> =>
  Layer.scopedDiscard(start(options))
