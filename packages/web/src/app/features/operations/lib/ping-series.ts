import type { PingParsed } from "../../../core/models"

/** One probe on the RTT chart: a reply's RTT, or `null` where no reply came. */
export interface PingPoint {
  readonly sequence: number
  readonly rtt: number | null
}

/** The chart's data for one worker: every probe in sequence order, lost ones as `null`. */
export interface PingSeries {
  readonly points: ReadonlyArray<PingPoint>
  readonly lost: ReadonlyArray<number>
  readonly min: number | null
  readonly max: number | null
  /** The mean RTT of the replies so far (the live summary until ping prints its own). */
  readonly avg: number | null
  /** Lost probes as a share of the probes so far, in percent; null before the first probe. */
  readonly lossPercent: number | null
}

/**
 * Lines up replies and missing sequence numbers, so a lost probe is a gap at its place on the
 * x axis (not a shorter line). Duplicates are left out: they would put two points on one probe.
 */
export const pingSeries = (parsed: PingParsed | undefined): PingSeries => {
  const bySeq = new Map<number, number | null>()
  for (const r of parsed?.replies ?? []) {
    if (r.duplicate === true) continue
    if (!bySeq.has(r.sequence)) bySeq.set(r.sequence, typeof r.rttMs === "number" ? r.rttMs : null)
  }
  const lost = new Set<number>()
  for (const s of parsed?.missing ?? []) if (!bySeq.has(s)) lost.add(s)
  for (const e of parsed?.errors ?? []) if (!bySeq.has(e.sequence)) lost.add(e.sequence)
  for (const s of lost) bySeq.set(s, null)
  const points = [...bySeq.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([sequence, rtt]) => ({ sequence, rtt }))
  let min: number | null = null
  let max: number | null = null
  let sum = 0
  let replies = 0
  for (const p of points) {
    if (p.rtt === null) continue
    if (min === null || p.rtt < min) min = p.rtt
    if (max === null || p.rtt > max) max = p.rtt
    sum += p.rtt
    replies++
  }
  return {
    points,
    lost: [...lost].sort((a, b) => a - b),
    min,
    max,
    avg: replies === 0 ? null : sum / replies,
    lossPercent: points.length === 0 ? null : (lost.size / points.length) * 100,
  }
}
