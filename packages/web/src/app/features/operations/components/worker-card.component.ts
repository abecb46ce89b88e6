import { ChangeDetectionStrategy, Component, computed, input, signal } from "@angular/core"
import type {
  DnsParsed,
  MtrParsed,
  OperationType,
  PingParsed,
  TracerouteParsed,
  WorkerResult,
} from "../../../core/models"
import { duration } from "../../../shared/format"
import { hopPath } from "../lib/hop-graph"
import { hasOutput } from "../lib/waiting"
import { DnsResultComponent } from "./dns-result.component"
import { HopGraphComponent } from "./hop-graph.component"
import { MtrTableComponent } from "./mtr-table.component"
import { PingResultComponent } from "./ping-result.component"
import { TracerouteResultComponent } from "./traceroute-result.component"

/** One worker's result for an operation, drawn for its type. */
@Component({
  selector: "nw-worker-card",
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    PingResultComponent,
    HopGraphComponent,
    MtrTableComponent,
    TracerouteResultComponent,
    DnsResultComponent,
  ],
  template: `
    @let r = result();
    <article class="card" [attr.aria-label]="'Result from ' + name()">
      <header class="row">
        <h2>{{ name() }}</h2>
        @if (r.queue) {
          <span class="chip">{{ r.queue }}</span>
        }
        @if (r.location) {
          <span class="chip">{{ r.location }}</span>
        }
        <span class="spacer"></span>
        <span class="status {{ r.status }}">{{ r.status }}</span>
        @if (took()) {
          <span class="small muted">{{ took() }}</span>
        }
      </header>
      @if (r.error) {
        <p class="error-text">{{ r.error }}</p>
      }
      @if (finishedEmpty()) {
        @if (!r.error) {
          <p class="muted small" data-testid="no-result">The worker sent no output.</p>
        }
      } @else if (placeholder()) {
        <p class="muted small" data-testid="no-result">
          {{
            r.status === "waiting"
              ? "Waiting for this worker to start…"
              : "No answer before the operation ended."
          }}
        </p>
      } @else {
        @switch (type()) {
          @case ("ping") {
            <nw-ping-result [parsed]="asPing()" />
          }
          @case ("mtr") {
            @if (mtrHops().length > 0) {
              <nw-hop-graph [paths]="[mtrPath()]" />
              <nw-mtr-table [hops]="mtrHops()" />
            } @else {
              <p class="muted small">Waiting for hops…</p>
            }
          }
          @case ("traceroute") {
            <nw-traceroute-result [parsed]="asTraceroute()" />
          }
          @case ("dns") {
            <nw-dns-result [parsed]="asDns()" [rawText]="r.raw ?? undefined" />
          }
        }
      }
      @if (type() !== "dns" && r.raw) {
        <button
          type="button"
          class="raw-toggle"
          (click)="showRaw.set(!showRaw())"
          [attr.aria-expanded]="showRaw()"
        >
          {{ showRaw() ? "Hide" : "Show" }} raw output
        </button>
        @if (showRaw()) {
          <pre class="raw">{{ r.raw }}</pre>
        }
      }
    </article>
  `,
  styles: `
    header {
      margin-bottom: 0.6rem;
    }
    h2 {
      margin: 0;
      font-size: 1rem;
    }
    .raw-toggle {
      margin-top: 0.6rem;
      margin-bottom: 0.4rem;
    }
  `,
})
export class WorkerCardComponent {
  /** The operation's type. */
  readonly type = input.required<OperationType>()
  /** The worker's result. */
  readonly result = input.required<WorkerResult>()
  protected readonly showRaw = signal(false)
  /** Finished without anything to draw: the error (or a line) alone. */
  protected readonly finishedEmpty = computed(() => {
    const r = this.result()
    return (
      !["running", "waiting", "no answer"].includes(r.status) && !hasOutput(this.type(), r.result)
    )
  })
  /** A worker the operation waits for (or waited for in vain): nothing to draw yet. */
  protected readonly placeholder = computed(() => {
    const r = this.result()
    return r.result === undefined && !r.raw && (r.status === "waiting" || r.status === "no answer")
  })
  /** The card's name (the page makes it unique when workers share a host name). */
  readonly label = input<string | undefined>(undefined)
  protected readonly name = computed(
    () => this.label() ?? this.result().hostname ?? this.result().workerId,
  )
  protected readonly took = computed(() => {
    const r = this.result()
    if (!r.startedAt || !r.finishedAt) return ""
    return duration(Date.parse(r.finishedAt) - Date.parse(r.startedAt))
  })
  protected readonly asPing = computed(() => this.result().result as PingParsed | undefined)
  protected readonly asTraceroute = computed(
    () => this.result().result as TracerouteParsed | undefined,
  )
  protected readonly asDns = computed(() => this.result().result as DnsParsed | undefined)
  protected readonly mtrHops = computed(
    () => (this.result().result as MtrParsed | undefined)?.hops ?? [],
  )
  protected readonly mtrPath = computed(() =>
    hopPath(this.name(), this.result().result as MtrParsed | undefined),
  )
}
