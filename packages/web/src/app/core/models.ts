/**
 * The console's view of the API's data. The fields the pages read, kept structural so the
 * parsed tool results (which the API passes through as JSON) can be read defensively: a worker
 * may run an older tool version, and any field may be missing.
 */

/** The kinds of operation a worker runs. */
export type OperationType = "ping" | "mtr" | "traceroute" | "dns"

/** The operation types, in menu order. */
export const operationTypes: ReadonlyArray<OperationType> = ["ping", "mtr", "traceroute", "dns"]

/** Operation lifecycle states (see the API). */
export type OperationStatus = "pending" | "running" | "done" | "partial" | "error" | "timeout"

/** The statuses, for filters. */
export const operationStatuses: ReadonlyArray<OperationStatus> = [
  "pending",
  "running",
  "done",
  "partial",
  "error",
  "timeout",
]

/** One row of the operations list. */
export interface OperationSummary {
  readonly id: string
  readonly type: OperationType
  readonly target: string
  readonly status: OperationStatus | string
  readonly queues: ReadonlyArray<string>
  readonly createdAt: string
  readonly finishedAt?: string | null
  /** Workers expected to answer, fixed at dispatch (null while pending). */
  readonly expected?: number | null
  /** Results stored so far. */
  readonly received?: number
  /** Why the operation failed as a whole, if it did. */
  readonly error?: string | null
}

/** One worker's answer to an operation. */
export interface WorkerResult {
  readonly workerId: string
  readonly hostname?: string | null
  readonly queue?: string
  readonly location?: string | null
  readonly status: string
  readonly startedAt?: string | null
  readonly finishedAt?: string | null
  readonly durationMs?: number
  /** The parsed tool output (ping/mtr/traceroute/dns shapes below). */
  readonly result?: unknown
  readonly raw?: string | null
  readonly error?: string | null
}

/** A worker the operation waits for (fixed at dispatch). */
export interface ExpectedWorker {
  readonly jobId?: string
  readonly queue: string
  readonly workerId: string | null
  readonly hostname: string | null
}

/** An operation with every result so far. */
export interface Operation extends OperationSummary {
  readonly options: Readonly<Record<string, unknown>>
  readonly expectedWorkers?: ReadonlyArray<ExpectedWorker>
  readonly results: ReadonlyArray<WorkerResult>
}

/** A page of the operations list. */
export interface OperationPage {
  readonly items: ReadonlyArray<OperationSummary>
  readonly total: number
  /** False when `total` is a lower bound (the server counts exactly up to 10,000 matches). */
  readonly totalExact?: boolean
  /** How many of `total` come before this page, as the server counted when it read it. */
  readonly offset?: number
  readonly nextCursor?: string | null
  /** The cursor of the page before (null on the first page). */
  readonly previousCursor?: string | null
}

/** Filters of the operations list. */
export interface OperationFilter {
  readonly status?: string
  readonly type?: string
  readonly target?: string
  readonly queue?: string
  readonly since?: string
  readonly until?: string
  readonly cursor?: string
  readonly limit?: number
}

/** What the "new operation" form sends. */
export interface OperationRequest {
  readonly type: OperationType
  readonly target: string
  readonly options: Readonly<Record<string, unknown>>
  readonly queues: ReadonlyArray<string>
}

/** A live update from the operation's event stream. */
export type OperationEvent =
  /** The whole operation as stored when the stream opened. */
  | { readonly kind: "snapshot"; readonly operation: Operation }
  | { readonly kind: "status"; readonly status: string }
  | { readonly kind: "result"; readonly result: WorkerResult }
  /** A partial result while a worker runs (a ping reply, mtr's hops so far, a traceroute hop). */
  | {
      readonly kind: "progress"
      readonly workerId: string
      readonly hostname?: string | null
      readonly data: ProgressData
    }
  | { readonly kind: "end" }

/** What a worker's progress message carries. */
export type ProgressData =
  | {
      readonly type: "ping"
      readonly event: {
        readonly type: string
        readonly sequence?: number
        readonly rttMs?: number
        readonly from?: string
        readonly ttl?: number
        readonly duplicate?: boolean
        readonly message?: string
      }
    }
  | { readonly type: "mtr"; readonly hops: ReadonlyArray<MtrHop> }
  | { readonly type: "traceroute"; readonly hop: TracerouteHop }
  | { readonly type: "dns"; readonly step: unknown }

/** A queue workers listen on, with its location. */
export interface Queue {
  /** The queue name operations target. */
  readonly name: string
  /** A human name, e.g. "Paris (OVH)". */
  readonly label?: string
  /** Where its workers are, when configured (coordinates may be missing). */
  readonly locationName?: string | null
  /** Built in (the broadcast and direct queues), not configured. */
  readonly builtin?: boolean
  /** Broadcast queues give the job to every worker on them, not to one. */
  readonly broadcast: boolean
  readonly location?: Location | null
  readonly workers: ReadonlyArray<WorkerSummary>
}

/** A place on the map. */
export interface Location {
  readonly name: string
  readonly latitude: number
  readonly longitude: number
  readonly country?: string | null
}

/** A worker as the queue list and the workers page show it. */
export interface WorkerSummary {
  readonly id: string
  readonly hostname: string
  readonly online: boolean
  readonly version?: string | null
  readonly lastSeen?: string | null
  readonly queues?: ReadonlyArray<string>
  readonly capabilities?: Readonly<Record<string, unknown>> | ReadonlyArray<string>
  readonly locations?: ReadonlyArray<string>
  readonly concurrency?: number | null
}

// ----- parsed tool results (subsets of @netwark/tools shapes) -----

/** A ping reply. */
export interface PingReply {
  readonly sequence: number
  readonly from?: string
  readonly ttl?: number
  readonly rttMs?: number
  readonly duplicate?: boolean
}

/** Parsed ping output. */
export interface PingParsed {
  readonly status?: string
  readonly destination?: string
  readonly resolvedAddress?: string
  readonly replies?: ReadonlyArray<PingReply>
  readonly missing?: ReadonlyArray<number>
  readonly errors?: ReadonlyArray<{ readonly sequence: number; readonly message: string }>
  readonly summary?: {
    readonly transmitted: number
    readonly received: number
    readonly lossPercent: number
    readonly duplicates?: number
    readonly rtt?: {
      readonly minMs: number
      readonly avgMs: number
      readonly maxMs: number
      readonly mdevMs: number
    }
  }
  readonly message?: string
  readonly raw?: string
}

/** One responding host at an mtr hop. */
export interface MtrHost {
  readonly address: string | null
  readonly hostname?: string
  readonly asn?: number
  readonly received?: number
  readonly avg?: number | null
  readonly best?: number | null
  readonly worst?: number | null
}

/** One mtr hop. */
export interface MtrHop {
  readonly hop: number
  readonly hosts: ReadonlyArray<MtrHost>
  readonly sent: number
  readonly received: number
  readonly lossPercent: number
  readonly last: number | null
  readonly avg: number | null
  readonly best: number | null
  readonly worst: number | null
  readonly stdev: number | null
}

/** Parsed mtr output. */
export interface MtrParsed {
  readonly status?: string
  readonly destination?: string
  readonly hops?: ReadonlyArray<MtrHop>
  readonly raw?: string
}

/** One traceroute responder. */
export interface TracerouteResponder {
  readonly address: string
  readonly hostname?: string
  readonly asn?: number
  readonly rtts: ReadonlyArray<number>
  readonly annotations?: ReadonlyArray<string>
}

/** One traceroute hop. */
export interface TracerouteHop {
  readonly hop: number
  readonly responders: ReadonlyArray<TracerouteResponder>
  readonly timeouts: number
}

/** Parsed traceroute output. */
export interface TracerouteParsed {
  readonly status?: string
  readonly hops?: ReadonlyArray<TracerouteHop>
  readonly reached?: boolean
  readonly header?: { readonly destinationName: string; readonly destinationAddress: string }
  readonly raw?: string
}

/** One DNS record. */
export interface DnsRecord {
  readonly name: string
  readonly ttl?: number
  readonly class: string
  readonly type: string
  readonly data: string
}

/** One DNS message dig printed. */
export interface DnsMessage {
  readonly rcode?: string
  readonly flags?: ReadonlyArray<string>
  readonly answer?: ReadonlyArray<DnsRecord>
  readonly authority?: ReadonlyArray<DnsRecord>
  readonly additional?: ReadonlyArray<DnsRecord>
  readonly queryTimeMs?: number
  readonly server?: string
}

/** Parsed dig output. */
export interface DnsParsed {
  readonly status?: string
  /** dig's error lines (";; communications error to …: connection refused"). */
  readonly errors?: ReadonlyArray<string>
  readonly messages?: ReadonlyArray<DnsMessage>
  readonly trace?: ReadonlyArray<{
    readonly records: ReadonlyArray<DnsRecord>
    readonly from: string
    readonly timeMs: number
  }>
  readonly raw?: string
}
