import type { WorkerResult } from "../../../core/models"

/**
 * What each worker is called on the operation page (card titles, the side-by-side legend): its
 * host name, or "host (worker id)" when several workers share a host name (instances on one
 * machine, containers with the same name), so two paths never merge under one legend entry.
 */
export const workerNames = (results: ReadonlyArray<WorkerResult>): ReadonlyMap<string, string> => {
  const host = (r: WorkerResult): string => r.hostname ?? r.workerId
  const seen = new Map<string, number>()
  for (const r of results) seen.set(host(r), (seen.get(host(r)) ?? 0) + 1)
  return new Map(
    results.map((r) => {
      const h = host(r)
      return [r.workerId, (seen.get(h) ?? 0) > 1 && h !== r.workerId ? `${h} (${r.workerId})` : h]
    }),
  )
}
