import {
  ChangeDetectionStrategy,
  Component,
  DOCUMENT,
  computed,
  effect,
  inject,
  input,
  signal,
} from "@angular/core"
import { Title } from "@angular/platform-browser"
import { RouterLink } from "@angular/router"
import type { MtrParsed, WorkerResult } from "../../../core/models"
import { dateTime, duration } from "../../../shared/format"
import { DownloadService } from "../../../shared/download.service"
import { HopGraphComponent } from "../components/hop-graph.component"
import { WorkerCardComponent } from "../components/worker-card.component"
import { operationCsv, operationJson } from "../lib/export"
import { hopPath } from "../lib/hop-graph"
import { optionsQuery } from "../lib/operation-form"
import { withWaiting } from "../lib/waiting"
import { workerNames } from "../lib/worker-names"
import {
  type LiveOperation,
  OperationsService,
  finalStatuses,
} from "../services/operations.service"
import { OptionsListComponent } from "../components/options-list.component"
import { load } from "../../../shared/load"
import { refreshEvery } from "../../../shared/refresh"
import { WorkersService } from "../../workers/services/workers.service"

/** An operation: one card per worker, filled live as results stream in; export and permalink. */
@Component({
  selector: "nw-operation-page",
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterLink, WorkerCardComponent, HopGraphComponent, OptionsListComponent],
  template: `
    @let op = live.operation();
    @if (live.error(); as e) {
      <div class="card error-card" role="alert">
        <h1>{{ e.status === 404 ? "No such operation" : "Could not load the operation" }}</h1>
        <p>{{ e.detail }}</p>
        <a routerLink="/operations">All operations</a>
      </div>
    }
    @if (op) {
      <header class="head">
        <div>
          <h1>
            <span class="type">{{ op.type }}</span> {{ op.target }}
          </h1>
          <p class="row small muted">
            <span class="status {{ op.status }}" data-testid="operation-status">{{
              op.status
            }}</span>
            @if (live.live()) {
              <span class="chip live" aria-live="polite">● live</span>
            } @else if (live.trouble(); as t) {
              <span class="chip trouble" role="status" data-testid="reconnecting"
                >connection lost, reconnecting… ({{ t.detail }})</span
              >
            }
            <span data-testid="answered"
              >{{ answered() }}{{ op.expected ? " / " + op.expected : "" }} answered</span
            >
            <span>started {{ dateTime(op.createdAt) }}</span>
            @if (op.finishedAt) {
              <span>took {{ duration(took()) }}</span>
            }
            @for (q of op.queues; track q) {
              <span class="chip">{{ q }}</span>
            }
          </p>
          <nw-options-list [options]="op.options" />
        </div>
        <div class="row actions">
          <button type="button" (click)="copyLink()">
            {{ copied() ? "Link copied" : "Copy permalink" }}
          </button>
          <button type="button" (click)="exportJson()">Export JSON</button>
          <button type="button" (click)="exportCsv()">Export CSV</button>
          <a class="button" routerLink="/operations/new" [queryParams]="again()">Run again</a>
        </div>
      </header>
      @if (op.type === "mtr" && mtrPaths().length > 1) {
        <section class="card compare">
          <h2>Paths side by side</h2>
          <nw-hop-graph [paths]="mtrPaths()" />
        </section>
      }
      <section
        class="results"
        [class.wide]="op.type === 'mtr' || op.type === 'dns' || op.type === 'traceroute'"
        aria-label="Results per worker"
      >
        @for (r of results(); track r.workerId) {
          <nw-worker-card [type]="op.type" [result]="r" [label]="names().get(r.workerId)" />
        } @empty {
          <div class="card muted waiting">
            @if (pending()) {
              Waiting for the first worker to answer…
            } @else {
              No worker answered.
            }
          </div>
        }
      </section>
    } @else if (!live.error()) {
      @if (live.trouble(); as t) {
        <p class="muted" role="status" data-testid="reconnecting">
          Could not reach the server ({{ t.detail }}); retrying…
        </p>
      } @else {
        <p class="muted">Loading…</p>
      }
    }
  `,
  styles: `
    .head {
      display: flex;
      justify-content: space-between;
      gap: 1rem;
      flex-wrap: wrap;
      margin-bottom: 1rem;
    }
    h1 {
      margin-bottom: 0.3rem;
      word-break: break-all;
    }
    .type {
      text-transform: uppercase;
      font-size: 0.8rem;
      background: var(--accent);
      color: var(--accent-text);
      border-radius: 4px;
      padding: 0.1rem 0.4rem;
      vertical-align: middle;
    }
    .actions {
      align-self: flex-start;
    }
    .live {
      color: var(--ok);
    }
    .trouble {
      color: var(--warn);
    }
    .results {
      display: grid;
      gap: 1rem;
      grid-template-columns: repeat(auto-fill, minmax(min(100%, 420px), 1fr));
    }
    .results.wide {
      grid-template-columns: repeat(auto-fill, minmax(min(100%, 640px), 1fr));
    }
    .compare {
      margin-bottom: 1rem;
    }
    .error-card {
      border-color: var(--bad);
    }
  `,
})
export class OperationPage {
  /** The operation id, from the route. */
  readonly id = input.required<string>()
  private readonly operations = inject(OperationsService)
  private readonly workers = inject(WorkersService)
  private readonly download = inject(DownloadService)
  private readonly document = inject(DOCUMENT)
  protected readonly dateTime = dateTime
  protected readonly duration = duration
  protected readonly copied = signal(false)
  private readonly following = computed(() => {
    const id = this.id()
    return { id, controller: new AbortController() }
  })
  protected readonly live: LiveOperation = {
    operation: () => this.current().operation(),
    error: () => this.current().error(),
    trouble: () => this.current().trouble(),
    live: () => this.current().live(),
  }
  private readonly current = computed(() => {
    const f = this.following()
    return this.operations.follow(f.id, f.controller.signal)
  })
  protected readonly results = computed<ReadonlyArray<WorkerResult>>(() => {
    const op = this.live.operation()
    // Workers that have not answered yet get a waiting card, so the page shows who is still out.
    return op === null ? [] : withWaiting(op, finalStatuses.has(op.status), this.idle())
  })
  /** "Run again": the new-operation form filled in as this operation was (options too). */
  protected readonly again = computed(() => {
    const op = this.live.operation()
    if (op === null) return {}
    return {
      type: op.type,
      target: op.target,
      queue: op.queues,
      ...optionsQuery(op.type, op.options),
    }
  })
  /** While the operation waits: the queues with no worker online (read once, then every 10 s). */
  private readonly presence = load(
    () => (this.pending() && this.live.operation() !== null ? true : undefined),
    (_, signal) => this.workers.queues(signal),
  )
  private readonly idle = computed(
    () =>
      new Set(
        (this.presence.value() ?? []).filter((q) => q.workers.length === 0).map((q) => q.name),
      ),
  )
  /** Card titles and legend names, unique even when workers share a host name. */
  protected readonly names = computed(() => workerNames(this.results()))
  /** Workers done (a result, not just progress): the header's "1 / 2 answered". */
  protected readonly answered = computed(
    () => (this.live.operation()?.results ?? []).filter((r) => r.status !== "running").length,
  )
  protected readonly pending = computed(
    () => !finalStatuses.has(this.live.operation()?.status ?? "pending"),
  )
  protected readonly took = computed(() => {
    const op = this.live.operation()
    return op?.finishedAt ? Date.parse(op.finishedAt) - Date.parse(op.createdAt) : null
  })
  protected readonly mtrPaths = computed(() =>
    this.results()
      .filter((r) => ((r.result as MtrParsed | undefined)?.hops?.length ?? 0) > 0)
      .map((r) => hopPath(this.names().get(r.workerId) ?? r.workerId, r.result as MtrParsed)),
  )

  constructor() {
    // Several operations open in tabs: each tab says which one it is and how it stands.
    const title = inject(Title)
    effect(() => {
      const op = this.live.operation()
      const e = this.live.error()
      if (op !== null)
        title.setTitle(`${op.type.toUpperCase()} ${op.target} · ${op.status} · Netwark`)
      // A dead link says so in the tab too (it read "Operation" as if it were loading).
      else if (e?.status === 404) title.setTitle("No such operation · Netwark")
      else if (e) title.setTitle("Operation not loaded · Netwark")
    })
    refreshEvery(() => {
      if (this.pending()) this.presence.reload()
    })
    // A new id (the router reuses this page between operations) stops following the old one.
    effect((onCleanup) => {
      const f = this.following()
      onCleanup(() => f.controller.abort())
    })
  }

  protected async copyLink(): Promise<void> {
    const url = new URL(
      `/operations/${encodeURIComponent(this.live.operation()?.id ?? "")}`,
      this.document.location.href,
    ).toString()
    try {
      await navigator.clipboard.writeText(url)
    } catch {
      this.document.defaultView?.prompt("Permalink", url)
    }
    this.copied.set(true)
    setTimeout(() => this.copied.set(false), 2000)
  }

  protected exportJson(): void {
    const op = this.live.operation()
    if (op)
      this.download.save(`netwark-${op.type}-${op.id}.json`, "application/json", operationJson(op))
  }

  protected exportCsv(): void {
    const op = this.live.operation()
    if (op) this.download.save(`netwark-${op.type}-${op.id}.csv`, "text/csv", operationCsv(op))
  }
}
