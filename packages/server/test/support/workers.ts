/** Real workers (`@netwark/worker`) over RabbitMQ, inside the test process. */
import { RabbitMq } from "@netwark/transport"
import { Jobs, Worker } from "@netwark/worker"
import { Duration, Layer, Logger, LogLevel, ManagedRuntime } from "effect"
import type { Broker } from "./env.js"

/**
 * Start `count` workers on the given queues; `stop` shuts them down. `jobTypes`: their
 * transport's, default the server's (a worker of another version has another list).
 */
export const startWorkers = async (
  broker: Pick<Broker, "url" | "namespace">,
  ids: ReadonlyArray<string>,
  queues: ReadonlyArray<string> = ["netwark", "netwark.broadcast"],
  jobTypes: ReadonlyArray<string> = Jobs.types,
): Promise<{ stop: () => Promise<void> }> => {
  const workers = ids.map((id) =>
    Worker.layer({
      id,
      queues,
      hostname: `host-${id}`,
      heartbeat: Duration.seconds(1),
      shutdownGrace: Duration.seconds(2),
    }),
  )
  const runtime = ManagedRuntime.make(
    Layer.mergeAll(...(workers as [(typeof workers)[number]])).pipe(
      Layer.provide(
        RabbitMq.layer({
          url: broker.url,
          namespace: broker.namespace,
          jobTypes,
          connectionName: "netwark-test-workers",
        }),
      ),
      Layer.provide(
        Logger.minimumLogLevel(process.env["NETWARK_TEST_LOG"] ? LogLevel.Info : LogLevel.Error),
      ),
    ),
  )
  await runtime.runtime()
  return { stop: () => runtime.dispose() }
}
