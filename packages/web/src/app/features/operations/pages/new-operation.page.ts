import { ChangeDetectionStrategy, Component, computed, inject, signal } from "@angular/core"
import { load } from "../../../shared/load"
import { refreshEvery } from "../../../shared/refresh"
import { type ParamMap, Router } from "@angular/router"
import { queryState } from "../../../shared/query-state"
import type { ApiProblem } from "../../../core/api"
import { type OperationType, operationTypes } from "../../../core/models"
import { WorldMapComponent } from "../../../shared/world-map.component"
import {
  WorkersService,
  locationGroups,
  locationMarkers,
  withWorkers,
} from "../../workers/services/workers.service"
import {
  buildOptions,
  formQuery,
  optionFields,
  optionsFromQuery,
  problemFieldErrors,
  validateForm,
} from "../lib/operation-form"
import { pickableAt, queueChoices, togglePlace } from "../lib/queue-choices"
import { OperationsService } from "../services/operations.service"

const typeHelp: Record<OperationType, string> = {
  ping: "ICMP echo: reachability, round-trip time and loss",
  mtr: "Path and per-hop loss and latency over several cycles",
  traceroute: "The routers on the path, one probe set per hop",
  dns: "A DNS query with dig",
}

/** Start an operation: type, typed options, target, and the queues (from a list or the map). */
@Component({
  selector: "nw-new-operation-page",
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [WorldMapComponent],
  template: `
    <h1>New operation</h1>
    <form class="grid two" (submit)="submit($event)" novalidate>
      <div class="card stack">
        <fieldset class="types">
          <legend class="label">Type</legend>
          <div class="segmented" role="radiogroup" aria-label="Operation type">
            @for (t of types; track t) {
              <label [class.on]="type() === t">
                <input
                  type="radio"
                  name="type"
                  [value]="t"
                  [checked]="type() === t"
                  (change)="setType(t)"
                />
                {{ t }}
              </label>
            }
          </div>
          <p class="small muted">{{ typeHelp[type()] }}</p>
        </fieldset>

        <label class="field">
          <span class="label">{{
            type() === "dns" ? "Name (or address for reverse lookup)" : "Target"
          }}</span>
          <input
            type="text"
            name="target"
            autocomplete="off"
            spellcheck="false"
            autofocus
            [placeholder]="type() === 'dns' ? 'example.com' : '127.0.0.1 or host name'"
            [value]="target()"
            (input)="target.set(value($event)); clear('target')"
            [attr.aria-invalid]="!!errors()['target']"
            aria-describedby="target-error"
            data-testid="target"
          />
          @if (errors()["target"]; as e) {
            <span class="field-error" id="target-error" role="alert" data-testid="target-error">{{
              e
            }}</span>
          }
        </label>

        <div class="options">
          @for (f of fields(); track type() + f.name) {
            @if (f.kind === "boolean") {
              <label class="check">
                <input
                  type="checkbox"
                  [checked]="raw()[f.name] === true"
                  (change)="setOption(f.name, checked($event))"
                />
                {{ f.label }}
              </label>
            } @else {
              <label class="field">
                <span class="label"
                  >{{ f.label }}
                  @if (f.unit) {
                    <span class="muted"> ({{ f.unit }})</span>
                  }
                </span>
                @if (f.kind === "select") {
                  <select
                    [value]="raw()[f.name] ?? ''"
                    (change)="setOption(f.name, value($event))"
                    [attr.aria-invalid]="!!errors()['options.' + f.name]"
                  >
                    @for (c of f.choices ?? []; track c.value) {
                      <!-- [selected] per option: a select's [value] set before its options exist is lost -->
                      <option [value]="c.value" [selected]="(raw()[f.name] ?? '') === c.value">
                        {{ c.label }}
                      </option>
                    }
                  </select>
                } @else {
                  <input
                    [type]="f.kind === 'number' ? 'number' : 'text'"
                    [attr.min]="f.min"
                    [attr.max]="f.max"
                    [attr.step]="f.step ?? 1"
                    [placeholder]="f.placeholder ?? ''"
                    [value]="raw()[f.name] ?? ''"
                    (input)="setOption(f.name, value($event))"
                    [attr.aria-invalid]="!!errors()['options.' + f.name]"
                    [attr.data-testid]="'option-' + f.name"
                  />
                }
                @if (errors()["options." + f.name]; as e) {
                  <span class="field-error" role="alert">{{ e }}</span>
                }
              </label>
            }
          }
        </div>
        @if (errors()["options"]; as e) {
          <p class="field-error" role="alert">{{ e }}</p>
        }
        @if (problem(); as p) {
          <div class="problem" role="alert" data-testid="form-error">
            <strong>{{ p.title }}</strong> {{ p.detail }}
          </div>
        }
        <div class="row">
          <button type="submit" class="primary" [disabled]="busy()" data-testid="submit">
            {{ busy() ? "Starting…" : "Run " + type() }}
          </button>
          <span class="small muted">{{ queueSummary() }}</span>
        </div>
      </div>

      <div class="card stack">
        <h2>Where from</h2>
        <p class="small muted">
          Pick queues, from the list or the map. None picked: the default broadcast queue.
        </p>
        @if (queues.error()) {
          <p class="error-text small">Queues could not be loaded.</p>
        }
        <ul class="queues" role="group" aria-label="Queues">
          @for (q of choices(); track q.name) {
            <li>
              <label
                class="queue"
                [class.on]="selected().has(q.name)"
                [class.gone]="q.offline"
                [class.unknown]="q.unknown"
                [attr.title]="
                  q.offline && !q.selectable
                    ? 'Every worker on this queue is offline'
                    : q.unknown
                      ? 'The server has no such queue'
                      : null
                "
              >
                <input
                  type="checkbox"
                  [checked]="selected().has(q.name)"
                  [disabled]="!q.selectable"
                  (change)="toggle(q.name)"
                  [attr.data-testid]="'queue-' + q.name"
                />
                <span class="name">{{ q.name }}</span>
                @if (q.broadcast) {
                  <span class="chip" title="Every worker on it runs the job">broadcast</span>
                }
                @if (q.locationName) {
                  <span class="muted small">{{ q.locationName }}</span>
                }
                <span class="spacer"></span>
                <span
                  class="small presence"
                  [class.muted]="q.online === 0 && !q.unknown"
                  [class.error-text]="q.unknown"
                  [attr.data-testid]="'presence-' + q.name"
                  >{{ q.presence }}</span
                >
              </label>
            </li>
          } @empty {
            @if (!queues.isLoading()) {
              <li class="muted small">No queues configured.</li>
            }
          }
        </ul>
        @if (errors()["queues"]; as e) {
          <p class="field-error" role="alert">{{ e }}</p>
        }
        @if (markers().length > 0) {
          <nw-world-map
            [markers]="markers()"
            (markerClick)="toggleLocation($event)"
            ariaLabel="Queue locations; click one to pick its queues"
          />
        }
      </div>
    </form>
  `,
  styles: `
    fieldset {
      border: 0;
      padding: 0;
      margin: 0;
    }
    legend.label {
      font-weight: 600;
      font-size: 0.85rem;
      color: var(--muted);
      margin-bottom: 0.3rem;
    }
    .segmented {
      display: inline-flex;
      border: 1px solid var(--border);
      border-radius: 8px;
      overflow: hidden;
      flex-wrap: wrap;
    }
    .segmented label {
      padding: 0.45rem 1rem;
      cursor: pointer;
      text-transform: uppercase;
      font-weight: 600;
      font-size: 0.8rem;
      letter-spacing: 0.04em;
    }
    .segmented label + label {
      border-left: 1px solid var(--border);
    }
    .segmented label.on {
      background: var(--accent);
      color: var(--accent-text);
    }
    .segmented label:focus-within {
      outline: 2px solid var(--focus);
      outline-offset: -2px;
    }
    .segmented input {
      position: absolute;
      opacity: 0;
      width: 1px;
      height: 1px;
    }
    .options {
      display: grid;
      grid-template-columns: repeat(auto-fill, minmax(150px, 1fr));
      gap: 0.75rem;
    }
    .check {
      display: flex;
      gap: 0.4rem;
      align-items: center;
      font-size: 0.88rem;
    }
    .problem {
      border: 1px solid var(--bad);
      color: var(--bad);
      border-radius: 6px;
      padding: 0.5rem 0.7rem;
      background: color-mix(in srgb, var(--bad) 8%, transparent);
    }
    .queues {
      list-style: none;
      margin: 0;
      padding: 0;
      max-height: 16rem;
      overflow: auto;
    }
    .queue {
      display: flex;
      gap: 0.5rem;
      align-items: center;
      padding: 0.35rem 0.5rem;
      border-radius: 6px;
      cursor: pointer;
    }
    .queue:hover {
      background: var(--surface-2);
    }
    .queue.on {
      background: color-mix(in srgb, var(--accent) 12%, transparent);
    }
    .queue .name {
      font-weight: 600;
    }
    /* Every worker offline: listed like the workers page lists them, greyed, not pickable. */
    .queue.gone {
      opacity: 0.55;
      filter: grayscale(1);
    }
    .queue:has(input:disabled) {
      cursor: not-allowed;
    }
    .queue.unknown .name {
      text-decoration: line-through;
    }
  `,
})
export class NewOperationPage {
  private readonly operations = inject(OperationsService)
  private readonly workers = inject(WorkersService)
  private readonly router = inject(Router)
  protected readonly types = operationTypes
  protected readonly typeHelp = typeHelp
  protected readonly type = signal<OperationType>("ping")
  protected readonly target = signal("")
  protected readonly raw = signal<Record<string, string | boolean>>({})
  protected readonly selected = signal<ReadonlySet<string>>(new Set())
  protected readonly errors = signal<Record<string, string>>({})
  protected readonly problem = signal<ApiProblem | null>(null)
  protected readonly busy = signal(false)
  protected readonly fields = computed(() => optionFields[this.type()])
  protected readonly queues = load((signal) => this.workers.queues(signal))
  private readonly known = load((signal) => this.workers.workers(signal))
  // The queue list names online workers only; the workers list adds those gone offline.
  private readonly located = computed(() => {
    const queues = this.queues.value()
    return queues === undefined ? undefined : withWorkers(queues, this.known.value())
  })
  protected readonly choices = computed(() => queueChoices(this.located(), this.selected()))
  private readonly groups = computed(() => locationGroups(this.located() ?? []))
  protected readonly markers = computed(() => locationMarkers(this.groups(), this.selected()))
  protected readonly queueSummary = computed(() => {
    const s = [...this.selected()]
    return s.length === 0 ? "on the default broadcast queue" : `on ${s.join(", ")}`
  })

  constructor() {
    // Presence changes while the form is open: refresh it as the overview does, so a worker that
    // went away is greyed before it is picked.
    refreshEvery(() => {
      this.queues.reload()
      this.known.reload()
    })
    // The form as typed goes into its own URL (replacing the entry, not adding one): after
    // submitting, Back shows it as it was, a reload keeps it, and the link can be shared. Any
    // other way here while the page is open (the menu's "New operation", `n`, Back to an entry
    // of this page) keeps this component: the form follows that URL, or it would show one thing
    // while the URL (and so a reload) said another.
    queryState(
      () => formQuery(this.type(), this.target(), this.raw(), [...this.selected()]),
      (q) => this.read(q),
    )
  }

  /** The form from the URL ("Run again", a shared link, Back). */
  private read(q: ParamMap): void {
    const t = q.get("type")
    this.type.set(
      t !== null && (operationTypes as ReadonlyArray<string>).includes(t)
        ? (t as OperationType)
        : "ping",
    )
    this.raw.set(optionsFromQuery(this.type(), (name) => q.get(name)))
    this.target.set(q.get("target") ?? "")
    this.selected.set(new Set(q.getAll("queue")))
    this.errors.set({})
    this.problem.set(null)
  }

  protected value(e: Event): string {
    return (e.target as HTMLInputElement).value
  }
  protected checked(e: Event): boolean {
    return (e.target as HTMLInputElement).checked
  }
  protected setType(t: OperationType): void {
    this.type.set(t)
    this.raw.set({})
    this.errors.set({})
    this.problem.set(null)
  }

  protected setOption(name: string, v: string | boolean): void {
    this.raw.update((r) => ({ ...r, [name]: v }))
    this.clear(`options.${name}`)
  }

  protected clear(key: string): void {
    if (this.errors()[key] === undefined) return
    this.errors.update(({ [key]: _, ...rest }) => rest)
  }

  protected toggle(name: string): void {
    this.selected.update((s) => {
      const next = new Set(s)
      if (!next.delete(name)) next.add(name)
      return next
    })
    this.clear("queues")
  }

  protected toggleLocation(markerId: string): void {
    const g = this.groups().find(
      (x) => `${x.location.name}@${x.location.latitude},${x.location.longitude}` === markerId,
    )
    if (g === undefined) return
    this.selected.update((s) => togglePlace(s, pickableAt(g)))
    this.clear("queues")
  }

  protected async submit(event: Event): Promise<void> {
    event.preventDefault()
    if (this.busy()) return
    this.problem.set(null)
    const type = this.type()
    const local = validateForm(type, this.target(), this.raw())
    this.errors.set(local)
    if (Object.keys(local).length > 0) return
    this.busy.set(true)
    try {
      const op = await this.operations.create({
        type,
        target: this.target().trim(),
        options: buildOptions(type, this.raw()),
        queues: [...this.selected()],
      })
      await this.router.navigate(["/operations", op.id])
    } catch (e) {
      const p = e as ApiProblem
      const fieldErrors = problemFieldErrors(p)
      this.errors.set(fieldErrors)
      // A problem about no form field (or a field the form lacks) is shown above the button.
      const shown = Object.keys(fieldErrors).some(
        (k) => k === "target" || k === "queues" || k.startsWith("options"),
      )
      if (!shown) this.problem.set(p)
    } finally {
      this.busy.set(false)
    }
  }
}
