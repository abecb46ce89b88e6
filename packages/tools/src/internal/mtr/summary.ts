/**
 * mtr's summary formats, `--json` and `--report`: one line (hub) per TTL with mtr's own rounded
 * statistics, and only the hop's latest address. Read as alternate inputs (saved reports); the
 * runner uses `--raw`.
 */
import { parseAsn, type MtrHop, type MtrHost } from "./model.js"

const num = (v: unknown): number | null => {
  if (typeof v === "number" && Number.isFinite(v)) return v
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v)
  return null
}

const isIp = (s: string): boolean => /^[\d.]+$/.test(s) || s.includes(":")

const summaryHop = (
  hop: number,
  hostText: string | null,
  sent: number,
  loss: number,
  figures: {
    last: number | null
    avg: number | null
    best: number | null
    worst: number | null
    stdev: number | null
  },
  asn: number | undefined,
): MtrHop => {
  const received = Math.round(sent * (1 - loss / 100))
  const noReply = hostText === null || hostText === "???" || received === 0
  const rtt = noReply ? { last: null, avg: null, best: null, worst: null, stdev: null } : figures
  const hosts: Array<MtrHost> = []
  if (!noReply && hostText !== null) {
    // `-b` prints "name (ip)"; otherwise the text is either an address or a name.
    const both = /^(.*\S)\s+\(([^()]+)\)$/.exec(hostText)
    const address = both ? (both[2] ?? null) : isIp(hostText) ? hostText : null
    const hostname = both ? both[1] : isIp(hostText) ? undefined : hostText
    hosts.push({
      address,
      ...(hostname !== undefined ? { hostname } : {}),
      ...(asn !== undefined ? { asn } : {}),
      received,
      rtts: [],
      ...rtt,
      mpls: [],
    })
  }
  return { hop, hosts, sent, received, lossPercent: loss, ...rtt }
}

/** Reads `mtr --json` (`{"report":{"mtr":{…},"hubs":[…]}}`); undefined when not that shape. */
export const parseJson = (
  text: string,
): { readonly destination?: string; readonly hops: Array<MtrHop> } | undefined => {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch {
    return undefined
  }
  const report = (doc as { report?: { mtr?: { dst?: unknown }; hubs?: unknown } } | null)?.report
  if (report === undefined || !Array.isArray(report.hubs)) return undefined
  const hops: Array<MtrHop> = []
  report.hubs.forEach((raw: unknown, i: number) => {
    const h = (raw ?? {}) as Record<string, unknown>
    const hop = num(h.count) ?? i + 1
    const host = typeof h.host === "string" ? h.host : null
    hops.push(
      summaryHop(
        hop,
        host,
        num(h.Snt) ?? 0,
        num(h["Loss%"]) ?? 0,
        {
          last: num(h.Last),
          avg: num(h.Avg),
          best: num(h.Best),
          worst: num(h.Wrst),
          stdev: num(h.StDev),
        },
        parseAsn(h.ASN),
      ),
    )
  })
  const dst = report.mtr?.dst
  return typeof dst === "string" ? { destination: dst, hops } : { hops }
}

const REPORT_ROW =
  /^\s*(\d+)\.(?:\s*(AS\S+))?\s*\|--\s+(\S+(?:\s+\([^)]*\))?)\s+([\d.]+)%?\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*$/

const ECMP_ROW = /^\s+(?:\|\s+)?`\|--\s+(\S+(?:\s+\([^)]*\))?)\s*$/

/** Reads `mtr --report` (also `-w`, `-z`, `-b`); undefined when no row has the report shape. */
export const parseReport = (text: string): { readonly hops: Array<MtrHop> } | undefined => {
  const hops: Array<MtrHop> = []
  for (const line of text.split("\n")) {
    const extra = ECMP_ROW.exec(line)
    const prev = hops.at(-1)
    if (extra && prev !== undefined && prev.hosts[0] !== undefined) {
      // Equal-cost paths: mtr lists other addresses of the hop under it, without figures.
      const both = /^(.*\S)\s+\(([^()]+)\)$/.exec(extra[1] ?? "")
      const text = extra[1] ?? ""
      const host: MtrHost = {
        address: both ? (both[2] ?? null) : isIp(text) ? text : null,
        ...(both ? { hostname: both[1] ?? "" } : isIp(text) ? {} : { hostname: text }),
        received: 0,
        rtts: [],
        last: null,
        avg: null,
        best: null,
        worst: null,
        stdev: null,
        mpls: [],
      }
      hops[hops.length - 1] = { ...prev, hosts: [...prev.hosts, host] }
      continue
    }
    const m = REPORT_ROW.exec(line)
    if (!m) continue
    const f = (i: number) => Number(m[i])
    hops.push(
      summaryHop(
        f(1),
        m[3] ?? null,
        f(5),
        f(4),
        { last: f(6), avg: f(7), best: f(8), worst: f(9), stdev: f(10) },
        parseAsn(m[2]),
      ),
    )
  }
  return hops.length > 0 ? { hops } : undefined
}
