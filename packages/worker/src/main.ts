/**
 * `netwark-worker`: the process around {@link Worker}: configuration, id, RabbitMQ, JSON logs,
 * signals.
 *
 * Exit codes: 0 after a shutdown on SIGTERM/SIGINT, 1 when the worker fails (e.g. the broker
 * cannot be reached at start), 2 for a bad command line or configuration.
 *
 * @module
 */
import { createRequire } from "node:module"
import { homedir, hostname } from "node:os"
import { parseArgs } from "node:util"
import { Duration, Effect, Exit, Fiber } from "effect"
import { RabbitMq } from "@netwark/transport"
import * as Config from "./Config.js"
import * as Children from "./internal/children.js"
import * as Identity from "./internal/identity.js"
import * as Log from "./internal/log.js"
import * as Orphans from "./internal/orphans.js"
import * as Jobs from "./Jobs.js"
import * as Worker from "./Worker.js"

const usage = `Usage: netwark-worker [--config FILE]

Runs ping, mtr, traceroute and DNS jobs from the Netwark queues.

Options:
  -c, --config FILE   YAML configuration (default: $NETWARK_CONFIG)
  -h, --help          show this help
  -V, --version       print the version

Environment: NETWARK_BROKER_URL, NETWARK_QUEUES, NETWARK_NAMESPACE, NETWARK_WORKER_ID,
NETWARK_WORKER_INSTANCE, NETWARK_STATE_DIR, NETWARK_CONCURRENCY, NETWARK_HEARTBEAT,
NETWARK_SHUTDOWN_GRACE, NETWARK_JOBS, NETWARK_BUILTIN_QUEUES, NETWARK_POLICY_ALLOW,
NETWARK_POLICY_DENY, NETWARK_LOG_LEVEL (see the README).
`

const version = (): string => {
  try {
    return (createRequire(import.meta.url)("../package.json") as { version: string }).version
  } catch {
    return "0.0.0"
  }
}

/** A log line before the Effect logger exists (bad arguments or configuration). */
const early = (level: string, msg: string, fields: Record<string, unknown> = {}) =>
  process.stdout.write(
    JSON.stringify({ level, time: new Date().toISOString(), msg: Log.redact(msg), ...fields }) +
      "\n",
  )

const main = async (): Promise<void> => {
  let args: {
    config?: string | undefined
    help?: boolean | undefined
    version?: boolean | undefined
  }
  try {
    args = parseArgs({
      options: {
        config: { type: "string", short: "c" },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "V" },
      },
      strict: true,
    }).values
  } catch (error) {
    process.stderr.write(`netwark-worker: ${(error as Error).message}\n${usage}`)
    process.exit(2)
  }
  if (args.help) {
    process.stdout.write(usage)
    return
  }
  if (args.version) {
    process.stdout.write(`${version()}\n`)
    return
  }

  const loaded = await Effect.runPromise(Effect.either(Config.load(args.config, process.env)))
  if (loaded._tag === "Left") {
    early("error", `configuration: ${loaded.left.message}`)
    process.exit(2)
  }
  const config = loaded.right
  if (config.brokerUrl === undefined) {
    early("error", "configuration: no broker URL (set broker_url or NETWARK_BROKER_URL)")
    process.exit(2)
  }
  const url = config.brokerUrl
  if (config.ignoredKeys.length > 0)
    early("warn", "configuration: ignoring keys the worker does not know", {
      keys: config.ignoredKeys.join(","),
      known: "broker_url,namespace,netwark_queues,worker",
    })

  const program = Effect.gen(function* () {
    const host = hostname()
    const stateDir = config.stateDir ?? Config.defaultStateDir(process.env, homedir())
    const identity = yield* Identity.resolve({
      ...(config.workerId !== undefined ? { configured: config.workerId } : {}),
      hostname: host,
      instance: config.instance,
      stateDir,
    })
    yield* Effect.logInfo("worker configured").pipe(
      Effect.annotateLogs({
        workerId: identity.id,
        idSource: identity.source,
        broker: Log.redactUrl(url),
        namespace: config.namespace ?? "",
        version: version(),
      }),
    )
    // before connecting: the tools a crashed predecessor left running stop probing even while
    // the broker cannot be reached
    const toolsFile = Orphans.fileOf(stateDir, config.instance)
    yield* Orphans.reap(toolsFile)
    const broker = RabbitMq.layer({
      url,
      queues: config.queues,
      // every type the server may route on a queue of its own, not only the `jobs` run here
      jobTypes: Jobs.types,
      connectionName: `netwark-worker ${identity.id}`,
      ...(config.namespace !== undefined ? { namespace: config.namespace } : {}),
    })
    return yield* Worker.run({
      id: identity.id,
      hostname: host,
      version: version(),
      queues: Config.consumed(config),
      locations: Config.locations(config),
      concurrency: config.concurrency,
      heartbeat: config.heartbeat,
      shutdownGrace: config.shutdownGrace,
      policy: config.policy,
      jobs: config.jobs,
      toolsFile,
    }).pipe(Effect.provide(broker))
  }).pipe(Effect.provide(Log.layer(config.logLevel)))

  const fiber = Effect.runFork(program)
  let stopping = false
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      const tools = Children.terminate()
      early("warn", "second signal: exiting now, running jobs go back to the broker", {
        signal,
        toolsStopped: tools,
      })
      process.exit(1)
    }
    stopping = true
    early("info", "shutting down", { signal })
    // a backstop: should closing the connection hang, the process must still go (the broker
    // then redelivers whatever was not acked)
    const hard = Duration.toMillis(config.shutdownGrace) + 5_000
    setTimeout(() => {
      const tools = Children.terminate()
      early("warn", "shutdown took too long; exiting, the broker redelivers unfinished jobs", {
        toolsStopped: tools,
      })
      process.exit(0)
    }, hard).unref()
    Effect.runFork(Fiber.interrupt(fiber))
  }
  process.on("SIGTERM", stop)
  process.on("SIGINT", stop)

  const exit = await Effect.runPromise(Fiber.await(fiber))
  if (Exit.isInterrupted(exit) && stopping) process.exit(0)
  if (Exit.isFailure(exit)) {
    early("error", "worker failed", {
      error: Log.redact(exit.cause._tag === "Fail" ? exit.cause.error.message : String(exit.cause)),
    })
    process.exit(1)
  }
}

void main().catch((error: unknown) => {
  early("error", `netwark-worker crashed: ${String(error)}`)
  process.exit(1)
})
