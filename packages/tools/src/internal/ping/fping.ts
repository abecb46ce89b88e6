/**
 * Parser of `fping -C N -q` output: one line per target, `host : rtt rtt - rtt` with `-` for a
 * probe that got no reply. Pure and total; lines that do not fit are returned as `unparsed`.
 */

/** One target's probes as fping reported them. */
export interface FpingTarget {
  readonly target: string
  /** One entry per probe: the RTT in ms, or undefined when it got no reply. */
  readonly rttMs: ReadonlyArray<number | undefined>
}

/** Everything in one fping run. */
export interface FpingResult {
  readonly targets: ReadonlyArray<FpingTarget>
  /** Lines that were not `host : …` results (e.g. fping's own errors). */
  readonly unparsed: ReadonlyArray<string>
  readonly raw: string
}

const LINE = /^(\S+)\s+:((?:\s+(?:[\d.]+|-))+)\s*$/

/** Parses `fping -C N -q` output (its stderr). */
export const parseFping = (raw: string): FpingResult => {
  const targets: Array<FpingTarget> = []
  const unparsed: Array<string> = []
  for (const line of raw.split("\n")) {
    if (line.trim() === "") continue
    const m = LINE.exec(line.replace(/\r$/, ""))
    if (m === null || m[1] === undefined || m[2] === undefined) {
      unparsed.push(line)
      continue
    }
    targets.push({
      target: m[1],
      rttMs: m[2]
        .trim()
        .split(/\s+/)
        .map((v) => (v === "-" ? undefined : Number(v))),
    })
  }
  return { targets, unparsed, raw }
}
