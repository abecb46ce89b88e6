import { randomUUID } from "node:crypto"
import { Inject, Injectable } from "@nestjs/common"
import type { ToolError } from "@netwark/tools"
import { Queues } from "@netwark/transport"
import { Jobs } from "@netwark/worker"
import { Chunk, Duration, Effect, Either, Exit, Scope, Stream } from "effect"
import type { ServerConfig } from "../config.js"
import { Problem } from "../core/problem.js"
import { EffectRuntime } from "../core/runtime.js"
import type { SseMessage } from "../core/sse.js"
import { SERVER_CONFIG } from "../core/tokens.js"
import { Metrics } from "../health/metrics.js"
import type { AppServices } from "../server.layer.js"
import { Events, type OperationEvent } from "./events.js"
import type {
  CreateOperation,
  ListQuery,
  Operation,
  OperationDetail,
  OperationPage,
  OperationStatus,
  WorkerResult,
} from "./operations.dto.js"
import * as Repository from "./operations.repository.js"
import { toPayload } from "./payload.js"
import { Writer } from "./writer.js"

/** Margin over the tool's own deadline for queueing and the trip back. */
const dispatchMargin = 10_000

const finalStatuses: ReadonlySet<OperationStatus> = new Set(["done", "partial", "error", "timeout"])

/** A `ToolError` about a job payload, as a 400 naming the API field. */
const toFieldProblem = (error: ToolError.ToolError, type: CreateOperation["type"]): Problem => {
  const raw = error.field
  const field =
    raw === undefined || raw === "payload"
      ? "body"
      : raw === "target" || raw === "query"
        ? "target"
        : // dig's record type is an option (a bad one was reported on the operation's own type)
          raw === "type" && type !== "dns"
          ? "type"
          : raw.startsWith("options")
            ? raw
            : `options.${raw}`
  const status = error.reason === "PolicyDenied" ? 403 : 400
  return new Problem(status, error.reason, error.message, field, [
    { field, message: error.message },
  ])
}

/** Operations: create (validate, store with its outbox entry), list, show, and live events. */
@Injectable()
export class OperationsService {
  private readonly known: ReadonlySet<string>

  constructor(
    @Inject(EffectRuntime) private readonly runtime: EffectRuntime<AppServices>,
    @Inject(SERVER_CONFIG) config: ServerConfig,
  ) {
    this.known = new Set(Queues.targets(config.queues).map((t) => t.name))
  }

  /** Validate and store a new operation; the dispatcher publishes it. */
  async create(body: CreateOperation): Promise<Operation> {
    const queues = [...new Set(body.queues ?? [Queues.broadcast])]
    for (const [i, queue] of queues.entries())
      if (!this.known.has(queue))
        throw new Problem(400, "UnknownQueue", `unknown queue ${queue}`, `queues.${i}`, [
          { field: `queues.${i}`, message: `unknown queue ${queue}` },
        ])
    const options: Record<string, unknown> = { ...(body.options ?? {}) }
    // the worker's own check, run here so that a bad job is a 400 rather than a failed result
    const prepared = Jobs.prepare(body.type, toPayload(body.type, body.target, options))
    if (Either.isLeft(prepared)) throw toFieldProblem(prepared.left, body.type)
    const timeoutMs =
      body.timeout !== undefined
        ? Math.round(body.timeout * 1000)
        : Duration.toMillis(prepared.right.timeout) + dispatchMargin
    const operation = await this.runtime.run(
      Effect.gen(function* () {
        const writer = yield* Writer
        const op = yield* writer.insert({
          id: randomUUID(),
          type: body.type,
          target: body.target,
          options,
          queues,
          timeoutMs,
        })
        const metrics = yield* Metrics
        metrics.operationsCreated++
        return op
      }),
    )
    return operation
  }

  /** A page of operations. */
  async list(query: ListQuery): Promise<OperationPage> {
    let from: Repository.PageKey | undefined
    if (query.cursor !== undefined) {
      from = Repository.decodeCursor(query.cursor)
      if (from === undefined)
        throw Problem.invalid("cursor", "cursor is not one this server gave out")
    }
    return this.runtime.run(Repository.list(query, from))
  }

  /** One operation with its results; 404 when unknown. */
  async get(id: string): Promise<OperationDetail> {
    const detail = await this.runtime.run(Repository.get(id))
    if (detail === undefined) throw Problem.notFound(`operation ${id} does not exist`)
    return detail
  }

  /**
   * Live events of an operation: a `snapshot` first, then the progress this process buffered
   * (after `lastEventId` when it is one of ours), then `progress`, `result` and `status` as they
   * happen, ending after the final status. Progress events carry ids that increase per operation;
   * events of this replica arrive at once; the database is polled as well, for results another
   * replica stored.
   */
  async events(
    id: string,
    options: {
      readonly lastEventId?: string | undefined
      readonly pollEvery?: Duration.DurationInput
    } = {},
  ): Promise<Stream.Stream<SseMessage, never, AppServices>> {
    const pollEvery = options.pollEvery ?? "1 second"
    // the subscription comes before the snapshot (nothing falls in between), and both before
    // the answer, so that an unknown id is a 404: one statement where an existence check and
    // then the snapshot were two
    const opened = await this.runtime.run(
      Effect.gen(function* () {
        const scope = yield* Scope.make()
        const queue = yield* Scope.extend(
          Effect.flatMap(Events, (e) => e.subscribe),
          scope,
        )
        const snapshot = yield* Effect.onError(Repository.get(id), () =>
          Scope.close(scope, Exit.void),
        )
        if (snapshot === undefined) yield* Scope.close(scope, Exit.void)
        return { scope, queue, snapshot }
      }),
    )
    const { scope, queue, snapshot } = opened
    if (snapshot === undefined) throw Problem.notFound(`operation ${id} does not exist`)
    const release = Scope.close(scope, Exit.void)
    // a subscription nobody reads would keep every event published: released if the stream
    // never starts (the client left before Nest subscribed), else when it ends
    const unclaimed = setTimeout(() => void this.runtime.run(release), 30_000).unref()
    const stream = Stream.unwrap(
      Effect.gen(function* () {
        clearTimeout(unclaimed)
        const events = yield* Events
        // after the subscription, so that live events overlap the replay rather than miss it
        const replay = yield* events.replay(id, options.lastEventId)
        // the last progress position sent: live progress at or before it is a duplicate
        let high = replay.cursor ?? 0
        // every message carries an id (else the SSE layer numbers them per connection): progress
        // its own, the others the position of the last progress sent, so that a reconnect with
        // any of them gets exactly the progress that came after
        const position = () => `${events.epoch}-${high}`
        const progressMessage = (e: OperationEvent & { kind: "progress" }): SseMessage => {
          const { eventId, n, ...data } = e
          if (n !== undefined) high = Math.max(high, n)
          return { type: "progress", id: eventId ?? position(), data }
        }
        const first: Stream.Stream<SseMessage> = Stream.suspend(() => {
          const messages: Array<SseMessage> = [
            { type: "snapshot", id: position(), data: snapshot },
            ...replay.events.flatMap((e) => (e.kind === "progress" ? [progressMessage(e)] : [])),
          ]
          // an operation that has ended: nothing more comes
          if (finalStatuses.has(snapshot.status)) messages.push({ ...messages.pop()!, last: true })
          return Stream.fromIterable(messages)
        })
        if (finalStatuses.has(snapshot.status)) return first
        const seen = new Set(snapshot.results.map((r) => `${r.jobId}\u0000${r.workerId}`))
        let status = snapshot.status
        const live = Stream.fromQueue(queue).pipe(Stream.filter((e) => e.operationId === id))
        // the database is asked for the status and the result count only; the results themselves
        // are read when the count says another replica stored some this stream has not seen
        const poll = Effect.gen(function* () {
          const state = yield* Repository.stateOf(id)
          if (state === undefined) return []
          const results = state.received > seen.size ? yield* Repository.resultsOf(id) : []
          return [
            ...results.map((result) => ({ kind: "result" as const, operationId: id, result })),
            {
              kind: "status" as const,
              operationId: id,
              status: state.status,
              received: state.received,
            },
          ]
        })
        const polled = Stream.repeatEffect(
          // a failed poll (database briefly down) is skipped, not the end of the stream
          Effect.delay(
            Effect.orElseSucceed(poll, (): ReadonlyArray<OperationEvent> => []),
            Duration.decode(pollEvery),
          ),
        ).pipe(Stream.flattenIterables)
        const toMessages = (e: OperationEvent): ReadonlyArray<SseMessage> => {
          switch (e.kind) {
            case "progress":
              return e.n !== undefined && e.n <= high ? [] : [progressMessage(e)]
            case "result": {
              const key = `${e.result.jobId}\u0000${e.result.workerId}`
              if (seen.has(key)) return []
              seen.add(key)
              return [{ type: "result", id: position(), data: e.result satisfies WorkerResult }]
            }
            case "status":
              if (e.status === status) return []
              status = e.status
              return [
                finalStatuses.has(e.status)
                  ? { type: "status", id: position(), data: { id, status: e.status }, last: true }
                  : { type: "status", id: position(), data: { id, status: e.status } },
              ]
          }
        }
        // before the final status, results another replica stored and no poll has shown yet
        const withCatchUp = (e: OperationEvent) =>
          e.kind === "status" &&
          finalStatuses.has(e.status) &&
          e.status !== status &&
          (e.received === undefined || e.received > seen.size)
            ? Effect.map(
                Effect.orElseSucceed(Repository.resultsOf(id), () => []),
                (results) => [
                  ...results.flatMap((result) =>
                    toMessages({ kind: "result", operationId: id, result }),
                  ),
                  ...toMessages(e),
                ],
              )
            : Effect.succeed(toMessages(e))
        // a chunk at a time (a broadcast's results arrive together), each element judged in
        // order, after the ones before it (a final status follows the results of its chunk)
        const rest = Stream.merge(live, polled).pipe(
          Stream.mapChunksEffect((chunk) =>
            Effect.map(Effect.forEach(chunk, withCatchUp), (ms) => Chunk.fromIterable(ms.flat())),
          ),
          // each message by its own status: `status` already holds the last of the chunk, so a
          // "running" taken with the final status in one chunk would end the stream before it
          Stream.takeUntil((m) => m.last === true),
        )
        return Stream.concat(first, rest)
      }),
    ).pipe(Stream.ensuring(release))
    return stream
  }
}
