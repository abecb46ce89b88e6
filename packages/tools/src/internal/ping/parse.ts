/**
 * Line-by-line parser of iputils `ping` output (and BusyBox's close variant). Pure and total: every
 * line is classified, unknown ones are kept as `unparsed`, and the fold never throws.
 */

/** A reply (or a duplicate of one). */
export interface PingReply {
  readonly type: "reply"
  readonly sequence: number
  readonly bytes: number
  /** The address the reply came from. */
  readonly from: string
  /** The reverse name ping printed, when it did (`-n` suppresses it). */
  readonly fromName?: string
  readonly ttl: number
  /** Round-trip time; absent when the payload is too small to carry a timestamp (`-s` < 16). */
  readonly rttMs?: number
  readonly duplicate: boolean
  /** `-D` Unix timestamp in seconds. */
  readonly timestamp?: number
}

/** A `-O` "no answer yet" report: the reply for `sequence` had not arrived when the next was sent. */
export interface PingNoAnswer {
  readonly type: "timeout"
  readonly sequence: number
  readonly timestamp?: number
}

/** An ICMP error about one probe, e.g. "Destination Host Unreachable", "Time to live exceeded". */
export interface PingIcmpError {
  readonly type: "error"
  readonly sequence: number
  readonly from: string
  readonly fromName?: string
  readonly message: string
  readonly timestamp?: number
}

/** A line that was not understood, kept verbatim. */
export interface PingUnparsed {
  readonly type: "unparsed"
  readonly line: string
}

/** One per-probe event, in output order. */
export type PingEvent = PingReply | PingNoAnswer | PingIcmpError | PingUnparsed

/** The statistics block. */
export interface PingSummary {
  readonly transmitted: number
  readonly received: number
  readonly duplicates: number
  readonly errors: number
  readonly lossPercent: number
  readonly timeMs?: number
  readonly rtt?: {
    readonly minMs: number
    readonly avgMs: number
    readonly maxMs: number
    /** Absent in BusyBox output. */
    readonly mdevMs?: number
  }
}

/** How the run ended. */
export type PingStatus =
  "ok" | "partial-loss" | "total-loss" | "unknown-host" | "error" | "unparseable"

/** Everything found in one ping run. */
export interface PingResult {
  readonly status: PingStatus
  /** The target as ping printed it (name or address). */
  readonly destination?: string
  /** The address ping resolved the destination to. */
  readonly resolvedAddress?: string
  readonly source?: { readonly address: string; readonly interface: string }
  readonly dataBytes?: number
  readonly pattern?: string
  readonly events: ReadonlyArray<PingEvent>
  /** First (non-duplicate) replies. */
  readonly replies: ReadonlyArray<PingReply>
  readonly duplicates: ReadonlyArray<PingReply>
  readonly errors: ReadonlyArray<PingIcmpError>
  /** Sequence numbers sent that never got a reply. */
  readonly missing: ReadonlyArray<number>
  readonly summary?: PingSummary
  /** Why ping failed, for `unknown-host` and `error` (its own message). */
  readonly message?: string
  readonly raw: string
}

/** A classified line. */
export type PingLine =
  | PingEvent
  | {
      readonly type: "header"
      readonly destination: string
      readonly resolvedAddress: string
      readonly source?: { readonly address: string; readonly interface: string }
      readonly dataBytes: number
    }
  | { readonly type: "pattern"; readonly pattern: string }
  | { readonly type: "transmitted"; readonly summary: Omit<PingSummary, "rtt"> }
  | { readonly type: "rtt"; readonly rtt: NonNullable<PingSummary["rtt"]> }
  | { readonly type: "failure"; readonly unknownHost: boolean; readonly message: string }
  | { readonly type: "ignored" }

const TS = String.raw`^(?:\[(\d+(?:\.\d+)?)\] )?`
const REPLY = new RegExp(
  TS +
    String.raw`(\d+) bytes from (.+?): (?:icmp_)?seq=(\d+) ttl=(\d+)(?: time[=<]([\d.]+) ?ms)?(.*)$`,
)
const NO_ANSWER = new RegExp(TS + String.raw`no answer yet for icmp_seq=(\d+)`)
const ICMP_ERROR = new RegExp(TS + String.raw`From (.+?):? icmp_seq=(\d+) (.+)$`)
const HEADER =
  /^PING (.*?) ?\((.*)\)(?: from (\S+) (\S+?))?:? (\d+)(?:\(\d+\))? (?:data bytes|bytes of data)/
const TRANSMITTED = /^(\d+) packets transmitted, (\d+) (?:packets )?received(.*)$/
const RTT =
  /^(?:rtt|round-trip) min\/avg\/max(?:\/(?:mdev|stddev))? = ([\d.]+)\/([\d.]+)\/([\d.]+)(?:\/([\d.]+))? ?ms/
const UNKNOWN_HOST =
  /(Name or service not known|unknown host|Temporary failure in name resolution|No address associated with hostname|nodename nor servname provided|bad address)/i
const IGNORED = /^(?:$|--- .* ping statistics ---$|WARNING: |pipe \d+$|\^C$)/

const num = (s: string | undefined): number | undefined =>
  s === undefined || s === "" ? undefined : Number(s)

/** `host (addr)` or `addr`. */
const splitFrom = (text: string): { from: string; fromName?: string } => {
  const m = /^(.*) \(([^()]+)\)$/.exec(text)
  return m !== null && m[1] !== undefined && m[2] !== undefined
    ? m[1] === m[2] || m[1] === ""
      ? { from: m[2] }
      : { from: m[2], fromName: m[1] }
    : { from: text }
}

const withTimestamp = <A extends object>(a: A, ts: string | undefined): A =>
  ts === undefined ? a : { ...a, timestamp: Number(ts) }

/** Classifies one output line (stdout or stderr). */
export const parseLine = (line: string): PingLine => {
  let m = REPLY.exec(line)
  if (m !== null) {
    const rest = m[7] ?? ""
    const rtt = num(m[6])
    return withTimestamp(
      {
        type: "reply",
        sequence: Number(m[4]),
        bytes: Number(m[2]),
        ...splitFrom(m[3] ?? ""),
        ttl: Number(m[5]),
        ...(rtt === undefined ? {} : { rttMs: rtt }),
        duplicate: rest.includes("(DUP!)"),
      } satisfies PingReply,
      m[1],
    )
  }
  if ((m = NO_ANSWER.exec(line)) !== null)
    return withTimestamp({ type: "timeout", sequence: Number(m[2]) } satisfies PingNoAnswer, m[1])
  if ((m = ICMP_ERROR.exec(line)) !== null)
    return withTimestamp(
      {
        type: "error",
        sequence: Number(m[3]),
        ...splitFrom(m[2] ?? ""),
        message: (m[4] ?? "").trim(),
      } satisfies PingIcmpError,
      m[1],
    )
  if ((m = HEADER.exec(line)) !== null) {
    const inner = splitFrom(m[2] ?? "")
    return {
      type: "header",
      destination: m[1] === "" ? inner.from : (m[1] ?? ""),
      resolvedAddress: inner.from,
      ...(m[3] !== undefined && m[4] !== undefined
        ? { source: { address: m[3], interface: m[4] } }
        : {}),
      dataBytes: Number(m[5]),
    }
  }
  if ((m = TRANSMITTED.exec(line)) !== null) {
    const rest = m[3] ?? ""
    const time = /time (\d+(?:\.\d+)?)ms/.exec(rest)
    return {
      type: "transmitted",
      summary: {
        transmitted: Number(m[1]),
        received: Number(m[2]),
        duplicates: Number(/\+(\d+) duplicates/.exec(rest)?.[1] ?? 0),
        errors: Number(/\+(\d+) errors/.exec(rest)?.[1] ?? 0),
        lossPercent: Number(/([\d.]+)% packet loss/.exec(rest)?.[1] ?? NaN),
        ...(time?.[1] !== undefined ? { timeMs: Number(time[1]) } : {}),
      },
    }
  }
  if ((m = RTT.exec(line)) !== null) {
    const mdev = num(m[4])
    return {
      type: "rtt",
      rtt: {
        minMs: Number(m[1]),
        avgMs: Number(m[2]),
        maxMs: Number(m[3]),
        ...(mdev === undefined ? {} : { mdevMs: mdev }),
      },
    }
  }
  if ((m = /^PATTERN: (\S+)/.exec(line)) !== null) return { type: "pattern", pattern: m[1] ?? "" }
  if (IGNORED.test(line)) return { type: "ignored" }
  if (/^(?:ping6?|ping): /.test(line) || /^connect: /.test(line)) {
    return {
      type: "failure",
      unknownHost: UNKNOWN_HOST.test(line),
      message: line.replace(/^ping6?: /, ""),
    }
  }
  return { type: "unparsed", line }
}

/** Folds ping's whole output (stdout, then stderr) into a result. Never throws. */
export const parse = (raw: string): PingResult => {
  let header: Extract<PingLine, { type: "header" }> | undefined
  let pattern: string | undefined
  let counts: Omit<PingSummary, "rtt"> | undefined
  let rtt: PingSummary["rtt"]
  let failure: Extract<PingLine, { type: "failure" }> | undefined
  const events: Array<PingEvent> = []
  for (const line of raw.split("\n")) {
    const p = parseLine(line.replace(/\r$/, ""))
    switch (p.type) {
      case "header":
        header = p
        break
      case "pattern":
        pattern = p.pattern
        break
      case "transmitted":
        counts = p.summary
        break
      case "rtt":
        rtt = p.rtt
        break
      case "failure":
        failure ??= p
        break
      case "ignored":
        break
      default:
        events.push(p)
    }
  }
  const replies = events.filter((e): e is PingReply => e.type === "reply" && !e.duplicate)
  const duplicates = events.filter((e): e is PingReply => e.type === "reply" && e.duplicate)
  const errors = events.filter((e): e is PingIcmpError => e.type === "error")
  const answered = new Set(replies.map((r) => r.sequence))
  const seqs = events.flatMap((e) => ("sequence" in e ? [e.sequence] : []))
  // iputils numbers from 1, BusyBox from 0.
  const first = seqs.length > 0 && Math.min(...seqs) === 0 ? 0 : 1
  const sent = counts?.transmitted ?? (seqs.length > 0 ? Math.max(...seqs) - first + 1 : 0)
  const missing: Array<number> = []
  for (let s = first; s < first + sent && missing.length <= 100_000; s++)
    if (!answered.has(s)) missing.push(s)
  const summary: PingSummary | undefined =
    counts === undefined ? undefined : rtt === undefined ? counts : { ...counts, rtt }
  const received = counts?.received ?? replies.length
  const status: PingStatus =
    failure !== undefined && counts === undefined
      ? failure.unknownHost
        ? "unknown-host"
        : "error"
      : counts === undefined && events.every((e) => e.type === "unparsed")
        ? header === undefined
          ? "unparseable"
          : "total-loss"
        : received === 0
          ? "total-loss"
          : received < sent
            ? "partial-loss"
            : "ok"
  return {
    status,
    ...(header !== undefined
      ? {
          destination: header.destination,
          resolvedAddress: header.resolvedAddress,
          dataBytes: header.dataBytes,
          ...(header.source !== undefined ? { source: header.source } : {}),
        }
      : {}),
    ...(pattern !== undefined ? { pattern } : {}),
    events,
    replies,
    duplicates,
    errors,
    missing,
    ...(summary !== undefined ? { summary } : {}),
    ...(failure !== undefined ? { message: failure.message } : {}),
    raw,
  }
}
