/**
 * The shapes every mtr parser (raw, json, report) produces, and the statistics they share, so the
 * three input formats land in one result type.
 */

/** One responding address at a hop (equal-cost paths give several per hop). */
export interface MtrHost {
  /** Responding IP address; `null` when the format shows only a name (report without `-b`). */
  readonly address: string | null
  /** Reverse-DNS name when mtr resolved one (absent with `-n`, or when it equals the address). */
  readonly hostname?: string
  /** Origin AS number when mtr looked it up (`-z`) and found one. */
  readonly asn?: number
  /** Replies received from this host (raw input only counts them per host). */
  readonly received: number
  /** RTTs in milliseconds, in probe order (raw input only). */
  readonly rtts: ReadonlyArray<number>
  readonly last: number | null
  readonly avg: number | null
  readonly best: number | null
  readonly worst: number | null
  readonly stdev: number | null
  /** MPLS labels reported in ICMP extensions (`-e`), as mtr prints them. */
  readonly mpls: ReadonlyArray<string>
}

/** One TTL of the path. */
export interface MtrHop {
  /** 1-based hop number (TTL). */
  readonly hop: number
  /** Every host that answered at this TTL, in order of first reply; empty when none did. */
  readonly hosts: ReadonlyArray<MtrHost>
  /** Probes sent at this TTL (settled ones: a probe still in flight is not counted yet). */
  readonly sent: number
  readonly received: number
  /** Share of settled probes without reply, 0–100. */
  readonly lossPercent: number
  /** Statistics over every reply at this TTL, whichever host sent it (milliseconds). */
  readonly last: number | null
  readonly avg: number | null
  readonly best: number | null
  readonly worst: number | null
  readonly stdev: number | null
}

/** Summary statistics of a list of RTTs; `stdev` is the sample deviation, as mtr computes it. */
export const stats = (
  rtts: ReadonlyArray<number>,
): Pick<MtrHost, "last" | "avg" | "best" | "worst" | "stdev"> => {
  if (rtts.length === 0) return { last: null, avg: null, best: null, worst: null, stdev: null }
  let sum = 0
  let best = Infinity
  let worst = -Infinity
  for (const r of rtts) {
    sum += r
    if (r < best) best = r
    if (r > worst) worst = r
  }
  const avg = sum / rtts.length
  let ssd = 0
  for (const r of rtts) ssd += (r - avg) ** 2
  // mtr divides by n-1 (net.c keeps Welford's ssd and reports sqrt(ssd / (returned - 1))).
  const stdev = rtts.length > 1 ? Math.sqrt(ssd / (rtts.length - 1)) : 0
  return { last: rtts.at(-1) ?? null, avg: round3(avg), best, worst, stdev: round3(stdev) }
}

/** Rounds to microseconds (3 decimals in ms), the precision mtr measures at. */
export const round3 = (n: number): number => Math.round(n * 1000) / 1000

/** Parses "AS15169" / "15169"; "AS???" and junk give undefined. */
export const parseAsn = (text: unknown): number | undefined => {
  if (typeof text === "number" && Number.isInteger(text)) return text
  if (typeof text !== "string") return undefined
  const m = /^(?:AS)?(\d+)$/i.exec(text.trim())
  return m ? Number(m[1]) : undefined
}
