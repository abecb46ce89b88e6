import { ChangeDetectionStrategy, Component, computed, inject } from "@angular/core"
import { load } from "../../../shared/load"
import { refreshEvery } from "../../../shared/refresh"
import { RouterLink } from "@angular/router"
import { ago, dateTime } from "../../../shared/format"
import { WorldMapComponent } from "../../../shared/world-map.component"
import { totalText } from "../../operations/lib/list-page"
import { OperationsService } from "../../operations/services/operations.service"
import {
  WorkersService,
  locationGroups,
  locationMarkers,
  presenceColour,
  presenceText,
  withWorkers,
} from "../../workers/services/workers.service"

/** The landing page: recent operations, workers online, and where the workers are. */
@Component({
  selector: "nw-overview-page",
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterLink, WorldMapComponent],
  template: `
    <div class="row head">
      <h1>Overview</h1>
      <span class="spacer"></span>
      <a class="button primary" routerLink="/operations/new">New operation</a>
    </div>
    <section class="stats" aria-label="Summary">
      <a class="card stat" routerLink="/workers">
        <span class="n" data-testid="workers-online">{{ online() }}</span>
        <span class="muted">of {{ workers.value()?.length ?? 0 }} worker(s) online</span>
      </a>
      <a class="card stat" routerLink="/workers">
        <span class="n">{{ queues.value()?.length ?? 0 }}</span><span class="muted">queue(s)</span>
      </a>
      <a class="card stat" routerLink="/operations">
        <span class="n">{{ operationCount() }}</span><span class="muted">operation(s)</span>
      </a>
      <a class="card stat" routerLink="/operations" [queryParams]="{ status: 'running' }">
        <span class="n">{{ running() }}</span><span class="muted">running now</span>
      </a>
    </section>
    <div class="grid two">
      <section class="card">
        <div class="row">
          <h2>Recent operations</h2>
          <span class="spacer"></span><a routerLink="/operations" class="small">All</a>
        </div>
        <div class="table-wrap">
          <table class="data">
            <thead>
              <tr>
                <th>Status</th>
                <th>Type</th>
                <th>Target</th>
                <th>When</th>
              </tr>
            </thead>
            <tbody>
              @for (op of recent.value()?.items ?? []; track op.id) {
                <tr>
                  <td>
                    <span class="status {{ op.status }}">{{ op.status }}</span>
                  </td>
                  <td class="type">{{ op.type }}</td>
                  <td>
                    <a [routerLink]="['/operations', op.id]" class="mono">{{ op.target }}</a>
                  </td>
                  <td [title]="dateTime(op.createdAt)">{{ ago(op.createdAt) }}</td>
                </tr>
              } @empty {
                <tr>
                  <td colspan="4" class="muted">
                    @if (recent.isLoading()) {
                      Loading…
                    } @else {
                      No operations yet.
                      <a
                        routerLink="/operations/new"
                        [queryParams]="{ type: 'ping', target: '127.0.0.1' }"
                        >Ping 127.0.0.1</a
                      >
                      to try it.
                    }
                  </td>
                </tr>
              }
            </tbody>
          </table>
        </div>
      </section>
      <section class="card">
        <h2>Locations</h2>
        <nw-world-map
          [markers]="markers()"
          ariaLabel="Worker locations, coloured by how many workers are online"
        />
        <ul class="locations">
          @for (g of groups(); track g.location.name) {
            <li class="row small" [class.offline]="g.total > 0 && g.online === 0">
              <span class="dot" [style.background]="colour(g.online, g.total)"></span>
              <strong>{{ g.location.name }}</strong>
              <span class="muted" [title]="dateTime(g.lastSeen)">{{ presenceText(g) }}</span>
              <span class="spacer"></span>
              @for (q of g.queues; track q.name) {
                <span class="chip">{{ q.name }}</span>
              }
            </li>
          } @empty {
            <li class="muted small">No queue has a location yet.</li>
          }
        </ul>
      </section>
    </div>
  `,
  styles: `
    .head {
      margin-bottom: 0.75rem;
    }
    .head h1 {
      margin: 0;
    }
    .stats {
      display: grid;
      grid-template-columns: repeat(auto-fit, minmax(150px, 1fr));
      gap: 1rem;
      margin-bottom: 1rem;
    }
    .stat {
      display: flex;
      flex-direction: column;
      text-decoration: none;
      color: var(--text);
    }
    .stat:hover {
      border-color: var(--accent);
    }
    .n {
      font-size: 1.8rem;
      font-weight: 700;
      font-variant-numeric: tabular-nums;
    }
    .type {
      text-transform: uppercase;
      font-size: 0.78rem;
      font-weight: 600;
    }
    .locations {
      list-style: none;
      padding: 0;
      margin: 0.75rem 0 0;
    }
    .locations li {
      padding: 0.2rem 0;
    }
    .locations li.offline {
      color: var(--muted);
    }
    .dot {
      width: 0.65rem;
      height: 0.65rem;
      border-radius: 50%;
      display: inline-block;
    }
  `,
})
export class OverviewPage {
  private readonly operations = inject(OperationsService)
  private readonly workersService = inject(WorkersService)
  protected readonly ago = ago
  protected readonly dateTime = dateTime
  protected readonly recent = load((signal) => this.operations.list({ limit: 10 }, signal))
  protected readonly workers = load((signal) => this.workersService.workers(signal))
  protected readonly queues = load((signal) => this.workersService.queues(signal))
  protected readonly online = computed(
    () => (this.workers.value() ?? []).filter((w) => w.online).length,
  )
  // Counted by the server (the recent list holds only 10: a busy hour read "10 running").
  private readonly runningNow = load((signal) =>
    this.operations.list({ status: "running", limit: 1 }, signal),
  )
  private readonly pendingNow = load((signal) =>
    this.operations.list({ status: "pending", limit: 1 }, signal),
  )
  protected readonly operationCount = computed(() => {
    const page = this.recent.value()
    return totalText(page?.total ?? 0, page?.totalExact)
  })
  // a lower bound when either count is (past the server's exact part)
  protected readonly running = computed(() => {
    const [running, pending] = [this.runningNow.value(), this.pendingNow.value()]
    return totalText(
      (running?.total ?? 0) + (pending?.total ?? 0),
      running?.totalExact !== false && pending?.totalExact !== false,
    )
  })
  // The queue list names online workers only; the workers list adds those gone offline.
  protected readonly groups = computed(() =>
    locationGroups(withWorkers(this.queues.value() ?? [], this.workers.value())),
  )
  protected readonly markers = computed(() => locationMarkers(this.groups()))
  protected readonly colour = presenceColour
  protected readonly presenceText = presenceText

  constructor() {
    // Presence and the recent list change on their own: refresh every 10 s while the page is open.
    refreshEvery(() => {
      this.recent.reload()
      this.runningNow.reload()
      this.pendingNow.reload()
      this.workers.reload()
      this.queues.reload()
    })
  }
}
