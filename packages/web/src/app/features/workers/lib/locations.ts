import type { Location, Queue } from "../../../core/models"
import type { MapMarker } from "../../../shared/world-map.component"

/** One place on the map with the queues there. */
export interface LocationGroup {
  readonly location: Location
  readonly queues: ReadonlyArray<Queue>
  readonly online: number
  readonly total: number
}

/** Groups queues by location (same name and coordinates), skipping queues without one. */
export const locationGroups = (queues: ReadonlyArray<Queue>): ReadonlyArray<LocationGroup> => {
  const groups = new Map<
    string,
    { location: Location; queues: Array<Queue>; ids: Map<string, boolean> }
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
    const g = groups.get(key) ?? { location: l, queues: [], ids: new Map<string, boolean>() }
    g.queues.push(q)
    for (const w of q.workers) g.ids.set(w.id, (g.ids.get(w.id) ?? false) || w.online)
    groups.set(key, g)
  }
  return [...groups.values()].map((g) => ({
    location: g.location,
    queues: g.queues,
    online: [...g.ids.values()].filter(Boolean).length,
    total: g.ids.size,
  }))
}

/** Marker colour by the share of a location's workers online: all green, some amber, none red. */
export const presenceColour = (online: number, total: number): string =>
  total === 0 || online === 0 ? "#dc2626" : online === total ? "#16a34a" : "#d97706"

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
    detail: `${g.online}/${g.total} worker(s) online · ${g.queues.map((q) => q.name).join(", ")}`,
    colour: presenceColour(g.online, g.total),
    selected: g.queues.some((q) => selected.has(q.name)),
  }))
