import { ChangeDetectionStrategy, Component, computed, inject, signal } from "@angular/core"
import { load } from "../../../shared/load"
import { refreshEvery } from "../../../shared/refresh"
import type { WorkerSummary } from "../../../core/models"
import { ago, dateTime } from "../../../shared/format"
import { WorkersService } from "../services/workers.service"

/** Every worker: presence, version, last seen, queues and capabilities. */
@Component({
  selector: "nw-workers-page",
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="row head">
      <h1>Workers</h1>
      <span class="spacer"></span>
      <span class="small muted">{{ online() }} of {{ list().length }} online</span>
      <label class="check small"
        ><input type="checkbox" [checked]="onlyOnline()" (change)="onlyOnline.set(!onlyOnline())" />
        online only</label
      >
    </div>
    @if (workers.error()) {
      <p class="error-text" role="alert">Could not load workers.</p>
    }
    <div class="card table-wrap">
      <table class="data" aria-label="Workers">
        <thead>
          <tr>
            <th>Presence</th>
            <th>Host</th>
            <th>Version</th>
            <th>Last seen</th>
            <th>Queues</th>
            <th>Jobs</th>
            <th>Tools</th>
          </tr>
        </thead>
        <tbody>
          @for (w of shown(); track w.id) {
            <tr [class.gone]="!w.online">
              <td>
                <span class="status" [class.online]="w.online" [class.offline]="!w.online">{{
                  w.online ? "online" : "offline"
                }}</span>
              </td>
              <td>
                <strong>{{ w.hostname }}</strong>
                <div class="small muted mono">{{ w.id }}</div>
                @if (w.locations?.length) {
                  <div class="small muted">{{ w.locations.join(", ") }}</div>
                }
              </td>
              <td class="mono">{{ w.version ?? "–" }}</td>
              <td [title]="dateTime(w.lastSeen)">
                {{ w.online ? "now" : ago(w.lastSeen) }}
              </td>
              <td>
                @for (q of w.queues ?? []; track q) {
                  <span class="chip">{{ q }}</span>
                }
              </td>
              <td>
                @for (j of jobs(w); track j) {
                  <span class="chip">{{ j }}</span>
                }
              </td>
              <td class="caps">
                @for (c of capabilities(w); track c.name) {
                  <span class="chip" [class.off]="!c.ok" [title]="c.detail">{{ c.name }}</span>
                }
              </td>
            </tr>
          } @empty {
            <tr>
              <td colspan="7" class="muted">
                {{ workers.isLoading() ? "Loading…" : "No workers." }}
              </td>
            </tr>
          }
        </tbody>
      </table>
    </div>
  `,
  styles: `
    .head {
      margin-bottom: 0.75rem;
    }
    .head h1 {
      margin: 0;
    }
    .check {
      display: inline-flex;
      gap: 0.3rem;
      align-items: center;
    }
    .caps {
      max-width: 28rem;
    }
    /* Offline workers stay listed (for the server's retention period), greyed. */
    tr.gone {
      opacity: 0.55;
      filter: grayscale(1);
    }
    .chip.off {
      text-decoration: line-through;
      opacity: 0.6;
    }
  `,
})
export class WorkersPage {
  private readonly service = inject(WorkersService)
  protected readonly ago = ago
  protected readonly dateTime = dateTime
  protected readonly onlyOnline = signal(false)
  protected readonly workers = load((signal) => this.service.workers(signal))
  // Online first by host name, then offline ones, most recently seen first.
  protected readonly list = computed(() =>
    [...(this.workers.value() ?? [])].sort(
      (a, b) =>
        Number(b.online) - Number(a.online) ||
        (a.online ? 0 : Date.parse(b.lastSeen ?? "") - Date.parse(a.lastSeen ?? "") || 0) ||
        a.hostname.localeCompare(b.hostname),
    ),
  )
  protected readonly shown = computed(() =>
    this.onlyOnline() ? this.list().filter((w) => w.online) : this.list(),
  )
  protected readonly online = computed(() => this.list().filter((w) => w.online).length)

  constructor() {
    // Workers come, go and change their capabilities on their own: read the list again.
    refreshEvery(() => this.workers.reload())
  }

  /**
   * Capabilities as chips: each tool with its version (struck through when not installed), or
   * plain names when a worker sends a list.
   */
  protected capabilities(
    w: WorkerSummary,
  ): ReadonlyArray<{ name: string; ok: boolean; detail: string }> {
    const c = w.capabilities
    if (c === undefined) return []
    if (Array.isArray(c))
      return (c as ReadonlyArray<string>).map((name) => ({ name, ok: true, detail: name }))
    const record = c as Readonly<Record<string, unknown>>
    const tools = record["tools"]
    if (typeof tools === "object" && tools !== null) {
      return Object.entries(
        tools as Record<string, { installed?: boolean; version?: string; versionLine?: string }>,
      ).map(([name, t]) => ({
        name: t.version ? `${name} ${t.version}` : name,
        ok: t.installed !== false,
        detail: t.installed === false ? `${name}: not installed` : (t.versionLine ?? name),
      }))
    }
    return Object.entries(record).map(([name, v]) => ({
      name,
      ok: v !== false,
      detail: typeof v === "object" ? JSON.stringify(v) : String(v),
    }))
  }

  /** The job types a worker accepts. */
  protected jobs(w: WorkerSummary): ReadonlyArray<string> {
    const c = w.capabilities
    if (c === undefined || Array.isArray(c)) return []
    const jobs = (c as Readonly<Record<string, unknown>>)["jobs"]
    return Array.isArray(jobs) ? jobs.map(String) : []
  }
}
