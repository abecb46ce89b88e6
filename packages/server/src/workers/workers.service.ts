import { Inject, Injectable } from "@nestjs/common"
import { Queues, Registry } from "@netwark/transport"
import { Effect } from "effect"
import type { ServerConfig } from "../config.js"
import { EffectRuntime } from "../core/runtime.js"
import { SERVER_CONFIG } from "../core/tokens.js"
import type { AppServices } from "../server.layer.js"
import { announcedJobTypes, receives } from "./serving.js"
import type { QueueList, WorkerList } from "./workers.dto.js"

/** Workers online and recently offline (from the presence registry) and the queues they serve. */
@Injectable()
export class WorkersService {
  constructor(
    @Inject(EffectRuntime) private readonly runtime: EffectRuntime<AppServices>,
    @Inject(SERVER_CONFIG) private readonly config: ServerConfig,
  ) {}

  private online() {
    return this.runtime.run(Effect.flatMap(Registry.Registry, (r) => r.online))
  }

  async workers(): Promise<WorkerList> {
    const known = await this.runtime.run(Effect.flatMap(Registry.Registry, (r) => r.known))
    // Online first, then the most recently seen: what an operator looks at first.
    const sorted = [...known].sort(
      (a, b) =>
        Number(b.status === "online") - Number(a.status === "online") ||
        (a.status === "online" ? 0 : b.lastSeen - a.lastSeen) ||
        (a.worker.id < b.worker.id ? -1 : 1),
    )
    return {
      items: sorted.map(({ worker: w, status, lastSeen }) => ({
        id: w.id,
        hostname: w.hostname,
        version: w.version,
        queues: w.queues,
        locations: w.locations,
        capabilities: w.capabilities,
        jobTypes: announcedJobTypes(w) ?? null,
        concurrency: w.concurrency ?? null,
        status,
        lastSeen: new Date(lastSeen).toISOString(),
      })),
      total: known.length,
      online: known.filter((k) => k.status === "online").length,
    }
  }

  async queues(): Promise<QueueList> {
    const online = await this.online()
    return {
      items: Queues.targets(this.config.queues).map((t) => ({
        queue: t.name,
        name: t.config?.name ?? (t.name === Queues.direct ? "Any one worker" : "Every worker"),
        location: t.config?.location || null,
        broadcast: t.mode === "each",
        builtin: t.config === undefined,
        latitude: t.config?.latitude ?? null,
        longitude: t.config?.longitude ?? null,
        workers: online
          // a worker whose own broadcast flag for the queue differs gets none of its jobs
          .filter((w) => receives(w, t.name, t.mode))
          .map((w) => ({ id: w.id, hostname: w.hostname })),
      })),
    }
  }
}
