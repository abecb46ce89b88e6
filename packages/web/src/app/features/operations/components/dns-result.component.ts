import { ChangeDetectionStrategy, Component, computed, input, signal } from "@angular/core"
import type { DnsParsed, DnsRecord } from "../../../core/models"
import { dnsFailure } from "../lib/dns-outcome"

interface Section {
  readonly name: string
  readonly records: ReadonlyArray<DnsRecord>
}

/** dig's answer: each section as a table (and +trace steps), with the raw output on demand. */
@Component({
  selector: "nw-dns-result",
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @let m = message();
    @if (m) {
      <p class="row small">
        <span class="chip">{{ m.rcode ?? parsed()?.status }}</span>
        @for (f of m.flags ?? []; track f) {
          <span class="chip">{{ f }}</span>
        }
        @if (m.queryTimeMs !== undefined) {
          <span class="muted">{{ m.queryTimeMs }} ms</span>
        }
        @if (m.server) {
          <span class="muted"> · server {{ m.server }}</span>
        }
      </p>
    } @else if (parsed()?.status) {
      <p class="row small">
        <span class="chip">{{ parsed()?.status }}</span>
      </p>
    }
    @if (failure(); as f) {
      <p class="error-text" data-testid="dns-failure">{{ f }}</p>
    }
    @for (s of sections(); track s.name) {
      <h3>{{ s.name }}</h3>
      <div class="table-wrap">
        <table class="data">
          <thead>
            <tr>
              <th>Name</th>
              <th class="num">TTL</th>
              <th>Class</th>
              <th>Type</th>
              <th>Data</th>
            </tr>
          </thead>
          <tbody>
            @for (r of s.records; track $index) {
              <tr>
                <td class="mono">{{ r.name }}</td>
                <td class="num">{{ r.ttl }}</td>
                <td>{{ r.class }}</td>
                <td>{{ r.type }}</td>
                <td class="mono data">{{ r.data }}</td>
              </tr>
            }
          </tbody>
        </table>
      </div>
    } @empty {
      @if (!failure()) {
        <p class="muted small">No records in the answer.</p>
      }
    }
    <button
      type="button"
      class="raw-toggle"
      (click)="showRaw.set(!showRaw())"
      [attr.aria-expanded]="showRaw()"
    >
      {{ showRaw() ? "Hide" : "Show" }} raw output
    </button>
    @if (showRaw()) {
      <pre class="raw">{{ raw() }}</pre>
    }
  `,
  styles: `
    h3 {
      margin-top: 0.8rem;
      text-transform: capitalize;
    }
    td.data {
      word-break: break-all;
    }
    .raw-toggle {
      margin: 0.6rem 0 0.4rem;
    }
  `,
})
export class DnsResultComponent {
  /** The parsed dig output. */
  readonly parsed = input<DnsParsed | undefined>(undefined)
  /** The raw output, when the worker's result carries it separately. */
  readonly rawText = input<string | undefined>(undefined)
  protected readonly showRaw = signal(false)
  protected readonly message = computed(() => this.parsed()?.messages?.at(-1))
  /** No DNS server answered (refused, timed out…): said in words, not "no records". */
  protected readonly failure = computed(() => dnsFailure(this.parsed()))
  protected readonly raw = computed(() => this.rawText() ?? this.parsed()?.raw ?? "")
  protected readonly sections = computed<ReadonlyArray<Section>>(() => {
    const p = this.parsed()
    const out: Array<Section> = []
    const m = this.message()
    if (m !== undefined) {
      for (const [name, records] of [
        ["answer", m.answer],
        ["authority", m.authority],
        ["additional", m.additional],
      ] as const) {
        if (records !== undefined && records.length > 0) out.push({ name, records })
      }
    }
    for (const [i, step] of (p?.trace ?? []).entries()) {
      out.push({
        name: `trace step ${i + 1} · from ${step.from} in ${step.timeMs} ms`,
        records: step.records,
      })
    }
    return out
  })
}
