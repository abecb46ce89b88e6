import type { Location, Queue, WorkerSummary } from "../../../core/models"
import { ago } from "../../../shared/format"
import type { MapMarker } from "../../../shared/world-map.component"

/** One place on the map with the queues there. */
export interface LocationGroup {
  readonly location: Location
  readonly queues: ReadonlyArray<Queue>
  readonly online: number
  readonly total: number
  /** The latest time any of its workers was heard from (ISO), when known. */
  readonly lastSeen: string | null
}

/**
 * The queues with every worker the server lists on each, offline ones included (the queue list
 * itself only names the workers online); a worker online on a queue but not yet in `workers`
 * (the two lists load apart) is kept.
 */
export const withWorkers = (
  queues: ReadonlyArray<Queue>,
  workers: ReadonlyArray<WorkerSummary> | undefined,
): ReadonlyArray<Queue> => {
  if (workers === undefined) return queues
  return queues.map((q) => {
    const listed = workers.filter((w) => w.queues?.includes(q.name))
    const ids = new Set(listed.map((w) => w.id))
    return { ...q, workers: [...listed, ...q.workers.filter((w) => !ids.has(w.id))] }
  })
}

/** The later of two ISO times (either may be missing). */
export const later = (a: string | null, b: string | null | undefined): string | null =>
  b === null || b === undefined ? a : a === null || Date.parse(b) > Date.parse(a) ? b : a

/** Groups queues by location (same name and coordinates), skipping queues without one. */
export const locationGroups = (queues: ReadonlyArray<Queue>): ReadonlyArray<LocationGroup> => {
  const groups = new Map<
    string,
    { location: Location; queues: Array<Queue>; ids: Map<string, boolean>; lastSeen: string | null }
  >()
  for (const q of queues) {
    const l = q.location
    if (
      l === null ||
      l === undefined ||
      !Number.isFinite(l.latitude) ||
      !Number.isFinite(l.longitude)
    )
      continue
    const key = `${l.name}@${l.latitude},${l.longitude}`
    const g = groups.get(key) ?? {
      location: l,
      queues: [],
      ids: new Map<string, boolean>(),
      lastSeen: null,
    }
    g.queues.push(q)
    for (const w of q.workers) {
      g.ids.set(w.id, (g.ids.get(w.id) ?? false) || w.online)
      g.lastSeen = later(g.lastSeen, w.lastSeen)
    }
    groups.set(key, g)
  }
  return [...groups.values()].map((g) => ({
    location: g.location,
    queues: g.queues,
    online: [...g.ids.values()].filter(Boolean).length,
    total: g.ids.size,
    lastSeen: g.lastSeen,
  }))
}

/** Grey: every worker known at a place is offline. */
export const offlineColour = "#9ca3af"

/**
 * Marker colour by the share of a location's workers online: all green, some amber, every known
 * worker offline grey, no worker at all red.
 */
export const presenceColour = (online: number, total: number): string =>
  total === 0 ? "#dc2626" : online === 0 ? offlineColour : online === total ? "#16a34a" : "#d97706"

/** What a place's workers are doing, in words: "1/2 online", or "offline, last seen 5 min ago". */
export const presenceText = (g: LocationGroup, now: number = Date.now()): string =>
  g.total > 0 && g.online === 0
    ? `${g.total === 1 ? "offline" : `all ${g.total} offline`}, last seen ${ago(g.lastSeen, now)}`
    : `${g.online}/${g.total} online`

/** Map markers for location groups; `selected` marks the groups holding a selected queue. */
export const locationMarkers = (
  groups: ReadonlyArray<LocationGroup>,
  selected: ReadonlySet<string> = new Set(),
): ReadonlyArray<MapMarker> =>
  groups.map((g) => ({
    id: `${g.location.name}@${g.location.latitude},${g.location.longitude}`,
    latitude: g.location.latitude,
    longitude: g.location.longitude,
    label: g.location.name,
    detail: `${g.total > 0 && g.online === 0 ? presenceText(g) : `${g.online}/${g.total} worker(s) online`} · ${g.queues.map((q) => q.name).join(", ")}`,
    colour: presenceColour(g.online, g.total),
    selected: g.queues.some((q) => selected.has(q.name)),
  }))
