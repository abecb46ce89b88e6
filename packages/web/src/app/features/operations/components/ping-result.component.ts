import { ChangeDetectionStrategy, Component, computed, inject, input } from "@angular/core"
import type { PingParsed } from "../../../core/models"
import { ThemeService } from "../../../core/theme.service"
import { type ChartOption, ChartComponent } from "../../../shared/chart.component"
import { axis, chartTheme, unitRoom } from "../../../shared/chart-theme"
import { ms, percent } from "../../../shared/format"
import { pingSeries } from "../lib/ping-series"

/** One worker's ping: the RTT of every probe (lost ones marked) and the summary. */
@Component({
  selector: "nw-ping-result",
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ChartComponent],
  template: `
    @let s = summary();
    <dl class="summary">
      <div>
        <dt>Sent</dt>
        <dd>{{ s?.transmitted ?? series().points.length }}</dd>
      </div>
      <div>
        <dt>Received</dt>
        <dd>{{ s?.received ?? receivedCount() }}</dd>
      </div>
      <div [class.bad]="(s?.lossPercent ?? series().lossPercent ?? 0) > 0">
        <dt>Loss</dt>
        <dd>{{ percent(s?.lossPercent ?? series().lossPercent) }}</dd>
      </div>
      <div>
        <dt>Min</dt>
        <dd>{{ ms(s?.rtt?.minMs ?? series().min) }}</dd>
      </div>
      <div>
        <dt>Avg</dt>
        <dd>{{ ms(s?.rtt?.avgMs ?? series().avg) }}</dd>
      </div>
      <div>
        <dt>Max</dt>
        <dd>{{ ms(s?.rtt?.maxMs ?? series().max) }}</dd>
      </div>
      <div>
        <dt>Mdev</dt>
        <dd>{{ ms(s?.rtt?.mdevMs) }}</dd>
      </div>
    </dl>
    @if (series().points.length > 0) {
      <nw-chart class="rtt-chart" [option]="option()" [ariaLabel]="label()" />
      @if (series().lost.length > 0) {
        <p class="small muted lost">
          No reply to probe {{ series().lost.join(", ") }} (red marks on the chart).
        </p>
      }
    } @else if (parsed()?.message) {
      <p class="error-text">{{ parsed()?.message }}</p>
    } @else {
      <p class="muted small">Waiting for replies…</p>
    }
  `,
  styles: `
    .summary {
      display: grid;
      grid-template-columns: repeat(auto-fill, minmax(84px, 1fr));
      gap: 0.4rem;
      margin: 0 0 0.6rem;
    }
    .summary div {
      background: var(--surface-2);
      border-radius: 6px;
      padding: 0.3rem 0.5rem;
    }
    .summary dt {
      font-size: 0.72rem;
      color: var(--muted);
      text-transform: uppercase;
      letter-spacing: 0.03em;
    }
    .summary dd {
      margin: 0;
      font-weight: 600;
      font-variant-numeric: tabular-nums;
      white-space: nowrap;
    }
    .summary .bad dd {
      color: var(--bad);
    }
    nw-chart {
      --chart-height: 200px;
    }
  `,
})
export class PingResultComponent {
  /** The parsed ping output. */
  readonly parsed = input<PingParsed | undefined>(undefined)
  private readonly theme = inject(ThemeService)
  protected readonly ms = ms
  protected readonly percent = percent
  protected readonly series = computed(() => pingSeries(this.parsed()))
  protected readonly summary = computed(() => this.parsed()?.summary)
  protected readonly receivedCount = computed(
    () => this.series().points.filter((p) => p.rtt !== null).length,
  )
  protected readonly label = computed(
    () =>
      `Round-trip time of ${this.series().points.length} probes, ${this.series().lost.length} without reply`,
  )
  protected readonly option = computed<ChartOption>(() => {
    this.theme.choice()
    const t = chartTheme()
    const s = this.series()
    const top = s.max ?? 1
    return {
      animation: false,
      grid: { left: 48, right: 12, top: unitRoom, bottom: 32 },
      tooltip: {
        trigger: "axis",
        valueFormatter: (v: unknown) => (typeof v === "number" ? ms(v) : "no reply"),
      },
      xAxis: {
        type: "category",
        data: s.points.map((p) => p.sequence),
        ...axis(t, "probe"),
        nameLocation: "middle",
        nameGap: 22,
      },
      yAxis: { type: "value", min: 0, ...axis(t, "ms") },
      series: [
        {
          name: "RTT",
          type: "line",
          data: s.points.map((p) => p.rtt),
          connectNulls: false,
          showSymbol: s.points.length <= 60,
          symbolSize: 5,
          lineStyle: { color: t.accent, width: 2 },
          itemStyle: { color: t.accent },
          areaStyle: { color: t.accent, opacity: 0.08 },
        },
        {
          name: "lost",
          type: "scatter",
          data: s.points.map((p) => (p.rtt === null ? top * 0.04 : null)),
          symbol: "triangle",
          symbolRotate: 180,
          symbolSize: 10,
          itemStyle: { color: t.bad },
          tooltip: { valueFormatter: () => "no reply" },
        },
      ],
    }
  })
}
