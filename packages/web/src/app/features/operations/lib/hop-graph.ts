import type { MtrHop, MtrParsed } from "../../../core/models"
import { lossColour } from "../../../shared/format"

/** One hop on the graph: the spread from best to worst, the average, and the loss colour. */
export interface HopPoint {
  readonly hop: number
  /** "host (address)" of the first responder, or "???" when nothing answered. */
  readonly label: string
  readonly best: number | null
  readonly avg: number | null
  readonly worst: number | null
  readonly loss: number
  readonly colour: string
  /** Every responder at this TTL (equal-cost paths give several). */
  readonly hosts: ReadonlyArray<string>
}

/** One worker's path, ready for the chart. */
export interface HopPath {
  readonly name: string
  readonly points: ReadonlyArray<HopPoint>
}

/** The label of one responder: "name (address)", the address, or the name. */
export const hostLabel = (h: {
  readonly address: string | null
  readonly hostname?: string
}): string =>
  h.hostname !== undefined && h.hostname !== "" && h.address !== null && h.hostname !== h.address
    ? `${h.hostname} (${h.address})`
    : (h.address ?? h.hostname ?? "???")

const point = (hop: MtrHop): HopPoint => {
  const hosts = (hop.hosts ?? []).map(hostLabel)
  const answered = hop.received > 0 && hosts.length > 0
  return {
    hop: hop.hop,
    label: answered ? (hosts[0] ?? "???") : "???",
    best: answered ? hop.best : null,
    avg: answered ? hop.avg : null,
    worst: answered ? hop.worst : null,
    loss: hop.lossPercent,
    colour: lossColour(hop.lossPercent),
    hosts,
  }
}

/**
 * Shapes mtr hops for the hop graph: sorted by TTL, one point per TTL (gaps in TTL numbering
 * become silent hops, so several workers' paths line up hop by hop).
 */
export const hopPath = (name: string, parsed: MtrParsed | undefined): HopPath => {
  const hops = [...(parsed?.hops ?? [])].sort((a, b) => a.hop - b.hop)
  const points: Array<HopPoint> = []
  let expected = 1
  for (const hop of hops) {
    for (; expected < hop.hop; expected++) {
      points.push({
        hop: expected,
        label: "???",
        best: null,
        avg: null,
        worst: null,
        loss: 100,
        colour: lossColour(100),
        hosts: [],
      })
    }
    points.push(point(hop))
    expected = hop.hop + 1
  }
  return { name, points }
}

/** The longest path's hop count: the x axis of a graph showing several paths side by side. */
export const maxHops = (paths: ReadonlyArray<HopPath>): number =>
  paths.reduce((n, p) => Math.max(n, p.points.at(-1)?.hop ?? 0), 0)
