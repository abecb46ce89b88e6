/**
 * Bench workers in a child process: `node --import tsx worker-process.ts URL NAMESPACE QUEUE
 * COUNT OFFSET CONCURRENCY` serves COUNT trivial workers (ids bench-OFFSET…) and prints `ready`.
 */
import { Effect, Layer, Logger, LogLevel } from "effect"
import * as RabbitMq from "../src/RabbitMq.js"
import * as Transport from "../src/Transport.js"

const [url, namespace, queue, count, offset, concurrency] = process.argv.slice(2)

const program = Effect.gen(function* () {
  const transport = yield* Transport.Transport
  for (let i = 0; i < Number(count); i++)
    yield* transport.serve(
      {
        workerId: `bench-${Number(offset) + i}`,
        queues: [queue!],
        concurrency: Number(concurrency),
      },
      () => Effect.succeed(1),
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
