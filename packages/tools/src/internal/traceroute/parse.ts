/**
 * Linux `traceroute` (Debian traceroute 2.x, also the older LBL format and `-A` AS annotations)
 * output, read line by line so the runner can emit each hop as it is printed.
 *
 * A hop line is `N  name (addr) [ASn]  rtt ms [!X]  rtt ms  * …`: a probe's responder is printed
 * only when it differs from the previous probe's, so every RTT belongs to the last responder named
 * before it. Lines that start with spaces and no number continue the previous hop (BSD style).
 */

/** One probe at a hop: an answer (with RTT) or a `*` timeout. */
export interface TracerouteProbe {
  /** Responding address; `null` for a timeout. */
  readonly address: string | null
  readonly hostname?: string
  readonly asn?: number
  /** Round-trip time in ms; `null` for a timeout. */
  readonly rtt: number | null
  /** traceroute's annotation after the RTT: `!H`, `!N`, `!P`, `!S`, `!F-1500`, `!X`, `!<10>`… */
  readonly annotation?: string
  /** ICMP extensions printed with `-e`, e.g. `<MPLS:L=16001,E=0,S=1,T=1>`. */
  readonly extensions?: ReadonlyArray<string>
}

/** One distinct address that answered at a hop, with its RTTs. */
export interface TracerouteResponder {
  readonly address: string
  readonly hostname?: string
  readonly asn?: number
  readonly rtts: ReadonlyArray<number>
  /** Annotations seen on this responder's probes (unreachable codes and the like). */
  readonly annotations: ReadonlyArray<string>
}

/** One TTL of the path. */
export interface TracerouteHop {
  readonly hop: number
  /** Every probe in the order printed, timeouts included. */
  readonly probes: ReadonlyArray<TracerouteProbe>
  /** Distinct responders (several on load-balanced paths). */
  readonly responders: ReadonlyArray<TracerouteResponder>
  /** Number of `*` (no answer within the wait time). */
  readonly timeouts: number
}

/** The `traceroute to …` header. */
export interface TracerouteHeader {
  readonly destinationName: string
  readonly destinationAddress: string
  readonly source?: string
  readonly maxHops?: number
  readonly packetSize?: number
}

const HEADER =
  /^\s*traceroute6?\s+to\s+(\S+)\s*\(([^)]+)\)(?:\s+from\s+([^,\s]+))?,\s*(\d+)\s+hops\s+max(?:,\s*(\d+)\s+byte\s+packets)?/
const HOP = /^\s*(\d+)\s+(.*)$/
const CONTINUATION = /^\s{2,}(\S.*)$/
const RTT = /^\d+(?:\.\d+)?$/
/** Some builds print `9.87ms` without the space. */
const GLUED_RTT = /^(\d+(?:\.\d+)?)ms$/
const ASN = /^\[(?:AS)?(\d+|\*)(?:\/[^\]]*)?\]$/i

/** Parses the header line, if `line` is one. */
export const parseHeader = (line: string): TracerouteHeader | undefined => {
  const m = HEADER.exec(line)
  if (!m) return undefined
  return {
    destinationName: m[1] ?? "",
    destinationAddress: m[2] ?? "",
    ...(m[3] !== undefined ? { source: m[3] } : {}),
    ...(m[4] !== undefined ? { maxHops: Number(m[4]) } : {}),
    ...(m[5] !== undefined ? { packetSize: Number(m[5]) } : {}),
  }
}

interface Current {
  address: string
  hostname?: string
  asn?: number
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

const WS = /\s+/

/** Reads the probes of one hop's text (everything after the hop number). */
export const parseProbes = (
  text: string,
  start?: Current,
): { probes: Array<TracerouteProbe>; current: Current | undefined; ok: boolean } => {
  const tokens = text.trim().split(WS)
  const probes: Array<Mutable<TracerouteProbe>> = []
  let current: Current | undefined = start
  let pendingName: string | undefined
  let pendingAsn: number | undefined
  let justNamed = false
  let ok = true
  const setResponder = (c: Current) => {
    if (pendingAsn !== undefined && c.asn === undefined) c.asn = pendingAsn
    current = c
    pendingAsn = undefined
    justNamed = true
  }
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i] ?? ""
    if (tok === "") continue
    // Dispatch on the first character: most tokens are RTTs, "ms" and addresses.
    const c = tok.charCodeAt(0)
    if (c === 42 /* * */ && tok.length === 1) {
      if (pendingName !== undefined) {
        ok = false
        pendingName = undefined
      }
      probes.push({ address: null, rtt: null })
      justNamed = false
      continue
    }
    if (c === 91 /* [ */) {
      const asn = ASN.exec(tok)
      if (asn) {
        const n = asn[1] === "*" ? undefined : Number(asn[1])
        if (justNamed && current !== undefined) {
          if (n !== undefined) current = { ...current, asn: n }
        } else if (n !== undefined) pendingAsn = n
        continue
      }
    }
    if (c === 40 /* ( */ && tok.charCodeAt(tok.length - 1) === 41 && tok.length > 2) {
      const address = tok.slice(1, -1)
      const name = pendingName
      pendingName = undefined
      const r: Current = { address }
      if (name !== undefined && name !== address) r.hostname = name
      setResponder(r)
      continue
    }
    if (c >= 48 && c <= 57) {
      const glued = tok.endsWith("ms") ? GLUED_RTT.exec(tok) : null
      if (glued || (tokens[i + 1] === "ms" && RTT.test(tok))) {
        if (!glued) i++
        if (pendingName !== undefined) {
          // A bare address (traceroute -n) directly followed by its RTT.
          setResponder({ address: pendingName })
          pendingName = undefined
        }
        if (current === undefined) {
          ok = false
          continue
        }
        const probe: Mutable<TracerouteProbe> = {
          address: current.address,
          rtt: Number(glued ? glued[1] : tok),
        }
        if (current.hostname !== undefined) probe.hostname = current.hostname
        if (current.asn !== undefined) probe.asn = current.asn
        const next = tokens[i + 1]
        if (next !== undefined && next.charCodeAt(0) === 33 /* ! */) {
          probe.annotation = next
          i++
        }
        probes.push(probe)
        justNamed = false
        continue
      }
    }
    const last = probes[probes.length - 1]
    if (c === 60 /* < */ && tok.endsWith(">") && last !== undefined) {
      last.extensions = [...(last.extensions ?? []), tok]
      continue
    }
    if (c === 33 /* ! */ && last !== undefined && last.annotation === undefined) {
      // An annotation separated from its RTT by extra spaces.
      last.annotation = tok
      continue
    }
    if (pendingName !== undefined) {
      // Two names in a row: the first had no address; keep it as the responder's address text.
      setResponder({ address: pendingName })
    }
    pendingName = tok
    justNamed = false
  }
  if (pendingName !== undefined) ok = false
  return { probes, current, ok }
}

/** Groups a hop's probes into distinct responders. */
export const responders = (probes: ReadonlyArray<TracerouteProbe>): Array<TracerouteResponder> => {
  const out: Array<
    Mutable<TracerouteResponder> & { rtts: Array<number>; annotations: Array<string> }
  > = []
  for (const p of probes) {
    if (p.address === null || p.rtt === null) continue
    let r = out.find((x) => x.address === p.address)
    if (r === undefined) {
      r = { address: p.address, rtts: [], annotations: [] }
      if (p.hostname !== undefined) r.hostname = p.hostname
      if (p.asn !== undefined) r.asn = p.asn
      out.push(r)
    }
    r.rtts.push(p.rtt)
    if (p.annotation !== undefined && !r.annotations.includes(p.annotation))
      r.annotations.push(p.annotation)
  }
  return out
}

/** Incremental reader: feed lines, get back the hop each line completed or extended. */
export class LineReader {
  header: TracerouteHeader | undefined
  readonly hops: Array<TracerouteHop> = []
  readonly unparsed: Array<string> = []
  readonly errors: Array<string> = []
  private current: Current | undefined

  /** Reads one line; returns the hop it produced or extended. */
  push(line: string): TracerouteHop | undefined {
    if (line.trim() === "") return undefined
    if (this.header === undefined) {
      const h = parseHeader(line)
      if (h !== undefined) {
        this.header = h
        return undefined
      }
    }
    const hop = HOP.exec(line)
    if (hop) {
      const n = Number(hop[1])
      const { probes, current, ok } = parseProbes(hop[2] ?? "")
      if (!ok && probes.length === 0) {
        this.unparsed.push(line)
        return undefined
      }
      this.current = current
      const h: TracerouteHop = {
        hop: n,
        probes,
        responders: responders(probes),
        timeouts: count(probes),
      }
      this.hops.push(h)
      return h
    }
    const cont = CONTINUATION.exec(line)
    const prev = this.hops.at(-1)
    if (cont && prev !== undefined) {
      const { probes, current } = parseProbes(cont[1] ?? "", this.current)
      if (probes.length > 0) {
        this.current = current
        const all = [...prev.probes, ...probes]
        const h: TracerouteHop = {
          hop: prev.hop,
          probes: all,
          responders: responders(all),
          timeouts: count(all),
        }
        this.hops[this.hops.length - 1] = h
        return h
      }
    }
    // Before the header, traceroute prints only errors (bad host, bad option, no permission).
    if (
      (this.header === undefined && this.hops.length === 0) ||
      /^(?:traceroute6?:|Cannot |connect:|send|setsockopt|bind:)/i.test(line.trim())
    )
      this.errors.push(line.trim())
    else this.unparsed.push(line)
    return undefined
  }
}

const count = (probes: ReadonlyArray<TracerouteProbe>): number =>
  probes.reduce((n, p) => (p.rtt === null ? n + 1 : n), 0)
