import { ChangeDetectionStrategy, Component, computed, inject, input } from "@angular/core"
import { ThemeService } from "../../../core/theme.service"
import { type ChartOption, ChartComponent } from "../../../shared/chart.component"
import { axis, chartTheme, seriesPalette, unitRoom } from "../../../shared/chart-theme"
import { ms, percent } from "../../../shared/format"
import { type HopPath, hopBars, maxHops } from "../lib/hop-graph"

/**
 * The mtr hop graph: per hop a bar from best to worst latency coloured by loss, and the average
 * as a line; several workers' paths sit side by side at each hop.
 */
@Component({
  selector: "nw-hop-graph",
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ChartComponent],
  template: `<nw-chart [option]="option()" [ariaLabel]="label()" />
    <p class="legend small muted">
      Bars: best to worst latency. Line: average. Colour: loss
      <span class="sw" style="background:#16a34a"></span>0 %
      <span class="sw" style="background:#ca8a04"></span>&lt;10 %
      <span class="sw" style="background:#ea580c"></span>&lt;50 %
      <span class="sw" style="background:#dc2626"></span>≥50 %
    </p>`,
  styles: `
    nw-chart {
      --chart-height: 280px;
    }
    .legend {
      display: flex;
      gap: 0.35rem;
      align-items: center;
      flex-wrap: wrap;
      margin: 0.2rem 0 0;
    }
    .sw {
      display: inline-block;
      width: 0.7rem;
      height: 0.7rem;
      border-radius: 2px;
      margin-left: 0.4rem;
    }
  `,
})
export class HopGraphComponent {
  /** One path per worker. */
  readonly paths = input.required<ReadonlyArray<HopPath>>()
  private readonly theme = inject(ThemeService)
  protected readonly label = computed(
    () => `Latency per hop for ${this.paths().length} path(s), ${maxHops(this.paths())} hops`,
  )
  protected readonly option = computed<ChartOption>(() => {
    this.theme.choice()
    const t = chartTheme()
    const paths = this.paths()
    const n = maxHops(paths)
    const hops = Array.from({ length: n }, (_, i) => i + 1)
    const several = paths.length > 1
    const series: Array<Record<string, unknown>> = []
    const bars = hopBars(paths, n)
    paths.forEach((path, i) => {
      const byHop = new Map(path.points.map((p) => [p.hop, p]))
      const colour = seriesPalette[i % seriesPalette.length]
      const stack = `path${i}`
      const { base, span } = bars[i]!
      series.push({
        name: `${path.name} base`,
        type: "bar",
        stack,
        silent: true,
        itemStyle: { color: "transparent" },
        data: base,
        tooltip: { show: false },
      })
      series.push({
        name: several ? path.name : "best–worst",
        type: "bar",
        stack,
        barMaxWidth: 26,
        // The legend's swatch: the path's colour (each bar is filled by its loss colour).
        itemStyle: { color: several ? colour : "#16a34a" },
        data: hops.map((h, k) => {
          const p = byHop.get(h)
          const value = span[k]
          if (p === undefined || value === null || value === undefined) return null
          return {
            value,
            itemStyle: {
              color: p.colour,
              opacity: 0.75,
              borderColor: several ? colour : p.colour,
              borderWidth: several ? 2 : 0,
            },
          }
        }),
      })
      series.push({
        name: several ? `${path.name} avg` : "average",
        type: "line",
        data: hops.map((h) => byHop.get(h)?.avg ?? null),
        connectNulls: true,
        symbolSize: 6,
        lineStyle: { color: several ? colour : t.text, width: 1.5 },
        itemStyle: { color: several ? colour : t.text },
      })
    })
    return {
      animation: false,
      grid: { left: 52, right: 12, top: several ? 34 : unitRoom, bottom: 34 },
      legend: several
        ? { top: 0, textStyle: { color: t.muted }, data: paths.map((p) => p.name) }
        : undefined,
      tooltip: {
        trigger: "axis",
        axisPointer: { type: "shadow" },
        formatter: (items: ReadonlyArray<{ dataIndex: number }>) => {
          const hop = (items[0]?.dataIndex ?? 0) + 1
          const lines = [`<b>Hop ${hop}</b>`]
          for (const path of paths) {
            const p = path.points.find((x) => x.hop === hop)
            if (p === undefined) continue
            const who = several ? `${escape(path.name)}: ` : ""
            lines.push(
              `${who}${escape(p.label)}<br>loss ${percent(p.loss)} · best ${ms(p.best)} · avg ${ms(p.avg)} · worst ${ms(p.worst)}`,
            )
          }
          return lines.join("<br>")
        },
      },
      xAxis: {
        type: "category",
        data: hops,
        ...axis(t, "hop"),
        nameLocation: "middle",
        nameGap: 24,
      },
      yAxis: { type: "value", min: 0, ...axis(t, "ms") },
      series,
    }
  })
}

const escape = (s: string): string =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  )
