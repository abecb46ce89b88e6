import type { Queue } from "../../../core/models"
import { ago } from "../../../shared/format"
import { type LocationGroup, later } from "../../workers/lib/locations"

/** One row of the new-operation page's queue list. */
export interface QueueChoice {
  readonly name: string
  readonly broadcast: boolean
  readonly locationName: string | null
  readonly online: number
  readonly total: number
  /** Every worker known on it is offline: listed greyed with its last seen time, not pickable. */
  readonly offline: boolean
  readonly lastSeen: string | null
  /** Picked (from a link or "Run again") but not configured on the server: can only be unpicked. */
  readonly unknown: boolean
  /** The checkbox works: a pickable queue, or one already picked (so it can be unpicked). */
  readonly selectable: boolean
  /** The presence column: "1/2 online", "offline, last seen 5 min ago", "not configured". */
  readonly presence: string
}

/**
 * The queue list as the form offers it. `queues` carry every known worker (see `withWorkers`),
 * offline ones included; picked names the server does not know are appended (once the list has
 * loaded) so the user sees why the API refuses them and can unpick them.
 */
export const queueChoices = (
  queues: ReadonlyArray<Queue> | undefined,
  selected: ReadonlySet<string>,
  now: number = Date.now(),
): ReadonlyArray<QueueChoice> => {
  if (queues === undefined) return []
  const rows: Array<QueueChoice> = queues.map((q) => {
    const online = q.workers.filter((w) => w.online).length
    const total = q.workers.length
    const lastSeen = q.workers.reduce<string | null>((a, w) => later(a, w.lastSeen), null)
    const offline = total > 0 && online === 0
    return {
      name: q.name,
      broadcast: q.broadcast,
      locationName: q.locationName ?? null,
      online,
      total,
      offline,
      lastSeen,
      unknown: false,
      selectable: !offline || selected.has(q.name),
      presence: offline
        ? `${total === 1 ? "offline" : `all ${total} offline`}, last seen ${ago(lastSeen, now)}`
        : `${online}/${total} online`,
    }
  })
  const known = new Set(queues.map((q) => q.name))
  for (const name of selected)
    if (!known.has(name))
      rows.push({
        name,
        broadcast: false,
        locationName: null,
        online: 0,
        total: 0,
        offline: false,
        lastSeen: null,
        unknown: true,
        selectable: true,
        presence: "not configured",
      })
  return rows
}

/**
 * The queues a click on a map place toggles: its queues with a worker online (or none known);
 * a place whose workers are all offline toggles nothing, like its greyed rows.
 */
export const pickableAt = (group: LocationGroup): ReadonlyArray<string> =>
  group.queues
    .filter((q) => q.workers.length === 0 || q.workers.some((w) => w.online))
    .map((q) => q.name)

/**
 * Toggles a map place: picks all of `names` unless all are picked already, then unpicks them.
 * Nothing pickable there: the selection is unchanged.
 */
export const togglePlace = (
  selected: ReadonlySet<string>,
  names: ReadonlyArray<string>,
): ReadonlySet<string> => {
  if (names.length === 0) return selected
  const next = new Set(selected)
  const all = names.every((n) => next.has(n))
  for (const n of names)
    if (all) next.delete(n)
    else next.add(n)
  return next
}
