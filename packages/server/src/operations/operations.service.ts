import { randomUUID } from "node:crypto"
import { Inject, Injectable } from "@nestjs/common"
import type { ToolError } from "@netwark/tools"
import { Queues } from "@netwark/transport"
import { Jobs } from "@netwark/worker"
import { Duration, Either } from "effect"
import type { ServerConfig } from "../config.js"
import { Problem } from "../core/problem.js"
import { EffectRuntime } from "../core/runtime.js"
import { SERVER_CONFIG } from "../core/tokens.js"
import { Metrics } from "../health/metrics.js"
import type { AppServices } from "../server.layer.js"
import { Events } from "./events.js"
import * as Live from "./live.js"
import type {
  CreateOperation,
  ListQuery,
  Operation,
  OperationDetail,
  OperationPage,
} from "./operations.dto.js"
import * as Repository from "./operations.repository.js"
import { toPayload } from "./payload.js"
import { Writer } from "./writer.js"

/** Margin over the tool's own deadline for queueing and the trip back. */
const dispatchMargin = 10_000

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
  private services:
    | {
        readonly hub: Events["Type"]
        readonly writer: Writer["Type"]
        readonly metrics: Metrics["Type"]
      }
    | undefined

  constructor(
    @Inject(EffectRuntime) private readonly runtime: EffectRuntime<AppServices>,
    @Inject(SERVER_CONFIG) config: ServerConfig,
  ) {
    this.known = new Set(Queues.targets(config.queues).map((t) => t.name))
  }

  /**
   * The runtime's services this one uses, read at the first request rather than when Nest builds
   * it (the OpenAPI script builds the app on an empty runtime).
   */
  private get use() {
    return (this.services ??= {
      hub: this.runtime.service(Events),
      writer: this.runtime.service(Writer),
      metrics: this.runtime.service(Metrics),
    })
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
    const { writer, metrics } = this.use
    const operation = await writer.submit({
      id: randomUUID(),
      type: body.type,
      target: body.target,
      options,
      queues,
      timeoutMs,
    })
    metrics.operationsCreated++
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
   * The live feed of an operation's event stream (see `live.ts`), opened before the stream is:
   * an unknown id is a 404.
   */
  async events(
    id: string,
    options: { readonly lastEventId?: string | undefined } = {},
  ): Promise<Live.Feed> {
    const feed = await Live.open(this.use.hub, (effect) => this.runtime.run(effect), id, {
      lastEventId: options.lastEventId,
      // results another replica stored
      pollMillis: 1_000,
    })
    if (feed === undefined) throw Problem.notFound(`operation ${id} does not exist`)
    return feed
  }
}
