/**
 * Maps public target names to broker objects, under an optional namespace prefix.
 *
 * @internal
 */
import * as Queues from "../Queues.js"
import type { Declarations, QueueSpec } from "./port.js"

/** Where a job for a target is published, and what a worker consumes for it. */
export interface Route {
  readonly target: Queues.Target
  readonly exchange: string
  /** Routing key of a job whose type has no key in `typeKeys`, and of a raw publish. */
  readonly routingKey: string
  /** Routing key of a job per type: on a `one` target, the type's own queue. */
  readonly typeKeys: ReadonlyMap<string, string>
  /** The queues a worker consumes for the target, given the types it runs (absent: all). */
  readonly consume: (
    workerId: string,
    types: ReadonlySet<string> | undefined,
  ) => ReadonlyArray<QueueSpec>
}

/**
 * The queue of one job type on a direct queue. `/` cannot occur in a public queue name, so a
 * type queue never takes the name of a configured queue (`paris` + `ping` vs `paris.ping`).
 */
export const typeQueue = (queue: string, type: string): string => `${queue}/${type}`

const noKeys: ReadonlyMap<string, string> = new Map()

/** The resolved topology of one transport. */
export interface Topology {
  readonly routes: ReadonlyMap<string, Route>
  readonly results: string
  /** Fanout on which workers publish progress; every `results()` consumer binds its own queue. */
  readonly progressExchange: string
  readonly deadExchange: string
  readonly deadQueue: string
  readonly presenceExchange: string
  /** Fanout on which a new listener asks every announced worker to say hello again. */
  readonly probeExchange: string
  readonly declarations: Declarations
  /** Public name of a namespaced queue, for dead-letter reports. */
  readonly publicName: (queue: string) => string
}

/**
 * Build the topology: `namespace` prefixes every broker name (`<namespace>.netwark`…), and each
 * of `jobTypes` gets a queue of its own on every direct target.
 */
export const make = (
  queues: ReadonlyArray<Queues.QueueConfig>,
  namespace: string,
  workerQueueExpiryMs: number,
  jobTypes: ReadonlyArray<string>,
): Topology => {
  const prefix = namespace === "" ? "" : `${namespace}.`
  const ns = (name: string) => `${prefix}${name}`
  const deadExchange = ns("netwark.dead")
  const deadQueue = ns("netwark.dead")
  const results = ns("netwark.results")
  const progressExchange = ns("netwark.progress")
  const presenceExchange = ns("netwark.presence")
  const probeExchange = ns("netwark.presence.probe")
  const routes = new Map<string, Route>()
  const fanouts = [deadExchange, presenceExchange, probeExchange, progressExchange]
  const shared: Array<{ name: string; deadLetterExchange?: string }> = [
    { name: results, deadLetterExchange: deadExchange },
    { name: deadQueue },
  ]
  /** Broker queue or exchange name -> public target name. */
  const byBroker = new Map<string, string>()
  for (const target of Queues.targets(queues)) {
    const name = ns(target.name)
    if (target.mode === "one") {
      // One queue per configured job type, so only the workers that run a type take its jobs,
      // and the plain queue for the other types and for jobs of dispatchers that predate the
      // type queues. The dispatcher declares them all: a job published before any worker of
      // its type has started waits for one.
      const spec = (queue: string): QueueSpec => ({
        name: queue,
        exclusive: false,
        deadLetterExchange: deadExchange,
      })
      const typeKeys = new Map(jobTypes.map((type) => [type, typeQueue(name, type)]))
      for (const queue of [name, ...typeKeys.values()]) {
        shared.push({ name: queue, deadLetterExchange: deadExchange })
        byBroker.set(queue, target.name)
      }
      const every = [spec(name), ...[...typeKeys.values()].map(spec)]
      routes.set(target.name, {
        // `targets` tells dispatchers and workers which types this target routes by type
        target: { ...target, jobTypes: [...jobTypes] },
        exchange: "",
        routingKey: name,
        typeKeys,
        consume: (_workerId, types) =>
          types === undefined
            ? every
            : [
                spec(name),
                ...[...typeKeys].filter(([type]) => types.has(type)).map(([, q]) => spec(q)),
              ],
      })
    } else {
      fanouts.push(name)
      byBroker.set(name, target.name)
      routes.set(target.name, {
        target,
        exchange: name,
        routingKey: "",
        typeKeys: noKeys,
        consume: (workerId) => [
          {
            name: `${name}.worker.${workerId}`,
            exclusive: false,
            expiresMs: workerQueueExpiryMs,
            deadLetterExchange: deadExchange,
            bindTo: name,
          },
        ],
      })
    }
  }
  return {
    routes,
    results,
    progressExchange,
    deadExchange,
    deadQueue,
    presenceExchange,
    probeExchange,
    declarations: {
      fanouts,
      queues: shared,
      bindings: [{ queue: deadQueue, exchange: deadExchange }],
    },
    publicName: (queue) => {
      const direct = byBroker.get(queue)
      if (direct !== undefined) return direct
      const cut = queue.lastIndexOf(".worker.")
      const exchange = cut >= 0 ? byBroker.get(queue.slice(0, cut)) : undefined
      return exchange ?? (queue.startsWith(prefix) ? queue.slice(prefix.length) : queue)
    },
  }
}
