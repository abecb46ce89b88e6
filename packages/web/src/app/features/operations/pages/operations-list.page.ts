import {
  ChangeDetectionStrategy,
  Component,
  computed,
  effect,
  inject,
  signal,
  untracked,
} from "@angular/core"
import { Title } from "@angular/platform-browser"
import { ActivatedRoute, type ParamMap, RouterLink } from "@angular/router"
import { toProblem } from "../../../core/api"
import { type OperationFilter, operationStatuses, operationTypes } from "../../../core/models"
import { load } from "../../../shared/load"
import { refreshEvery } from "../../../shared/refresh"
import { debounced } from "../../../shared/debounce"
import { ago, dateTime } from "../../../shared/format"
import { type QueryWrite, followQuery } from "../../../shared/query-state"
import {
  type ListPosition,
  fallbackPosition,
  listTitle,
  positionFromQuery,
  positionQuery,
  previousPosition,
  rangeText,
} from "../lib/list-page"
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
      @for (f of choices; track f.key) {
        <label class="field"
          ><span class="label">{{ f.label }}</span>
          <select
            (change)="set(f.key, value($event))"
            [attr.data-testid]="f.key"
            [attr.aria-invalid]="!!errors()[f.key]"
          >
            <option value="" [selected]="f.value() === ''">any</option>
            @for (o of f.options; track o) {
              <option [value]="o" [selected]="o === f.value()">{{ o }}</option>
            }
          </select>
          @if (errors()[f.key]; as e) {
            <span class="field-error" role="alert">{{ e }}</span>
          }
        </label>
      }
      <label class="field"
        ><span class="label">Target</span>
        <input
          type="search"
          [value]="target()"
          (input)="set('target', value($event))"
          placeholder="exact name or address"
          data-testid="target"
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
      @for (f of dates; track f.key) {
        <label class="field"
          ><span class="label">{{ f.label }}</span>
          <input
            type="datetime-local"
            [value]="f.value()"
            (change)="set(f.key, value($event))"
            [attr.data-testid]="f.testid"
            [attr.aria-invalid]="!!errors()[f.key]"
          />
          @if (errors()[f.key]; as e) {
            <span
              class="field-error"
              role="alert"
              [attr.data-testid]="f.testid === null ? null : f.testid + '-error'"
              >{{ e }}</span
            >
          }
        </label>
      }
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
        <span class="small muted" data-testid="range">{{ range() }}</span>
        <span class="spacer"></span>
        <button type="button" (click)="first()" [disabled]="position().page === 1">First</button>
        <button
          type="button"
          (click)="previous()"
          [disabled]="position().page === 1 || !settled()"
          data-testid="previous"
        >
          Previous
        </button>
        <button
          type="button"
          (click)="next()"
          [disabled]="!page.value()?.nextCursor || !settled()"
          data-testid="next"
        >
          Next
        </button>
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
  private readonly route = inject(ActivatedRoute)
  protected readonly ago = ago
  protected readonly dateTime = dateTime
  // Read from the URL before the first request (a first read with no filter showed, for a
  // moment, the whole list under a filtered link).
  private readonly q = this.route.snapshot.queryParamMap
  protected readonly status = signal(this.q.get("status") ?? "")
  protected readonly type = signal(this.q.get("type") ?? "")
  protected readonly target = signal(this.q.get("target") ?? "")
  protected readonly queue = signal(this.q.get("queue") ?? "")
  protected readonly since = signal(this.q.get("since") ?? "")
  protected readonly until = signal(this.q.get("until") ?? "")
  // The select and date fields differ only in these; the template draws each kind once.
  protected readonly choices = [
    { key: "status", label: "Status", options: operationStatuses, value: this.status },
    { key: "type", label: "Type", options: operationTypes, value: this.type },
  ] as const
  protected readonly dates = [
    { key: "since", label: "Since", testid: "since", value: this.since },
    { key: "until", label: "Until", testid: null, value: this.until },
  ] as const
  /** The page shown; in the URL (`?page=2&cursor=…`), so Back, reload and a link keep it. */
  protected readonly position = signal<ListPosition>(
    positionFromQuery(this.q.get("page"), this.q.get("cursor")),
  )

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
  /**
   * The page shown, with the position it was read for: while the next page loads the rows on
   * screen are still the last page's, and `position` already names the next one.
   */
  protected readonly page = load(
    () => ({ position: this.position(), filter: this.query() }),
    async ({ position, filter }, signal) => {
      const { cursor } = position
      const asked: OperationFilter = cursor === undefined ? filter : { ...filter, cursor }
      return { ...(await this.operations.list(asked, signal)), position }
    },
  )
  /**
   * The rows shown are those of the filter and page asked for: not while a filter edit waits out
   * its debounce or a page loads. Next and Previous are off until then, or they would follow the
   * cursors of the rows still on screen (a double click skipped a page and mislabelled the range).
   */
  protected readonly settled = computed(
    () => !this.page.isLoading() && this.query() === this.filter(),
  )
  protected readonly range = computed(() => {
    const p = this.page.value()
    if (p === undefined) return ""
    // An older server gives no offset: the page number's (of the rows shown, not of the page
    // asked for, which labelled the last page's rows "26–50" while page 2 loaded), which
    // deletions above make wrong.
    const offset = p.offset ?? (p.position.page - 1) * PAGE
    return rangeText(offset, p.items.length, p.total, p.totalExact ?? true)
  })

  /** Writes the URL as this page's own (see `go`). */
  private readonly write: QueryWrite

  constructor() {
    // The tab says which filters and page it shows. The router sets the route's plain title at
    // the end of each navigation (this page's own included), so it is set again after each.
    const title = inject(Title)
    const pageTitle = computed(() => listTitle(this.filter(), this.position().page))
    effect(() => title.setTitle(pageTitle()))
    // Back and Forward between two pages of this list keep this component: read the URL again.
    // So does the menu's Operations (or `o`) on a filtered list: a fresh list, not the old
    // filters under a bare URL. The page's own writes (see `go`) are told apart by URL.
    this.write = followQuery(
      (q) => this.read(q),
      () => title.setTitle(pageTitle()),
    )
    // A page that came back empty or at the top of the list is shown as the first page; its URL
    // is replaced, so Back does not land on the empty page again.
    effect(() => {
      const p = this.page.value()
      if (p === undefined || !this.settled()) return
      const to = fallbackPosition(untracked(this.position), p)
      if (to !== undefined) untracked(() => this.go(to, {}, true))
    })
    // Operations still pending or running change status on their own: while the page shows one,
    // read it again every 10 s (a finished page stays put).
    refreshEvery(() => {
      const items = this.page.value()?.items ?? []
      if (items.some((o) => !finalStatuses.has(o.status))) this.page.reload()
    })
  }

  /** The filters and page from the URL. */
  private read(q: ParamMap): void {
    for (const key of filterKeys) this[key].set(q.get(key) ?? "")
    this.position.set(positionFromQuery(q.get("page"), q.get("cursor")))
  }

  protected value(e: Event): string {
    return (e.target as HTMLInputElement).value
  }
  /** The server's own words (not the request URL the client error starts with). */
  protected message(e: unknown): string {
    return toProblem(e).detail
  }

  /** A filter changed: back to the first page (the old cursor belongs to another list). */
  protected set(key: FilterKey, v: string): void {
    this[key].set(v)
    this.go({ page: 1, cursor: undefined }, { [key]: v === "" ? null : v }, true)
  }

  protected next(): void {
    const c = this.page.value()?.nextCursor
    if (!c || !this.settled()) return
    this.go({ page: this.position().page + 1, cursor: c })
  }
  /** The server's way back from the rows shown: the URL alone is enough (a link, a new tab). */
  protected previous(): void {
    if (this.position().page === 1 || !this.settled()) return
    this.go(previousPosition(this.position(), this.page.value()?.previousCursor))
  }
  protected first(): void {
    this.go({ page: 1, cursor: undefined })
  }

  /** Each page is its own history entry (Back goes to the page before); a filter edit is not. */
  private go(
    position: ListPosition,
    filters: Record<string, string | null> = {},
    replaceUrl = false,
  ): void {
    this.position.set(position)
    this.write({ ...filters, ...positionQuery(position) }, { replaceUrl, merge: true })
  }
}

const filterKeys = ["status", "type", "target", "queue", "since", "until"] as const
type FilterKey = (typeof filterKeys)[number]
