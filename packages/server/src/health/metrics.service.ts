import { Inject, Injectable } from "@nestjs/common"
import { Registry } from "@netwark/transport"
import { Effect } from "effect"
import { EffectRuntime } from "../core/runtime.js"
import { activeStatuses, OperationType } from "../operations/operations.dto.js"
import * as Repository from "../operations/operations.repository.js"
import type { AppServices } from "../server.layer.js"
import { Metrics } from "./metrics.js"

const escape = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")

const labels = (l: Record<string, string>) => {
  const parts = Object.entries(l).map(([k, v]) => `${k}="${escape(v)}"`)
  return parts.length === 0 ? "" : `{${parts.join(",")}}`
}

/** Renders the Prometheus text exposition format. */
@Injectable()
export class MetricsService {
  constructor(@Inject(EffectRuntime) private readonly runtime: EffectRuntime<AppServices>) {}

  async render(): Promise<string> {
    const { counters, online, counts } = await this.runtime.run(
      Effect.all({
        counters: Metrics,
        online: Effect.flatMap(Registry.Registry, (r) => r.online),
        // the database part is optional: metrics stay readable while PostgreSQL is down
        counts: Effect.option(Repository.counts()),
      }),
    )
    const out: Array<string> = []
    const metric = (
      name: string,
      type: "counter" | "gauge",
      help: string,
      samples: ReadonlyArray<readonly [Record<string, string>, number]>,
    ) => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`)
      for (const [l, v] of samples) out.push(`${name}${labels(l)} ${v}`)
    }
    metric("netwark_operations_created_total", "counter", "Operations accepted by this replica.", [
      [{}, counters.operationsCreated],
    ])
    metric(
      "netwark_operations_dispatched_total",
      "counter",
      "Operations published to the transport by this replica.",
      [[{}, counters.operationsDispatched]],
    )
    metric(
      "netwark_dispatch_failures_total",
      "counter",
      "Publishes that failed and were left in the outbox for a retry.",
      [[{}, counters.dispatchFailures]],
    )
    metric("netwark_results_stored_total", "counter", "Worker results stored by this replica.", [
      [{}, counters.resultsStored],
    ])
    metric(
      "netwark_results_duplicate_total",
      "counter",
      "Redelivered results ignored by this replica.",
      [[{}, counters.resultsDuplicate]],
    )
    metric(
      "netwark_progress_events_total",
      "counter",
      "Progress messages relayed by this replica.",
      [[{}, counters.progressEvents]],
    )
    metric(
      "netwark_operations_expired_total",
      "counter",
      "Ended operations deleted by this replica after NETWARK_OPERATION_RETENTION.",
      [[{}, counters.operationsExpired]],
    )
    metric(
      "netwark_operations_settled_total",
      "counter",
      "Operations ended by this replica, by final status.",
      Object.entries(counters.operationsSettled).map(([status, n]) => [{ status }, n] as const),
    )
    metric(
      "netwark_http_responses_total",
      "counter",
      "HTTP responses of this replica, by status code.",
      Object.entries(counters.httpRequests).map(([code, n]) => [{ code }, n] as const),
    )
    metric("netwark_workers_online", "gauge", "Workers online (by presence heartbeat).", [
      [{}, online.length],
    ])
    if (counts._tag === "Some") {
      const active = new Map(counts.value.active.map((r) => [`${r.status} ${r.type}`, r.n]))
      metric(
        "netwark_operations_active",
        "gauge",
        "Operations pending or running, by status and type (ended ones: netwark_operations_settled_total).",
        // every type in both states, 0 where none: a series that comes and goes breaks rates
        // and alerts
        activeStatuses.flatMap((status) =>
          OperationType.literals.map(
            (type) => [{ status, type }, active.get(`${status} ${type}`) ?? 0] as const,
          ),
        ),
      )
      if (counts.value.stored !== undefined)
        metric(
          "netwark_operations_stored",
          "gauge",
          "Operations stored in the database: PostgreSQL's estimate, as of the table's last vacuum or analyze.",
          [[{}, counts.value.stored]],
        )
      metric("netwark_outbox_pending", "gauge", "Operations accepted but not yet published.", [
        [{}, counts.value.outboxPending],
      ])
    }
    metric("netwark_database_up", "gauge", "1 when the last metrics query reached the database.", [
      [{}, counts._tag === "Some" ? 1 : 0],
    ])
    const memory = process.memoryUsage()
    metric("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", [
      [{}, memory.rss],
    ])
    metric("nodejs_heap_used_bytes", "gauge", "V8 heap used in bytes.", [[{}, memory.heapUsed]])
    metric("process_uptime_seconds", "gauge", "Seconds since the process started.", [
      [{}, Math.round(process.uptime())],
    ])
    return out.join("\n") + "\n"
  }
}
