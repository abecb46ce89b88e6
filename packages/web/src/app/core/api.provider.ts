import { DOCUMENT, type Provider, inject } from "@angular/core"
import {
  type Client,
  type CreateOperation,
  type OperationEvent as ClientEvent,
  type OperationQuery,
  type Queues,
  type Workers,
  createClient,
} from "@netwark/client"
import { API, type Api, type EventCursor } from "./api"
import type {
  Operation,
  OperationEvent,
  OperationPage,
  ProgressData,
  Queue,
  WorkerResult,
  WorkerSummary,
} from "./models"

/** The console's event for one event of `@netwark/client`'s operation stream. */
export const toEvent = (e: ClientEvent): OperationEvent => {
  switch (e.type) {
    case "snapshot":
      return { kind: "snapshot", operation: e.data as unknown as Operation }
    case "result":
      return { kind: "result", result: e.data as unknown as WorkerResult }
    case "status":
      return { kind: "status", status: e.data.status }
    case "progress":
      return { kind: "progress", workerId: e.data.workerId, data: e.data.data as ProgressData }
  }
}

/** The queue in the console's terms: a location with coordinates goes on the map. */
export const toQueue = (q: Queues["items"][number]): Queue => ({
  name: q.queue,
  label: q.name,
  broadcast: q.broadcast,
  builtin: q.builtin,
  locationName: q.location,
  location:
    q.location !== null && q.latitude !== null && q.longitude !== null
      ? { name: q.location, latitude: q.latitude, longitude: q.longitude }
      : null,
  // The API lists the workers online on each queue.
  workers: q.workers.map((w) => ({ id: w.id, hostname: w.hostname, online: true })),
})

/** The worker in the console's terms (the API lists workers online and recently offline). */
export const toWorker = (w: Workers["items"][number]): WorkerSummary => ({
  id: w.id,
  hostname: w.hostname,
  online: w.status === "online",
  lastSeen: w.lastSeen,
  version: w.version,
  queues: w.queues,
  locations: w.locations,
  capabilities: w.capabilities,
  concurrency: w.concurrency,
})

async function* events(
  client: Client,
  id: string,
  signal: AbortSignal,
  cursor?: EventCursor,
): AsyncGenerator<OperationEvent> {
  const resume = cursor?.lastEventId
  for await (const e of client.operationEvents(
    id,
    resume === undefined ? { signal } : { signal, lastEventId: resume },
  )) {
    if (cursor !== undefined && e.id !== undefined) cursor.lastEventId = e.id
    yield toEvent(e)
  }
}

/** The console's API, every call through `@netwark/client`. */
export const makeApi = (client: Client): Api => ({
  createOperation: async (r) =>
    (await client.createOperation({
      type: r.type,
      target: r.target,
      options: r.options,
      ...(r.queues.length > 0 ? { queues: [...r.queues] } : {}),
    } as CreateOperation)) as unknown as Operation,
  listOperations: async (f, signal) =>
    (await client.listOperations(f as OperationQuery, { signal })) as unknown as OperationPage,
  getOperation: async (id, signal) =>
    (await client.getOperation(id, { signal })) as unknown as Operation,
  operationEvents: (id, signal, cursor) => events(client, id, signal, cursor),
  queues: async (signal) => (await client.listQueues({ signal })).items.map(toQueue),
  workers: async (signal) => (await client.listWorkers({ signal })).items.map(toWorker),
  whois: (resource, signal) => client.whoisLookup(resource, undefined, { signal }),
  geoip: (ip, signal) => client.geoIpLookup(ip, { signal }),
  ouiLookup: (mac, signal) => client.macOuiLookup(mac, { signal }),
  ouiSearch: (search, offset, limit, signal) =>
    client.macOuiSearch({ search, offset, limit }, { signal }),
  ipCalcNetwork: (address, prefix, signal) =>
    prefix === undefined
      ? client.ipCalcAddress(address, { signal })
      : client.ipCalcNetwork(address, prefix, { signal }),
  ipCalcSubnets: (address, prefix, newPrefix, offset, limit, signal) =>
    client.ipCalcSubnets(address, prefix, { newPrefix, offset, limit }, { signal }),
  ipCalcAggregate: (networks, signal) =>
    client.ipCalcAggregate({ networks: [...networks] }, { signal }),
})

/** Provides the console's API, talking to the server that served the page. */
export const provideApi = (): Provider => ({
  provide: API,
  useFactory: () => makeApi(createClient({ baseUrl: inject(DOCUMENT).location.origin })),
})
