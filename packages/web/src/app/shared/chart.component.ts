import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  ElementRef,
  afterNextRender,
  effect,
  inject,
  input,
  signal,
  viewChild,
} from "@angular/core"
import type { EChartsType } from "echarts/core"

/** An ECharts option object (kept loose: the typed one would pull ECharts into this chunk). */
export type ChartOption = Record<string, unknown>

/**
 * One chart. ECharts loads on first use; updates merge into the live chart without re-creating
 * it, so streaming results only redraw what changed.
 */
@Component({
  selector: "nw-chart",
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<div #host class="chart" role="img" [attr.aria-label]="ariaLabel()"></div>
    @if (failed()) {
      <p class="small error-text">The chart could not load: {{ failed() }}</p>
    }`,
  styles: `
    :host {
      display: block;
    }
    .chart {
      height: var(--chart-height, 240px);
      width: 100%;
    }
  `,
})
export class ChartComponent {
  /** What to draw. */
  readonly option = input.required<ChartOption>()
  /** What the chart shows, for screen readers. */
  readonly ariaLabel = input("Chart")

  protected readonly failed = signal<string | null>(null)
  private readonly host = viewChild.required<ElementRef<HTMLDivElement>>("host")
  private chart: EChartsType | undefined
  private readonly ready = signal(false)

  constructor() {
    const destroyRef = inject(DestroyRef)
    let observer: ResizeObserver | undefined
    let visibility: IntersectionObserver | undefined
    const init = async (): Promise<void> => {
      try {
        const { echarts } = await import("./echarts-loader")
        const el = this.host().nativeElement
        this.chart = echarts.init(el, null, { renderer: "canvas" })
        observer = new ResizeObserver(() => this.chart?.resize())
        observer.observe(el)
        this.ready.set(true)
      } catch (e) {
        this.failed.set(e instanceof Error ? e.message : String(e))
      }
    }
    afterNextRender(() => {
      // A chart below the fold is drawn when it scrolls into view: a broadcast to a hundred
      // workers then costs the main thread only the charts on screen.
      if (typeof IntersectionObserver === "undefined") return void init()
      visibility = new IntersectionObserver(
        (entries) => {
          if (!entries.some((e) => e.isIntersecting)) return
          visibility?.disconnect()
          void init()
        },
        { rootMargin: "200px" },
      )
      visibility.observe(this.host().nativeElement)
    })
    effect(() => {
      const option = this.option()
      if (this.ready())
        this.chart?.setOption(option, {
          notMerge: false,
          lazyUpdate: true,
          replaceMerge: ["series"],
        })
    })
    destroyRef.onDestroy(() => {
      observer?.disconnect()
      visibility?.disconnect()
      this.chart?.dispose()
    })
  }
}
