import type {
  DnsParsed,
  MtrParsed,
  Operation,
  PingParsed,
  TracerouteParsed,
  WorkerResult,
} from "../../../core/models"

/** Quotes a CSV field when it needs it (RFC 4180), and defuses spreadsheet formulas. */
export const csvField = (value: unknown): string => {
  if (value === null || value === undefined) return ""
  let text =
    typeof value === "string"
      ? value
      : typeof value === "object"
        ? JSON.stringify(value)
        : String(value)
  // A cell starting with = + - @ runs as a formula in spreadsheets; a quote mark keeps it text.
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

/** Joins rows into CSV text with CRLF line ends, as RFC 4180 says. */
export const csv = (
  header: ReadonlyArray<string>,
  rows: ReadonlyArray<ReadonlyArray<unknown>>,
): string => [header, ...rows].map((r) => r.map(csvField).join(",")).join("\r\n") + "\r\n"

const workerCols = (r: WorkerResult): Array<unknown> => [
  r.workerId,
  r.hostname ?? "",
  r.queue ?? "",
  r.status,
]

const pingRows = (r: WorkerResult): Array<Array<unknown>> => {
  const p = (r.result ?? {}) as PingParsed
  const rows: Array<Array<unknown>> = (p.replies ?? []).map((x) => [
    ...workerCols(r),
    x.sequence,
    x.from ?? "",
    x.ttl ?? "",
    x.rttMs ?? "",
    x.duplicate === true ? "duplicate" : "reply",
  ])
  for (const s of p.missing ?? []) rows.push([...workerCols(r), s, "", "", "", "lost"])
  return rows.sort((a, b) => Number(a[4]) - Number(b[4]))
}

const mtrRows = (r: WorkerResult): Array<Array<unknown>> =>
  ((r.result ?? {}) as MtrParsed).hops?.map((h) => [
    ...workerCols(r),
    h.hop,
    h.hosts.map((x) => x.address ?? "").join(" "),
    h.hosts.map((x) => x.hostname ?? "").join(" "),
    h.hosts.map((x) => (x.asn === undefined ? "" : `AS${x.asn}`)).join(" "),
    h.lossPercent,
    h.sent,
    h.last,
    h.avg,
    h.best,
    h.worst,
    h.stdev,
  ]) ?? []

const tracerouteRows = (r: WorkerResult): Array<Array<unknown>> => {
  const rows: Array<Array<unknown>> = []
  for (const h of ((r.result ?? {}) as TracerouteParsed).hops ?? []) {
    if (h.responders.length === 0) rows.push([...workerCols(r), h.hop, "", "", "", "", h.timeouts])
    for (const x of h.responders)
      rows.push([
        ...workerCols(r),
        h.hop,
        x.address,
        x.hostname ?? "",
        x.asn === undefined ? "" : `AS${x.asn}`,
        x.rtts.join(" "),
        h.timeouts,
      ])
  }
  return rows
}

const dnsRows = (r: WorkerResult): Array<Array<unknown>> => {
  const rows: Array<Array<unknown>> = []
  for (const m of ((r.result ?? {}) as DnsParsed).messages ?? []) {
    for (const [section, records] of [
      ["answer", m.answer],
      ["authority", m.authority],
      ["additional", m.additional],
    ] as const) {
      for (const x of records ?? [])
        rows.push([...workerCols(r), section, x.name, x.ttl ?? "", x.class, x.type, x.data])
    }
  }
  return rows
}

const base = ["worker", "hostname", "queue", "status"]

/** The operation's results as CSV, one row per reply (ping), hop (mtr, traceroute) or record (dns). */
export const operationCsv = (op: Operation): string => {
  switch (op.type) {
    case "ping":
      return csv(
        [...base, "sequence", "from", "ttl", "rtt_ms", "kind"],
        op.results.flatMap(pingRows),
      )
    case "mtr":
      return csv(
        [
          ...base,
          "hop",
          "addresses",
          "hostnames",
          "asns",
          "loss_percent",
          "sent",
          "last_ms",
          "avg_ms",
          "best_ms",
          "worst_ms",
          "stdev_ms",
        ],
        op.results.flatMap(mtrRows),
      )
    case "traceroute":
      return csv(
        [...base, "hop", "address", "hostname", "asn", "rtts_ms", "timeouts"],
        op.results.flatMap(tracerouteRows),
      )
    case "dns":
      return csv(
        [...base, "section", "name", "ttl", "class", "type", "data"],
        op.results.flatMap(dnsRows),
      )
    default:
      return csv(base, op.results.map(workerCols))
  }
}

/** The operation as pretty-printed JSON (what the API returned, results included). */
export const operationJson = (op: Operation): string => JSON.stringify(op, null, 2) + "\n"
