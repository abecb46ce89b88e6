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
  readonly routingKey: string
  readonly consume: (workerId: string) => QueueSpec
}

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

/** Build the topology: `namespace` prefixes every broker name (`<namespace>.netwark`…). */
export const make = (
  queues: ReadonlyArray<Queues.QueueConfig>,
  namespace: string,
  workerQueueExpiryMs: number,
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
  for (const target of Queues.targets(queues)) {
    const name = ns(target.name)
    if (target.mode === "one") {
      shared.push({ name, deadLetterExchange: deadExchange })
      routes.set(target.name, {
        target,
        exchange: "",
        routingKey: name,
        consume: () => ({ name, exclusive: false, deadLetterExchange: deadExchange }),
      })
    } else {
      fanouts.push(name)
      routes.set(target.name, {
        target,
        exchange: name,
        routingKey: "",
        consume: (workerId) => ({
          name: `${name}.worker.${workerId}`,
          exclusive: false,
          expiresMs: workerQueueExpiryMs,
          deadLetterExchange: deadExchange,
          bindTo: name,
        }),
      })
    }
  }
  const byBroker = new Map<string, string>()
  for (const [publicName, route] of routes)
    byBroker.set(route.exchange || route.routingKey, publicName)
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
