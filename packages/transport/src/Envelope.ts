/**
 * The messages that travel between dispatchers and workers: jobs, progress, results, presence.
 *
 * Every message is UTF-8 JSON with a version field `v` (currently `1`) and a `kind`. Decoding is
 * size-capped (the cap is checked before any parsing) and total: it returns a `Decode` or
 * `TooLarge` {@link TransportError.TransportError} for anything else, never throws.
 *
 * Identity: a job is `(operationId, jobId)`; a result is `(operationId, jobId, workerId, attempt)`.
 * A redelivered job produces a second result with a higher `attempt` (or the same attempt on
 * another worker), so collectors dedupe with {@link resultKey}: on a `one` (competing consumers)
 * target the key is `(operationId, jobId)`, on an `each` (broadcast) target it is
 * `(operationId, jobId, workerId)`.
 *
 * @module
 */
import { Buffer, isUtf8 } from "node:buffer"
import { Either, ParseResult, Schema } from "effect"
import * as TransportError from "./TransportError.js"

/** The envelope version this library writes and reads. */
export const version = 1 as const

/** Default cap on an encoded message, in bytes (1 MiB). */
export const defaultMaxBytes = 1024 * 1024

const Id = Schema.String.pipe(Schema.minLength(1), Schema.maxLength(256))
/**
 * Epoch milliseconds from 1970 to the end of 9999: what a Date shows as an ISO string and a
 * database stores as a timestamp. A worker's bad clock or a foreign message beyond it (1e300, a
 * year 300,000) was refused by the store of the whole batch its result came in, at every
 * redelivery; now that result alone is refused here.
 */
const maxEpoch = 253_402_300_799_999
const Epoch = Schema.Number.pipe(Schema.finite(), Schema.between(0, maxEpoch))
/** Attempts and sequence numbers fit a 32-bit integer (a database `integer` column). */
const maxCount = 2_147_483_647

/**
 * How deep a job's payload and a reply's data may nest: far past any tool's result. JSON.parse
 * reads 200,000 levels, but JSON.stringify overflows the stack at ~4,000, and a result that a
 * collector could not encode failed the store of its whole batch at every redelivery.
 */
const maxDepth = 64
const nestsWithin = (value: unknown, depth = 0): boolean => {
  if (typeof value !== "object" || value === null) return true
  if (depth >= maxDepth) return false
  for (const inner of Object.values(value)) if (!nestsWithin(inner, depth + 1)) return false
  return true
}
/** JSON data of a job or a reply, nested at most {@link maxDepth} levels. */
const Data = Schema.Unknown.pipe(
  Schema.filter((value) => nestsWithin(value) || `nests deeper than ${maxDepth} levels`),
)

/** How many workers of a target run a job: `one` (competing consumers) or `each` (broadcast). */
export const Mode = Schema.Literal("one", "each")
/** How many workers of a target run a job. */
export type Mode = typeof Mode.Type

/** A job: one operation sent to one target queue. */
export const Job = Schema.Struct({
  v: Schema.Literal(version),
  kind: Schema.Literal("job"),
  operationId: Id,
  jobId: Id,
  /** The job type (e.g. `ping`); workers dead-letter types they do not serve. */
  type: Id,
  payload: Data,
  /** The public target name (`netwark`, `netwark.broadcast` or a configured queue). */
  target: Id,
  mode: Mode,
  /** Epoch milliseconds after which a worker reports the job expired instead of running it. */
  deadline: Epoch,
  createdAt: Epoch,
})
/** A job: one operation sent to one target queue. */
export type Job = typeof Job.Type

/** What a worker's handler returned: its data, or why it failed, or that the job expired. */
export const Status = Schema.Literal("ok", "error", "expired")
/** What became of a job on one worker. */
export type Status = typeof Status.Type

const ReplyFields = {
  v: Schema.Literal(version),
  operationId: Id,
  jobId: Id,
  workerId: Id,
  /** 1 for a first delivery; higher when the broker redelivered the job. */
  attempt: Schema.Int.pipe(Schema.between(1, maxCount)),
  target: Id,
  mode: Mode,
}

/**
 * Why a job failed. `reason` and `field` came with envelope v1 later (optional, so messages with
 * or without them decode either way): the failure's own reason (e.g. a `ToolError`'s `Timeout`)
 * and the input field it names, when it had them.
 */
export const ResultError = Schema.Struct({
  message: Schema.String,
  reason: Schema.optional(Schema.String.pipe(Schema.maxLength(128))),
  field: Schema.optional(Schema.String.pipe(Schema.maxLength(256))),
})
/** Why a job failed. */
export type ResultError = typeof ResultError.Type

/** A handler's failure as a {@link ResultError}: its message, and its string `reason`/`field` if any. */
export const resultError = (failure: unknown): ResultError => {
  if (typeof failure !== "object" || failure === null) return { message: String(failure) }
  const record = failure as { readonly message?: unknown; reason?: unknown; field?: unknown }
  const message =
    failure instanceof Error || "message" in record ? String(record.message) : String(failure)
  const { reason, field } = record
  return {
    message,
    ...(typeof reason === "string" && reason.length <= 128 ? { reason } : {}),
    ...(typeof field === "string" && field.length <= 256 ? { field } : {}),
  }
}

/** The final word of one worker on one job. */
export const Result = Schema.Struct({
  ...ReplyFields,
  kind: Schema.Literal("result"),
  status: Status,
  startedAt: Epoch,
  finishedAt: Epoch,
  data: Schema.optional(Data),
  error: Schema.optional(ResultError),
})
/** The final word of one worker on one job. */
export type Result = typeof Result.Type

/** An intermediate update of a running job (e.g. one ping reply). */
export const Progress = Schema.Struct({
  ...ReplyFields,
  kind: Schema.Literal("progress"),
  seq: Schema.Int.pipe(Schema.between(0, maxCount)),
  at: Epoch,
  data: Data,
})
/** An intermediate update of a running job. */
export type Progress = typeof Progress.Type

/** What travels back to the dispatcher on the results queue. */
export const Reply = Schema.Union(Result, Progress)
/** What travels back to the dispatcher on the results queue. */
export type Reply = typeof Reply.Type

/** Who a worker is and what it serves, as announced in presence messages. */
export const WorkerInfo = Schema.Struct({
  /** Stable and unique, also with several workers on one host; queue-name characters only. */
  id: Schema.String.pipe(Schema.pattern(/^[a-zA-Z0-9\-_.:]{1,128}$/)),
  hostname: Schema.String,
  version: Schema.String,
  /** Public target names the worker consumes. */
  queues: Schema.Array(Schema.String),
  locations: Schema.Array(Schema.String),
  capabilities: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
  concurrency: Schema.optional(Schema.Int),
})
/** Who a worker is and what it serves. */
export type WorkerInfo = typeof WorkerInfo.Type

/** A worker's presence: `hello` at start, `heartbeat` periodically, `goodbye` on shutdown. */
export const Presence = Schema.Struct({
  v: Schema.Literal(version),
  kind: Schema.Literal("presence"),
  event: Schema.Literal("hello", "heartbeat", "goodbye"),
  at: Epoch,
  /** How long after `at` the worker counts as online without another heartbeat. */
  ttlMs: Schema.Number.pipe(Schema.positive()),
  worker: WorkerInfo,
})
/** A worker's presence message. */
export type Presence = typeof Presence.Type

/** Why a message went to the dead-letter queue. */
export type DeadReason = "TooLarge" | "Malformed" | "UnknownType" | "UnknownVersion"

/** A rejected message as read back from the dead-letter queue. */
export interface DeadLetter {
  /** The public queue name the message was rejected from. */
  readonly queue: string
  readonly reason: DeadReason | "Broker"
  readonly detail: string
  readonly body: Uint8Array
}

const encoder = new TextEncoder()

/** Encode a message as UTF-8 JSON. */
export const encode = (message: Job | Reply | Presence): Uint8Array =>
  encoder.encode(JSON.stringify(message))

/** Why {@link decode} refused a message, with the dead-letter reason it maps to. */
export interface DecodeFailure {
  readonly reason: DeadReason
  readonly error: TransportError.TransportError
}

const text = (bytes: Uint8Array): string | undefined =>
  // isUtf8 + toString is several times faster than a fatal TextDecoder on small messages
  isUtf8(bytes)
    ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8")
    : undefined

// Hand-written checks for the common, well-formed job and reply: Schema decoding was a tenth of
// the CPU of a 100-worker fan-out. They accept only what the schema accepts and build the same
// output (known keys only); anything else (an `error`, a missing key, a wrong type) goes to the
// schema, which also writes the error message.
const isId = (x: unknown): x is string => typeof x === "string" && x.length >= 1 && x.length <= 256
const isEpoch = (x: unknown): x is number =>
  typeof x === "number" && Number.isFinite(x) && x >= 0 && x <= maxEpoch
const isMode = (x: unknown): x is Mode => x === "one" || x === "each"
const isCount = (x: unknown, min: number): x is number =>
  typeof x === "number" && Number.isInteger(x) && x >= min && x <= maxCount

type Loose = { readonly [key: string]: unknown }

const fastJob = (o: Loose): Job | undefined =>
  o["v"] === version &&
  o["kind"] === "job" &&
  isId(o["operationId"]) &&
  isId(o["jobId"]) &&
  isId(o["type"]) &&
  "payload" in o &&
  nestsWithin(o["payload"]) &&
  isId(o["target"]) &&
  isMode(o["mode"]) &&
  isEpoch(o["deadline"]) &&
  isEpoch(o["createdAt"])
    ? {
        v: version,
        kind: "job",
        operationId: o["operationId"],
        jobId: o["jobId"],
        type: o["type"],
        payload: o["payload"],
        target: o["target"],
        mode: o["mode"],
        deadline: o["deadline"],
        createdAt: o["createdAt"],
      }
    : undefined

const fastReply = (o: Loose): Reply | undefined => {
  if (!(
    o["v"] === version &&
    isId(o["operationId"]) &&
    isId(o["jobId"]) &&
    isId(o["workerId"]) &&
    isCount(o["attempt"], 1) &&
    isId(o["target"]) &&
    isMode(o["mode"])
  ))
    return undefined
  const base = {
    v: version,
    operationId: o["operationId"],
    jobId: o["jobId"],
    workerId: o["workerId"],
    attempt: o["attempt"],
    target: o["target"],
    mode: o["mode"],
  }
  const status = o["status"]
  if (
    o["kind"] === "result" &&
    (status === "ok" || status === "error" || status === "expired") &&
    isEpoch(o["startedAt"]) &&
    isEpoch(o["finishedAt"]) &&
    !("error" in o) &&
    (!("data" in o) || nestsWithin(o["data"]))
  )
    return {
      ...base,
      kind: "result",
      status,
      startedAt: o["startedAt"],
      finishedAt: o["finishedAt"],
      ...("data" in o ? { data: o["data"] } : {}),
    }
  if (
    o["kind"] === "progress" &&
    isCount(o["seq"], 0) &&
    isEpoch(o["at"]) &&
    "data" in o &&
    nestsWithin(o["data"])
  )
    return { ...base, kind: "progress", seq: o["seq"], at: o["at"], data: o["data"] }
  return undefined
}

const fastResult = (o: Loose): Result | undefined => {
  const reply = fastReply(o)
  return reply?.kind === "result" ? reply : undefined
}

/** Size cap, UTF-8 and JSON: the steps every message takes before its shape is checked. */
const parse = (
  bytes: Uint8Array,
  maxBytes: number,
  kind: string,
): Either.Either<unknown, DecodeFailure> => {
  if (bytes.byteLength > maxBytes) {
    const message = `${kind} of ${bytes.byteLength} bytes exceeds the ${maxBytes}-byte cap`
    return Either.left({ reason: "TooLarge", error: TransportError.make("TooLarge", message) })
  }
  let value: unknown
  try {
    const decoded = text(bytes)
    if (decoded === undefined) throw new Error("invalid UTF-8")
    value = JSON.parse(decoded)
  } catch (cause) {
    const error = TransportError.make("Decode", `${kind} is not UTF-8 JSON`, cause)
    return Either.left({ reason: "Malformed", error })
  }
  return Either.right(value)
}

/** Check a parsed value against a message schema, the hand-written check first. */
const check = <A, I>(
  value: unknown,
  schema: Schema.Schema<A, I>,
  kind: string,
  fast?: (o: Loose) => A | undefined,
): Either.Either<A, DecodeFailure> => {
  if (typeof value === "object" && value !== null && "v" in value && value.v !== version) {
    // JSON.stringify, not String(): a parsed `{"toString": 1}` makes String() throw
    const message = `${kind} has envelope version ${JSON.stringify(value.v)}, expected ${version}`
    return Either.left({
      reason: "UnknownVersion",
      error: TransportError.make("Decode", message),
    })
  }
  if (fast !== undefined && typeof value === "object" && value !== null) {
    const quick = fast(value as Loose)
    if (quick !== undefined) return Either.right(quick)
  }
  // the schema's issue messages print the refused value recursively: a message nested thousands
  // of levels deep overflowed the stack there (the message itself is one level)
  if (!nestsWithin(value, -1)) {
    const message = `${kind} nests deeper than ${maxDepth} levels`
    return Either.left({ reason: "Malformed", error: TransportError.make("Decode", message) })
  }
  let decoded: Either.Either<A, ParseResult.ParseError>
  try {
    decoded = Schema.decodeUnknownEither(schema)(value)
  } catch (cause) {
    // Effect Schema reads a union's discriminator with String(), which throws on such a value
    const error = TransportError.make("Decode", `${kind} holds a value of no expected type`, cause)
    return Either.left({ reason: "Malformed", error })
  }
  return Either.mapLeft(decoded, (cause) => {
    const issues = ParseResult.ArrayFormatter.formatErrorSync(cause)
    const first = issues
      .slice(0, 3)
      .map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`)
      .join("; ")
    return {
      reason: "Malformed" as const,
      error: TransportError.make("Decode", `${kind} does not match the schema: ${first}`, cause),
    }
  })
}

const decodeWith =
  <A, I>(schema: Schema.Schema<A, I>, kind: string, fast?: (o: Loose) => A | undefined) =>
  (bytes: Uint8Array, maxBytes: number = defaultMaxBytes): Either.Either<A, DecodeFailure> => {
    const parsed = parse(bytes, maxBytes, kind)
    return Either.isLeft(parsed)
      ? Either.left(parsed.left)
      : check(parsed.right, schema, kind, fast)
  }

/** Decode a job (size-capped, total). */
export const decodeJob = decodeWith(Job, "job", fastJob)
/** Decode a result or progress message (size-capped, total). */
export const decodeReply = decodeWith(Reply, "reply", fastReply)
/** Decode a presence message (size-capped, total). */
export const decodePresence = decodeWith(Presence, "presence")

/**
 * Several results in one message, `{"v":1,"kind":"results","results":[…]}`: what a worker sends
 * when more than one of its jobs finished in the same event-loop turn (the broker's cost is per
 * message, not per byte). Collectors of earlier versions dead-letter such a message as
 * `Malformed`, so servers are upgraded before their workers.
 */
export interface Batch {
  readonly kind: "results"
  /** Each result, or why it was refused and its own JSON (to dead-letter it alone). */
  readonly results: ReadonlyArray<
    Either.Either<Result, DecodeFailure & { readonly bytes: Uint8Array }>
  >
}

const batchHead = encoder.encode(`{"v":${version},"kind":"results","results":[`)
const batchTail = encoder.encode("]}")

/** Bytes of a batch of results whose own encodings take `bytes` in all. */
export const batchBytes = (count: number, bytes: number): number =>
  batchHead.byteLength + bytes + Math.max(0, count - 1) + batchTail.byteLength

/** Join encoded results (each from {@link encode}) into one batch message. */
export const encodeBatch = (results: ReadonlyArray<Uint8Array>): Uint8Array => {
  const size = batchBytes(
    results.length,
    results.reduce((sum, r) => sum + r.byteLength, 0),
  )
  const out = new Uint8Array(size)
  out.set(batchHead, 0)
  let at = batchHead.byteLength
  for (const [i, result] of results.entries()) {
    if (i > 0) out[at++] = 0x2c // ","
    out.set(result, at)
    at += result.byteLength
  }
  out.set(batchTail, at)
  return out
}

const isBatch = (value: unknown): value is { readonly results: ReadonlyArray<unknown> } =>
  typeof value === "object" &&
  value !== null &&
  (value as Loose)["v"] === version &&
  (value as Loose)["kind"] === "results" &&
  Array.isArray((value as Loose)["results"])

/** A refused result of a batch as JSON again, for its dead letter; a JSON string saying why if it cannot be written (nested too deep). */
const itemJson = (item: unknown): string => {
  try {
    return JSON.stringify(item) ?? "null"
  } catch {
    return JSON.stringify("(a result too deeply nested to write back as JSON)")
  }
}

/**
 * Decode what arrives on the results queue: one result or progress message, or a {@link Batch}
 * of results (size-capped, total). A batch with no results is refused whole; a bad result in
 * one is refused alone.
 */
export const decodeReplies = (
  bytes: Uint8Array,
  maxBytes: number = defaultMaxBytes,
): Either.Either<Reply | Batch, DecodeFailure> =>
  Either.flatMap(
    parse(bytes, maxBytes, "reply"),
    (value): Either.Either<Reply | Batch, DecodeFailure> => {
      if (!isBatch(value)) return check(value, Reply, "reply", fastReply)
      const count = value.results.length
      if (count === 0) {
        const error = TransportError.make("Decode", "batch of results holds no result")
        return Either.left({ reason: "Malformed", error })
      }
      return Either.right({
        kind: "results",
        results: value.results.map((item, i) =>
          Either.mapLeft(
            check(item, Result, `result ${i + 1} of ${count} in a batch`, fastResult),
            (failure) => ({ ...failure, bytes: encoder.encode(itemJson(item)) }),
          ),
        ),
      })
    },
  )

/** The key under which a collector keeps one result: see the module note on identity. */
export const resultKey = (result: Result): string =>
  result.mode === "one"
    ? JSON.stringify([result.operationId, result.jobId])
    : JSON.stringify([result.operationId, result.jobId, result.workerId])
