/**
 * The operations API's request and response shapes, as Effect Schemas: they validate requests
 * (`SchemaPipe`) and describe them in OpenAPI (`openApiSchema`). Durations are numbers of seconds.
 *
 * @module
 */
import { Jobs } from "@netwark/worker"
import { Schema } from "effect"

/** The operation types workers run: the worker's own list, so the two cannot drift. */
export const OperationType = Schema.Literal(...Jobs.types)
/** The operation types workers run. */
export type OperationType = typeof OperationType.Type

/** Where an operation is in its life. */
export const OperationStatus = Schema.Literal(
  "pending",
  "running",
  "done",
  "partial",
  "error",
  "timeout",
)
/** Where an operation is in its life. */
export type OperationStatus = typeof OperationStatus.Type

/** The statuses of an operation in flight: the others are final. */
export const activeStatuses = OperationStatus.literals.filter(
  (s): s is "pending" | "running" => s === "pending" || s === "running",
)

/** The statuses an operation ends with: nothing changes it after one. */
export const finalStatuses: ReadonlySet<OperationStatus> = new Set([
  "done",
  "partial",
  "error",
  "timeout",
])

const Seconds = (description: string) =>
  Schema.Number.pipe(
    Schema.finite(),
    Schema.annotations({ description: `${description} (seconds)` }),
  )
const Int = (description: string) => Schema.Int.annotations({ description })
const Bool = (description: string) => Schema.Boolean.annotations({ description })

/** Ping options (iputils ping); ranges are checked by `@netwark/tools`. */
export const PingOptions = Schema.Struct({
  count: Schema.optional(Int("Probes to send, 1-100 (default 3)")),
  interval: Schema.optional(Seconds("Between probes, 0.2-60")),
  size: Schema.optional(Int("Payload bytes, 0-65507")),
  timeout: Schema.optional(Seconds("Wait for each reply, 0.1-60")),
  deadline: Schema.optional(Seconds("Stop after this long, 1-3600")),
  ttl: Schema.optional(Int("IP time to live, 1-255")),
  ipVersion: Schema.optional(Schema.Literal(4, 6, "auto")),
  interface: Schema.optional(Schema.String.pipe(Schema.maxLength(64))),
  resolveNames: Schema.optional(Bool("Reverse-resolve reply addresses")),
}).annotations({ identifier: "PingOptions" })

/** mtr options. */
export const MtrOptions = Schema.Struct({
  cycles: Schema.optional(Int("Probes per hop, 1-100 (default 10)")),
  packetSize: Schema.optional(Int("Packet size, 28-9000")),
  protocol: Schema.optional(Schema.Literal("icmp", "udp", "tcp")),
  port: Schema.optional(Int("Destination port for UDP/TCP")),
  ipVersion: Schema.optional(Schema.Literal(4, 6)),
  asLookup: Schema.optional(Bool("Look up origin AS numbers")),
  maxHops: Schema.optional(Int("Maximum TTL, 1-64")),
  noDns: Schema.optional(Bool("Skip reverse DNS of hops (default true)")),
  interval: Schema.optional(Seconds("Between cycles, 0.1-60")),
  gracePeriod: Schema.optional(Seconds("Wait for late replies, 0.1-30")),
  timeout: Schema.optional(Seconds("Hard deadline")),
}).annotations({ identifier: "MtrOptions" })

/** traceroute options. */
export const TracerouteOptions = Schema.Struct({
  protocol: Schema.optional(Schema.Literal("udp", "icmp", "tcp")),
  port: Schema.optional(Int("Destination port")),
  queries: Schema.optional(Int("Probes per hop, 1-10")),
  maxHops: Schema.optional(Int("Maximum TTL, 1-64")),
  firstHop: Schema.optional(Int("First TTL, 1-64")),
  wait: Schema.optional(Seconds("Longest wait for a probe's answer, 0.1-10")),
  ipVersion: Schema.optional(Schema.Literal(4, 6)),
  noDns: Schema.optional(Bool("Skip reverse DNS of hops (default true)")),
  timeout: Schema.optional(Seconds("Hard deadline")),
}).annotations({ identifier: "TracerouteOptions" })

/** dig options; the operation's `target` is the query (a name, or an address with `reverse`). */
export const DnsOptions = Schema.Struct({
  type: Schema.optional(Schema.String.pipe(Schema.maxLength(16))),
  class: Schema.optional(Schema.Literal("IN", "CH", "HS")),
  reverse: Schema.optional(Schema.Boolean),
  server: Schema.optional(Schema.String.pipe(Schema.maxLength(64))),
  port: Schema.optional(Int("Resolver port")),
  tcp: Schema.optional(Schema.Boolean),
  trace: Schema.optional(Schema.Boolean),
  dnssec: Schema.optional(Schema.Boolean),
  tryTimeout: Schema.optional(Seconds("Per-try timeout, 1-30")),
  tries: Schema.optional(Int("Tries over UDP, 1-5")),
  ipVersion: Schema.optional(Schema.Literal(4, 6)),
  timeout: Schema.optional(Seconds("Hard deadline")),
}).annotations({ identifier: "DnsOptions" })

/** A queue name: `[a-zA-Z0-9-_.:]`, 1-200 characters. */
export const QueueName = Schema.String.pipe(
  Schema.pattern(/^[a-zA-Z0-9\-_.:]{1,200}$/),
  Schema.annotations({ description: "A queue name ([a-zA-Z0-9-_.:])" }),
)

const common = {
  target: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(1024)).annotations({
    description: "IP address or host name (for dns: the query)",
  }),
  queues: Schema.optional(
    Schema.Array(QueueName).pipe(Schema.minItems(1), Schema.maxItems(64)).annotations({
      description: "Target queues; default: the broadcast queue netwark.broadcast",
    }),
  ),
  timeout: Schema.optional(
    Schema.Number.pipe(
      Schema.finite(),
      // without a message the description stood in for one: "Expected How long to wait…, actual 0"
      Schema.between(1, 3600, { message: () => "must be from 1 to 3600 seconds" }),
    ).annotations({
      description:
        "How long to wait for every worker after dispatch (seconds); default from the options",
    }),
  ),
}

/** `POST /operations`. */
export const CreateOperation = Schema.Union(
  Schema.Struct({ type: Schema.Literal("ping"), ...common, options: Schema.optional(PingOptions) }),
  Schema.Struct({ type: Schema.Literal("mtr"), ...common, options: Schema.optional(MtrOptions) }),
  Schema.Struct({
    type: Schema.Literal("traceroute"),
    ...common,
    options: Schema.optional(TracerouteOptions),
  }),
  Schema.Struct({ type: Schema.Literal("dns"), ...common, options: Schema.optional(DnsOptions) }),
).annotations({ identifier: "CreateOperation" })
/** `POST /operations`. */
export type CreateOperation = typeof CreateOperation.Type

/** An operation id (a UUID). */
export const OperationId = Schema.UUID.annotations({ description: "Operation id (UUID)" })

const IsoDate = Schema.String.annotations({ format: "date-time" })

/**
 * A query date: ISO 8601 within years 1-9999. JavaScript reads more (year 99999, year -5000)
 * than PostgreSQL's timestamps take, and such a date failed the query (a 503).
 */
const QueryDate = (description: string) =>
  Schema.Date.pipe(
    Schema.filter(
      (d) => {
        const year = d.getUTCFullYear()
        return year >= 1 && year <= 9999
      },
      { message: () => "must be a date-time from year 1 to 9999 (ISO 8601)" },
    ),
  ).annotations({ description })

/** Text without control characters: PostgreSQL refuses NUL in text (the query failed, a 503). */
const NoControl = /^[^\u0000-\u001f\u007f]*$/

/** `GET /operations` query. */
export const ListQuery = Schema.Struct({
  status: Schema.optional(OperationStatus),
  type: Schema.optional(OperationType),
  target: Schema.optional(
    Schema.String.pipe(
      Schema.maxLength(1024),
      Schema.pattern(NoControl, { message: () => "must not contain control characters" }),
    ),
  ),
  queue: Schema.optional(QueueName),
  since: Schema.optional(QueryDate("Created at or after (ISO 8601)")),
  until: Schema.optional(QueryDate("Created before (ISO 8601)")),
  limit: Schema.optional(Schema.NumberFromString.pipe(Schema.int(), Schema.between(1, 500))),
  cursor: Schema.optional(Schema.String.pipe(Schema.maxLength(200))),
})
/** `GET /operations` query. */
export type ListQuery = typeof ListQuery.Type

/** An operation as the API shows it. */
export const Operation = Schema.Struct({
  id: Schema.String,
  type: OperationType,
  target: Schema.String,
  options: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
  queues: Schema.Array(Schema.String),
  status: OperationStatus,
  expected: Schema.NullOr(Schema.Int).annotations({
    description: "Results expected, fixed at dispatch (null while pending)",
  }),
  received: Schema.Int,
  createdAt: IsoDate,
  dispatchedAt: Schema.NullOr(IsoDate),
  deadline: Schema.NullOr(IsoDate),
  finishedAt: Schema.NullOr(IsoDate),
  error: Schema.NullOr(Schema.String),
}).annotations({ identifier: "Operation" })
/** An operation as the API shows it. */
export type Operation = typeof Operation.Type

/** One worker's result. */
export const WorkerResult = Schema.Struct({
  jobId: Schema.String,
  workerId: Schema.String,
  hostname: Schema.NullOr(Schema.String),
  queue: Schema.String,
  location: Schema.NullOr(Schema.String),
  status: Schema.Literal("ok", "error", "expired"),
  attempt: Schema.Int,
  startedAt: IsoDate,
  finishedAt: IsoDate,
  receivedAt: IsoDate,
  durationMs: Schema.Number,
  result: Schema.Unknown.annotations({ description: "The tool's parsed result" }),
  raw: Schema.NullOr(Schema.String).annotations({ description: "The tool's raw output" }),
  error: Schema.NullOr(Schema.String),
  errorReason: Schema.optional(Schema.String).annotations({
    description:
      "Why the job failed, as the worker's error reason (e.g. InvalidTarget, InvalidInput, PolicyDenied, Timeout, NotInstalled); absent when the worker sent none",
  }),
  errorField: Schema.optional(Schema.String).annotations({
    description: "The job input field the failure names (e.g. target, count); absent when none",
  }),
}).annotations({ identifier: "WorkerResult" })
/** One worker's result. */
export type WorkerResult = typeof WorkerResult.Type

/** A worker the operation expected an answer from (fixed at dispatch). */
export const ExpectedWorker = Schema.Struct({
  jobId: Schema.String,
  queue: Schema.String,
  workerId: Schema.NullOr(Schema.String),
  hostname: Schema.NullOr(Schema.String),
}).annotations({ identifier: "ExpectedWorker" })

/** `GET /operations/{id}`. */
export const OperationDetail = Schema.Struct({
  ...Operation.fields,
  expectedWorkers: Schema.Array(ExpectedWorker),
  results: Schema.Array(WorkerResult),
}).annotations({ identifier: "OperationDetail" })
/** `GET /operations/{id}`. */
export type OperationDetail = typeof OperationDetail.Type

/** `GET /operations`. */
export const OperationPage = Schema.Struct({
  items: Schema.Array(Operation),
  total: Schema.Int.annotations({
    description:
      "Operations matching the filters: counted exactly up to 10,000; past that (totalExact false) a lower bound, at least 10,000 and at least the rows up to this page's last",
  }),
  totalExact: Schema.Boolean.annotations({
    description: "Whether total is the exact count (true up to 10,000 matches)",
  }),
  offset: Schema.Int.annotations({
    description:
      "How many of those come before this page, counted when it was read (rows deleted above a page lower it): the first item is number offset + 1 of total. On an empty page after a cursor (its rows were deleted, or the cursor is past the end), the rows above it",
  }),
  nextCursor: Schema.NullOr(Schema.String).annotations({
    description:
      "The cursor of the next (older) page, same filters and order; null on the last page",
  }),
  previousCursor: Schema.NullOr(Schema.String).annotations({
    description:
      "The cursor of the page just before this one (newer rows, listed newest first like any page), same filters; null on the first page (and on an empty page). Asked for when fewer than a page of rows are left before, it lists the first page",
  }),
}).annotations({ identifier: "OperationPage" })
/** `GET /operations`. */
export type OperationPage = typeof OperationPage.Type
