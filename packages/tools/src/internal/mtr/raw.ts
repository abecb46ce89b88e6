/**
 * mtr `--raw` output, read line by line. The format is a log of probe events keyed by position
 * (TTL - 1): `x <pos> <seq>` probe sent, `h <pos> <ip>` the hop's current address changed,
 * `p <pos> <usec> <seq>` reply, `d <pos> <name>` reverse DNS of the current address,
 * `m <pos> <label> …` MPLS. Statistics are computed here from the individual probes.
 *
 * A `p` line carries no address: mtr prints `h` every time the replying address differs from the
 * hop's previous one (net.c, net_process_ping), so a reply belongs to the last `h` of its position.
 * That is how equal-cost paths are split into one host each.
 */
import { stats, type MtrHop, type MtrHost } from "./model.js"

interface HostAcc {
  readonly address: string
  readonly rtts: Array<number>
  readonly mpls: Array<string>
}

interface PosAcc {
  readonly sent: Set<number>
  readonly replied: Set<number>
  readonly hosts: Array<HostAcc>
  current: HostAcc | undefined
  /** RTTs of the whole position, ordered by sequence so `last` is the newest probe. */
  readonly replies: Array<{ seq: number; rtt: number }>
}

/** Incremental reader of mtr raw lines; `snapshot` gives the hops seen so far. */
export class RawReader {
  private readonly positions = new Map<number, PosAcc>()
  private readonly names = new Map<string, string>()
  private maxReplySeq = -1
  /** Lines that were not mtr raw events (kept so nothing is silently lost). */
  readonly unparsed: Array<string> = []
  /** Whether at least one raw event was read. */
  sawEvent = false

  private pos(n: number): PosAcc {
    let p = this.positions.get(n)
    if (p === undefined) {
      p = { sent: new Set(), replied: new Set(), hosts: [], current: undefined, replies: [] }
      this.positions.set(n, p)
    }
    return p
  }

  /** Reads one line; returns the hop number (1-based) it changed, or undefined. */
  push(line: string): number | undefined {
    const parts = line.trim().split(/\s+/)
    const kind = parts[0]
    const n = Number(parts[1])
    if (
      parts.length < 3 ||
      kind === undefined ||
      kind.length !== 1 ||
      !Number.isInteger(n) ||
      n < 0 ||
      n > 255
    ) {
      if (line.trim() !== "") this.unparsed.push(line)
      return undefined
    }
    const p = this.pos(n)
    switch (kind) {
      case "x": {
        const seq = Number(parts[2])
        if (!Number.isFinite(seq)) break
        p.sent.add(seq)
        this.sawEvent = true
        return n + 1
      }
      case "h": {
        const address = parts[2] ?? ""
        let host = p.hosts.find((h) => h.address === address)
        if (host === undefined) {
          host = { address, rtts: [], mpls: [] }
          p.hosts.push(host)
        }
        p.current = host
        this.sawEvent = true
        return n + 1
      }
      case "p": {
        const usec = Number(parts[2])
        const seq = Number(parts[3])
        if (!Number.isFinite(usec) || !Number.isFinite(seq) || p.current === undefined) break
        const rtt = usec / 1000
        p.replied.add(seq)
        p.sent.add(seq)
        p.current.rtts.push(rtt)
        p.replies.push({ seq, rtt })
        if (seq > this.maxReplySeq) this.maxReplySeq = seq
        this.sawEvent = true
        return n + 1
      }
      case "d": {
        const name = parts.slice(2).join(" ")
        if (p.current !== undefined && name !== p.current.address)
          this.names.set(p.current.address, name)
        this.sawEvent = true
        return n + 1
      }
      case "m": {
        if (p.current !== undefined) p.current.mpls.push(parts.slice(2).join(" "))
        this.sawEvent = true
        return n + 1
      }
      default:
        // `t` (time), and event kinds of future mtr versions: known shape, nothing we report.
        this.sawEvent = true
        return undefined
    }
    this.unparsed.push(line)
    return undefined
  }

  /** Position (0-based) where `address` first answered, if it did. */
  firstPositionOf(address: string): number | undefined {
    let best: number | undefined
    for (const [k, p] of this.positions)
      if (p.hosts.some((h) => h.address === address) && (best === undefined || k < best)) best = k
    return best
  }

  /** The address mtr reached last: the host at the highest position that replied. */
  private lastAddress(): string | undefined {
    const keys = [...this.positions.keys()].sort((a, b) => b - a)
    for (const k of keys) {
      const p = this.positions.get(k)
      if (p?.current) return p.current.address
    }
    return undefined
  }

  /**
   * The hops, cut at the first position where the destination answered: mtr keeps probing a few
   * TTLs past it while it learns the path length, and its own display hides those (net_max).
   * `finished` counts unanswered probes as lost; while running, probes newer than the newest
   * reply are still in flight and left out of the loss figure.
   */
  snapshot(finished: boolean, destination?: string): Array<MtrHop> {
    const dest = destination ?? this.lastAddress()
    const keys = [...this.positions.keys()].sort((a, b) => a - b)
    const maxPos = keys.at(-1) ?? -1
    let end = maxPos
    if (dest !== undefined) {
      for (const k of keys) {
        if (this.positions.get(k)?.hosts.some((h) => h.address === dest)) {
          end = k
          break
        }
      }
    }
    const hops: Array<MtrHop> = []
    for (let k = 0; k <= end; k++) hops.push(this.hop(k, finished))
    return hops
  }

  /** One hop's figures (position `k`, 0-based). */
  hop(k: number, finished: boolean): MtrHop {
    const p = this.positions.get(k)
    if (p === undefined) {
      return { hop: k + 1, hosts: [], sent: 0, received: 0, lossPercent: 0, ...stats([]) }
    }
    let settled = 0
    for (const seq of p.sent)
      if (finished || p.replied.has(seq) || seq <= this.maxReplySeq) settled++
    const received = p.replied.size
    const hosts: Array<MtrHost> = p.hosts
      .filter((h) => h.rtts.length > 0)
      .map((h) => {
        const name = this.names.get(h.address)
        return {
          address: h.address,
          ...(name !== undefined ? { hostname: name } : {}),
          received: h.rtts.length,
          rtts: [...h.rtts],
          ...stats(h.rtts),
          mpls: [...h.mpls],
        }
      })
    const ordered = [...p.replies].sort((a, b) => a.seq - b.seq).map((r) => r.rtt)
    const lossPercent =
      settled === 0 ? 0 : Math.round((Math.max(0, settled - received) / settled) * 1000) / 10
    return {
      hop: k + 1,
      hosts,
      sent: settled,
      received,
      lossPercent,
      ...stats(ordered),
    }
  }
}
