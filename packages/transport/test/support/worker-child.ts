/**
 * A worker in its own process for fault tests: `node --import tsx worker-child.ts URL NAMESPACE
 * WORKER_ID QUEUES`. Prints `ready` once consuming and `started <jobId> <attempt>` per job. A job
 * sleeps `payload.sleepMs` on its first attempt and 10 ms after.
 */
import { Effect, Layer, Logger, LogLevel } from "effect"
import * as RabbitMq from "../../src/RabbitMq.js"
import * as Transport from "../../src/Transport.js"

const [url, namespace, workerId, queues] = process.argv.slice(2)

const program = Effect.gen(function* () {
  const transport = yield* Transport.Transport
  yield* transport.serve(
    { workerId: workerId!, queues: queues!.split(","), concurrency: 4 },
    (job, { attempt }) =>
      Effect.gen(function* () {
        process.stdout.write(`started ${job.jobId} ${attempt}\n`)
        const sleepMs = (job.payload as { sleepMs?: number }).sleepMs ?? 0
        yield* Effect.sleep(attempt === 1 ? sleepMs : 10)
        return { by: workerId, attempt }
      }),
  )
  process.stdout.write("ready\n")
  yield* Effect.never
})

Effect.runFork(
  Effect.scoped(program).pipe(
    Effect.provide(
      Layer.merge(
        RabbitMq.layer({ url: url!, namespace: namespace! }),
        Logger.minimumLogLevel(LogLevel.Error),
      ),
    ),
  ),
)
