import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  computed,
  inject,
  signal,
} from "@angular/core"
import { ActivatedRoute, Router, RouterLink } from "@angular/router"
import { toProblem } from "../../../core/api"
import { type OperationFilter, operationStatuses, operationTypes } from "../../../core/models"
import { load } from "../../../shared/load"
import { debounced } from "../../../shared/debounce"
import { ago, dateTime } from "../../../shared/format"
import { listFilter } from "../lib/operation-filter"
import { OperationsService, finalStatuses } from "../services/operations.service"

const PAGE = 25

/** Every operation, newest first, with filters in the URL (so a filtered view can be shared). */
@Component({
  selector: "nw-operations-list-page",
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterLink],
  template: `
    <div class="row head">
      <h1>Operations</h1>
      <span class="spacer"></span>
      <a class="button primary" routerLink="/operations/new">New operation</a>
    </div>
    <form
      class="card filters"
      (submit)="$event.preventDefault()"
      role="search"
      aria-label="Filter operations"
    >
      <label class="field"
        ><span class="label">Status</span>
        <select
          [value]="status()"
          (change)="set('status', value($event))"
          [attr.aria-invalid]="!!errors()['status']"
        >
          <option value="">any</option>
          @for (s of statuses; track s) {
            <option [value]="s">{{ s }}</option>
          }
        </select>
        @if (errors()["status"]; as e) {
          <span class="field-error" role="alert">{{ e }}</span>
        }
      </label>
      <label class="field"
        ><span class="label">Type</span>
        <select
          [value]="type()"
          (change)="set('type', value($event))"
          [attr.aria-invalid]="!!errors()['type']"
        >
          <option value="">any</option>
          @for (t of types; track t) {
            <option [value]="t">{{ t }}</option>
          }
        </select>
        @if (errors()["type"]; as e) {
          <span class="field-error" role="alert">{{ e }}</span>
        }
      </label>
      <label class="field"
        ><span class="label">Target</span>
        <input
          type="search"
          [value]="target()"
          (input)="set('target', value($event))"
          placeholder="contains…"
        />
      </label>
      <label class="field"
        ><span class="label">Queue</span>
        <input
          type="search"
          [value]="queue()"
          (input)="set('queue', value($event))"
          placeholder="queue name"
        />
      </label>
      <label class="field"
        ><span class="label">Since</span>
        <input
          type="datetime-local"
          [value]="since()"
          (change)="set('since', value($event))"
          [attr.aria-invalid]="!!errors()['since']"
          data-testid="since"
        />
        @if (errors()["since"]; as e) {
          <span class="field-error" role="alert" data-testid="since-error">{{ e }}</span>
        }
      </label>
      <label class="field"
        ><span class="label">Until</span>
        <input
          type="datetime-local"
          [value]="until()"
          (change)="set('until', value($event))"
          [attr.aria-invalid]="!!errors()['until']"
        />
        @if (errors()["until"]; as e) {
          <span class="field-error" role="alert">{{ e }}</span>
        }
      </label>
    </form>

    @if (page.error(); as e) {
      <p class="error-text" role="alert">Could not load operations: {{ message(e) }}</p>
    }
    <div class="card table-wrap">
      <table class="data" aria-label="Operations">
        <thead>
          <tr>
            <th>Status</th>
            <th>Type</th>
            <th>Target</th>
            <th>Queues</th>
            <th>Workers</th>
            <th>Created</th>
          </tr>
        </thead>
        <tbody>
          @for (op of page.value()?.items ?? []; track op.id) {
            <tr>
              <td>
                <span class="status {{ op.status }}">{{ op.status }}</span>
              </td>
              <td class="type">{{ op.type }}</td>
              <td>
                <a [routerLink]="['/operations', op.id]" class="mono">{{ op.target }}</a>
              </td>
              <td>
                @for (q of op.queues; track q) {
                  <span class="chip">{{ q }}</span>
                }
              </td>
              <td class="num" data-testid="workers">
                {{ op.received ?? "–" }}{{ op.expected != null ? " / " + op.expected : "" }}
              </td>
              <td [title]="dateTime(op.createdAt)">{{ ago(op.createdAt) }}</td>
            </tr>
          } @empty {
            <tr>
              <td colspan="6" class="muted">
                {{ page.isLoading() ? "Loading…" : "No operation matches." }}
              </td>
            </tr>
          }
        </tbody>
      </table>
      <div class="row pager">
        <span class="small muted">{{ total() }} operation(s)</span>
        <span class="spacer"></span>
        <button type="button" (click)="first()" [disabled]="cursors().length === 0">First</button>
        <button type="button" (click)="previous()" [disabled]="cursors().length === 0">
          Previous
        </button>
        <button type="button" (click)="next()" [disabled]="!page.value()?.nextCursor">Next</button>
      </div>
    </div>
  `,
  styles: `
    .head {
      margin-bottom: 0.5rem;
    }
    .head h1 {
      margin: 0;
    }
    .filters {
      display: grid;
      grid-template-columns: repeat(auto-fill, minmax(150px, 1fr));
      gap: 0.75rem;
      margin-bottom: 1rem;
    }
    .type {
      text-transform: uppercase;
      font-size: 0.78rem;
      font-weight: 600;
    }
    .pager {
      margin-top: 0.6rem;
    }
  `,
})
export class OperationsListPage {
  private readonly operations = inject(OperationsService)
  private readonly router = inject(Router)
  private readonly route = inject(ActivatedRoute)
  protected readonly statuses = operationStatuses
  protected readonly types = operationTypes
  protected readonly ago = ago
  protected readonly dateTime = dateTime
  private readonly q = this.route.snapshot.queryParamMap
  protected readonly status = signal(this.q.get("status") ?? "")
  protected readonly type = signal(this.q.get("type") ?? "")
  protected readonly target = signal(this.q.get("target") ?? "")
  protected readonly queue = signal(this.q.get("queue") ?? "")
  protected readonly since = signal(this.q.get("since") ?? "")
  protected readonly until = signal(this.q.get("until") ?? "")
  /** Cursors of the pages before this one (the way back). */
  protected readonly cursors = signal<ReadonlyArray<string | undefined>>([])
  protected readonly cursor = signal<string | undefined>(undefined)

  private readonly checked = computed(() =>
    listFilter(
      {
        status: this.status(),
        type: this.type(),
        target: this.target(),
        queue: this.queue(),
        since: this.since(),
        until: this.until(),
      },
      PAGE,
    ),
  )
  protected readonly errors = computed(() => this.checked().errors)
  private readonly filter = computed(() => this.checked().filter, {
    equal: (a, b) => JSON.stringify(a) === JSON.stringify(b),
  })
  private readonly query = debounced(this.filter, 250)
  protected readonly page = load(
    () => ({ ...this.query(), ...(this.cursor() === undefined ? {} : { cursor: this.cursor() }) }),
    (params, signal) => this.operations.list(params as OperationFilter, signal),
  )
  protected readonly total = computed(() => this.page.value()?.total ?? 0)

  constructor() {
    // Operations still pending or running change status on their own: while the page shows one,
    // read it again every 10 s (a finished page stays put).
    const timer = setInterval(() => {
      const items = this.page.value()?.items ?? []
      if (items.some((o) => !finalStatuses.has(o.status))) this.page.reload()
    }, 10_000)
    inject(DestroyRef).onDestroy(() => clearInterval(timer))
  }

  protected value(e: Event): string {
    return (e.target as HTMLInputElement).value
  }
  /** The server's own words (not the request URL the client error starts with). */
  protected message(e: unknown): string {
    return toProblem(e).detail
  }

  protected set(key: "status" | "type" | "target" | "queue" | "since" | "until", v: string): void {
    this[key].set(v)
    this.cursors.set([])
    this.cursor.set(undefined)
    void this.router.navigate([], {
      queryParams: { [key]: v === "" ? null : v },
      queryParamsHandling: "merge",
      replaceUrl: true,
    })
  }

  protected next(): void {
    const c = this.page.value()?.nextCursor
    if (!c) return
    this.cursors.update((s) => [...s, this.cursor()])
    this.cursor.set(c)
  }
  protected previous(): void {
    const s = this.cursors()
    this.cursor.set(s.at(-1))
    this.cursors.set(s.slice(0, -1))
  }
  protected first(): void {
    this.cursors.set([])
    this.cursor.set(undefined)
  }
}
