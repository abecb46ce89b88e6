/**
 * `dig` output (BIND 9.10–9.18): one or more messages with header, EDNS pseudo-section and
 * sections; zone transfers; `+trace` delegation steps; and dig's error lines.
 */

/** A resource record as dig prints it, with the data also structured for common types. */
export interface DnsRecord {
  readonly name: string
  /** Absent when dig ran with `+nottlid`. */
  readonly ttl?: number
  readonly class: string
  readonly type: string
  /** The record data exactly as printed. */
  readonly data: string
  /** MX, SRV, SOA, TXT, CAA data split into fields. */
  readonly fields?: RecordFields
}

/** Structured record data. */
export type RecordFields =
  | { readonly type: "MX"; readonly preference: number; readonly exchange: string }
  | {
      readonly type: "SRV"
      readonly priority: number
      readonly weight: number
      readonly port: number
      readonly target: string
    }
  | {
      readonly type: "SOA"
      readonly mname: string
      readonly rname: string
      readonly serial: number
      readonly refresh: number
      readonly retry: number
      readonly expire: number
      readonly minimum: number
    }
  | { readonly type: "TXT"; readonly strings: ReadonlyArray<string> }
  | { readonly type: "CAA"; readonly flags: number; readonly tag: string; readonly value: string }

/** The question line. */
export interface DnsQuestion {
  readonly name: string
  readonly class: string
  readonly type: string
}

/** The OPT pseudo-section. */
export interface DnsEdns {
  readonly version?: number
  readonly flags: ReadonlyArray<string>
  readonly udp?: number
  readonly cookie?: string
  readonly nsid?: string
  /** Other `; NAME: value` lines of the pseudo-section, by name. */
  readonly other: Readonly<Record<string, string>>
}

/** One DNS message dig printed. */
export interface DnsMessage {
  readonly id?: number
  readonly opcode?: string
  /** Response code: NOERROR, NXDOMAIN, SERVFAIL, REFUSED… */
  readonly rcode?: string
  readonly flags: ReadonlyArray<string>
  readonly counts?: {
    readonly query: number
    readonly answer: number
    readonly authority: number
    readonly additional: number
  }
  readonly edns?: DnsEdns
  readonly question?: DnsQuestion
  readonly answer: ReadonlyArray<DnsRecord>
  readonly authority: ReadonlyArray<DnsRecord>
  readonly additional: ReadonlyArray<DnsRecord>
  readonly queryTimeMs?: number
  /** `SERVER:` as printed, e.g. `127.0.0.1#53(127.0.0.1) (UDP)`. */
  readonly server?: string
  readonly serverAddress?: string
  readonly serverPort?: number
  /** Transport dig 9.18 names after the server: UDP, TCP, TLS, HTTPS. */
  readonly transport?: string
  /** `WHEN:` as printed. */
  readonly when?: string
  readonly messageSize?: number
  /** Zone transfer: `XFR size:` line. */
  readonly xfrSize?: string
}

/** One step of `dig +trace`: the records received, and from whom. */
export interface DnsTraceStep {
  readonly records: ReadonlyArray<DnsRecord>
  readonly bytes: number
  /** `ip#port(name)` as printed. */
  readonly from: string
  readonly fromAddress: string
  readonly fromName?: string
  readonly timeMs: number
}

const SECTION = /^;; (QUESTION|ANSWER|AUTHORITY|ADDITIONAL) SECTION:/
const HEADER = /^;; ->>HEADER<<- opcode: (\S+), status: (\S+), id: (\d+)/
const FLAGS =
  /^;; flags:([^;]*);\s*QUERY: (\d+), ANSWER: (\d+), AUTHORITY: (\d+), ADDITIONAL: (\d+)/
const CLASSES = /^(?:IN|CH|CS|HS|NONE|ANY|CLASS\d+)$/
const TYPE = /^(?:[A-Z][A-Z0-9-]*|TYPE\d+)$/
const RECEIVED = /^;; Received (\d+) bytes from (\S+?)#(\d+)\(([^)]*)\) in (\d+) ms/

const unquote = (s: string): Array<string> => {
  const out: Array<string> = []
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g
  let m: RegExpExecArray | null
  while ((m = re.exec(s)) !== null) out.push(m[1] ?? m[2] ?? "")
  return out
}

const structured = (type: string, data: string): RecordFields | undefined => {
  const f = data.trim().split(/\s+/)
  const n = (i: number) => Number(f[i])
  const ok = (...xs: Array<number>) => xs.every((x) => Number.isFinite(x))
  switch (type) {
    case "MX":
      return f.length === 2 && ok(n(0))
        ? { type, preference: n(0), exchange: f[1] ?? "" }
        : undefined
    case "SRV":
      return f.length === 4 && ok(n(0), n(1), n(2))
        ? { type, priority: n(0), weight: n(1), port: n(2), target: f[3] ?? "" }
        : undefined
    case "SOA":
      return f.length === 7 && ok(n(2), n(3), n(4), n(5), n(6))
        ? {
            type,
            mname: f[0] ?? "",
            rname: f[1] ?? "",
            serial: n(2),
            refresh: n(3),
            retry: n(4),
            expire: n(5),
            minimum: n(6),
          }
        : undefined
    case "TXT":
      return { type, strings: unquote(data) }
    case "CAA": {
      const m = /^(\d+)\s+(\S+)\s+(.*)$/.exec(data.trim())
      return m
        ? { type, flags: Number(m[1]), tag: m[2] ?? "", value: unquote(m[3] ?? "").join("") }
        : undefined
    }
    default:
      return undefined
  }
}

/** Parses one record line (`name [ttl] [class] type data`); undefined when it is not one. */
export const parseRecord = (line: string): DnsRecord | undefined => {
  if (line.startsWith(";") || line.trim() === "") return undefined
  const re = /\S+/g
  const tokens: Array<{ text: string; end: number }> = []
  let m: RegExpExecArray | null
  while (tokens.length < 4 && (m = re.exec(line)) !== null)
    tokens.push({ text: m[0], end: re.lastIndex })
  let i = 1
  const name = tokens[0]?.text
  if (name === undefined) return undefined
  let ttl: number | undefined
  if (/^\d+$/.test(tokens[i]?.text ?? "")) ttl = Number(tokens[i++]?.text)
  let cls = "IN"
  if (CLASSES.test(tokens[i]?.text ?? "") && TYPE.test(tokens[i + 1]?.text ?? ""))
    cls = tokens[i++]?.text ?? "IN"
  const typeTok = tokens[i]
  if (typeTok === undefined || !TYPE.test(typeTok.text)) return undefined
  if (ttl === undefined && i === 1 && !CLASSES.test(tokens[1]?.text ?? "")) {
    // Without TTL and class a record is indistinguishable from prose; require at least one of them.
    return undefined
  }
  const data = line.slice(typeTok.end).trim()
  const fields = structured(typeTok.text, data)
  return {
    name,
    ...(ttl !== undefined ? { ttl } : {}),
    class: cls,
    type: typeTok.text,
    data,
    ...(fields !== undefined ? { fields } : {}),
  }
}

interface MutableMessage {
  id?: number
  opcode?: string
  rcode?: string
  flags: Array<string>
  counts?: NonNullable<DnsMessage["counts"]>
  edns?: {
    version?: number
    flags: Array<string>
    udp?: number
    cookie?: string
    nsid?: string
    other: Record<string, string>
  }
  question?: DnsQuestion
  answer: Array<DnsRecord>
  authority: Array<DnsRecord>
  additional: Array<DnsRecord>
  queryTimeMs?: number
  server?: string
  serverAddress?: string
  serverPort?: number
  transport?: string
  when?: string
  messageSize?: number
  xfrSize?: string
}

/** Everything found in a dig output. */
export interface DigOutput {
  readonly messages: ReadonlyArray<DnsMessage>
  readonly trace: ReadonlyArray<DnsTraceStep>
  /** `+trace` ran to a last step with no error after it (errors between steps were retried). */
  readonly traceComplete: boolean
  /** Error lines (`;; connection timed out…`, `dig: couldn't get address…`, `;; Got bad packet…`). */
  readonly errors: ReadonlyArray<string>
  /** Warnings and notes (`;; Truncated, retrying in TCP mode.`, `;; Warning: …`). */
  readonly notes: ReadonlyArray<string>
  /** The `; <<>> DiG 9.18.x <<>> args` banner of the first query. */
  readonly banner?: string
  readonly unparsedLines: ReadonlyArray<string>
}

const newMessage = (): MutableMessage => ({ flags: [], answer: [], authority: [], additional: [] })

const ERROR =
  /timed out|no servers could be reached|connection refused|couldn't get address|Got bad packet|communications error|network unreachable|host unreachable|failed:|isc_socket|couldn't|not found|^dig: |^;; Connection to /i

/** Incremental dig output reader; `trace` steps are emitted as their `Received` line arrives. */
export class DigReader {
  private readonly messages: Array<MutableMessage> = []
  private current: MutableMessage | undefined
  private section: "QUESTION" | "ANSWER" | "AUTHORITY" | "ADDITIONAL" | "OPT" | undefined
  private pending: Array<DnsRecord> = []
  readonly trace: Array<DnsTraceStep> = []
  readonly errors: Array<string> = []
  /** Errors printed after the last `+trace` step (earlier ones were retried by dig). */
  private errorsSinceStep = 0
  readonly notes: Array<string> = []
  readonly unparsed: Array<string> = []
  banner: string | undefined
  private inHexDump = false

  private msg(): MutableMessage {
    if (this.current === undefined) {
      this.current = newMessage()
      this.messages.push(this.current)
    }
    return this.current
  }

  /** Reads one line; returns the trace step it completed, if any. */
  push(raw: string): DnsTraceStep | undefined {
    const line = raw.replace(/\s+$/, "")
    if (line === "") return undefined
    if (this.inHexDump) {
      if (/^([0-9a-f]{2} )+/i.test(line) || /^\d+ bytes$/.test(line)) return undefined
      this.inHexDump = false
    }
    if (line.startsWith("; <<>> DiG")) {
      this.banner ??= line
      this.current = undefined
      this.section = undefined
      return undefined
    }
    if (
      line.startsWith(";; global options:") ||
      line === ";; Got answer:" ||
      /^; \(\d+ servers? found\)/.test(line)
    ) {
      if (line === ";; Got answer:") {
        this.current = newMessage()
        this.messages.push(this.current)
        this.section = undefined
      }
      return undefined
    }
    let m: RegExpExecArray | null
    if ((m = HEADER.exec(line))) {
      if (this.current === undefined || this.current.rcode !== undefined) {
        this.current = newMessage()
        this.messages.push(this.current)
      }
      const msg = this.current
      msg.opcode = m[1] ?? ""
      msg.rcode = (m[2] ?? "").replace(/,$/, "")
      msg.id = Number(m[3])
      return undefined
    }
    if ((m = FLAGS.exec(line))) {
      const msg = this.msg()
      msg.flags = (m[1] ?? "")
        .trim()
        .split(/\s+/)
        .filter((f) => f !== "")
      msg.counts = {
        query: Number(m[2]),
        answer: Number(m[3]),
        authority: Number(m[4]),
        additional: Number(m[5]),
      }
      return undefined
    }
    if (line === ";; OPT PSEUDOSECTION:") {
      this.section = "OPT"
      this.msg().edns = { flags: [], other: {} }
      return undefined
    }
    if ((m = SECTION.exec(line))) {
      this.section = m[1] as "QUESTION" | "ANSWER" | "AUTHORITY" | "ADDITIONAL"
      this.msg()
      return undefined
    }
    if (this.section === "OPT" && line.startsWith("; ") && !line.startsWith(";; ")) {
      const edns = this.msg().edns ?? { flags: [], other: {} }
      this.msg().edns = edns
      const e = /^; EDNS: version: (\d+), flags:([^;]*);(?:\s*MBZ: \S+\s*,)?\s*udp: (\d+)/.exec(
        line,
      )
      if (e) {
        edns.version = Number(e[1])
        edns.flags = (e[2] ?? "")
          .trim()
          .split(/\s+/)
          .filter((f) => f !== "")
        edns.udp = Number(e[3])
        return undefined
      }
      const kv = /^; ([A-Z][A-Z0-9-]*): (.*)$/.exec(line)
      if (kv) {
        const key = kv[1] ?? ""
        const value = kv[2] ?? ""
        if (key === "COOKIE") edns.cookie = value.replace(/\s*\((?:good|bad)\)$/, "")
        else if (key === "NSID") edns.nsid = /\("(.*)"\)\s*$/.exec(value)?.[1] ?? value
        else edns.other[key] = value
        return undefined
      }
    }
    if (this.section === "QUESTION" && line.startsWith(";") && !line.startsWith(";;")) {
      const q = line.slice(1).trim().split(/\s+/)
      if (q.length >= 3)
        this.msg().question = { name: q[0] ?? "", class: q[1] ?? "", type: q[2] ?? "" }
      else if (q.length === 2)
        this.msg().question = { name: q[0] ?? "", class: "IN", type: q[1] ?? "" }
      return undefined
    }
    if ((m = /^;; Query time: (\d+) (msec|usec)/.exec(line))) {
      this.msg().queryTimeMs = m[2] === "usec" ? Number(m[1]) / 1000 : Number(m[1])
      this.section = undefined
      return undefined
    }
    if ((m = /^;; SERVER: (\S+?)#(\d+)\(([^)]*)\)(?:\s+\((\w+)\))?/.exec(line))) {
      const msg = this.msg()
      msg.server = line.slice(";; SERVER: ".length)
      msg.serverAddress = m[1] ?? ""
      msg.serverPort = Number(m[2])
      if (m[4] !== undefined) msg.transport = m[4]
      return undefined
    }
    if ((m = /^;; WHEN: (.*)$/.exec(line))) {
      this.msg().when = m[1] ?? ""
      return undefined
    }
    if ((m = /^;; MSG SIZE\s+rcvd: (\d+)/.exec(line))) {
      this.msg().messageSize = Number(m[1])
      this.current = undefined
      this.section = undefined
      return undefined
    }
    if ((m = /^;; XFR size: (.*)$/.exec(line))) {
      this.msg().xfrSize = m[1] ?? ""
      return undefined
    }
    if ((m = RECEIVED.exec(line))) {
      const step: DnsTraceStep = {
        records: this.pending,
        bytes: Number(m[1]),
        from: `${m[2]}#${m[3]}(${m[4]})`,
        fromAddress: m[2] ?? "",
        ...(m[4] !== undefined && m[4] !== m[2] ? { fromName: m[4] } : {}),
        timeMs: Number(m[5]),
      }
      this.pending = []
      this.errorsSinceStep = 0
      this.trace.push(step)
      return step
    }
    if (line.startsWith(";; Got bad packet")) {
      this.errors.push(line.replace(/^;;\s*/, ""))
      this.errorsSinceStep++
      this.inHexDump = true
      return undefined
    }
    if (/^;; (Truncated|Warning|WARNING|BADCOOKIE|Question section mismatch)/.test(line)) {
      this.notes.push(line.replace(/^;;\s*/, ""))
      return undefined
    }
    if (
      (line.startsWith(";;") || line.startsWith("dig:") || !line.startsWith(";")) &&
      ERROR.test(line)
    ) {
      if (parseRecord(line) === undefined) {
        this.errors.push(line.replace(/^;;\s*/, ""))
        this.errorsSinceStep++
        return undefined
      }
    }
    const rec = parseRecord(line)
    if (rec !== undefined) {
      const s = this.section
      if (s === "ANSWER" || s === "AUTHORITY" || s === "ADDITIONAL") {
        this.msg()[s === "ANSWER" ? "answer" : s === "AUTHORITY" ? "authority" : "additional"].push(
          rec,
        )
      } else {
        // Records outside sections: a +trace step (until its `Received` line) or a zone transfer.
        this.pending.push(rec)
      }
      return undefined
    }
    this.unparsed.push(raw)
    return undefined
  }

  /** What was read; records left outside sections become the answer of a zone-transfer message. */
  finish(): DigOutput {
    const messages = this.messages.map((m): DnsMessage => ({ ...m }))
    if (this.pending.length > 0 && this.trace.length === 0) {
      const last = messages.at(-1)
      if (last !== undefined && last.answer.length === 0 && last.rcode === undefined)
        messages[messages.length - 1] = { ...last, answer: this.pending }
      else messages.push({ ...newMessage(), answer: this.pending })
    }
    return {
      messages: messages.filter(
        (m) =>
          m.rcode !== undefined ||
          m.answer.length > 0 ||
          m.queryTimeMs !== undefined ||
          m.xfrSize !== undefined,
      ),
      trace: this.trace,
      traceComplete: this.trace.length > 0 && this.errorsSinceStep === 0,
      errors: this.errors,
      notes: this.notes,
      ...(this.banner !== undefined ? { banner: this.banner } : {}),
      unparsedLines: this.unparsed,
    }
  }
}
