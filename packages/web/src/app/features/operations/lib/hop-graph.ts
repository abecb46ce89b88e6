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

/** One path's stacked bars: an invisible base up to `best`, then the best–worst span. */
export interface HopBars {
  readonly base: ReadonlyArray<number | null>
  readonly span: ReadonlyArray<number | null>
}

/**
 * The bars of each path over `hops` hops. A span too thin to see (best = worst) is drawn at 1.5 %
 * of the highest worst latency on the graph, so the bar is visible at any scale without drawing a
 * worst latency that was not measured (a fixed floor such as 0.05 ms doubled loopback bars).
 */
export const hopBars = (paths: ReadonlyArray<HopPath>, hops: number): ReadonlyArray<HopBars> => {
  const top = paths.reduce(
    (m, p) => p.points.reduce((n, x) => (x.worst !== null && x.worst > n ? x.worst : n), m),
    0,
  )
  const floor = top * 0.015
  return paths.map((path) => {
    const byHop = new Map(path.points.map((p) => [p.hop, p]))
    const at = Array.from({ length: hops }, (_, i) => byHop.get(i + 1))
    return {
      base: at.map((p) => p?.best ?? null),
      span: at.map((p) =>
        p === undefined || p.best === null || p.worst === null
          ? null
          : Math.max(p.worst - p.best, floor),
      ),
    }
  })
}
