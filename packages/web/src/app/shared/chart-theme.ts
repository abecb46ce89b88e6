/** Chart colours taken from the page's theme variables, so charts follow light and dark. */
export interface ChartTheme {
  readonly text: string
  readonly muted: string
  readonly grid: string
  readonly accent: string
  readonly bad: string
  readonly surface: string
}

/** Reads the current theme (call inside a computed that also reads the theme choice). */
export const chartTheme = (): ChartTheme => {
  const css = getComputedStyle(document.documentElement)
  const v = (name: string, fallback: string): string =>
    css.getPropertyValue(name).trim() || fallback
  return {
    text: v("--text", "#16202a"),
    muted: v("--muted", "#5b6875"),
    grid: v("--border", "#d8dde3"),
    accent: v("--accent", "#0f766e"),
    bad: v("--bad", "#b91c1c"),
    surface: v("--surface", "#ffffff"),
  }
}

/** A palette for several workers' series that reads on both themes. */
export const seriesPalette: ReadonlyArray<string> = [
  "#0ea5e9",
  "#a855f7",
  "#f59e0b",
  "#10b981",
  "#ef4444",
  "#6366f1",
  "#ec4899",
  "#84cc16",
]

/**
 * Room above the plot for the y axis' unit ("ms"), which ECharts draws 15 px above the axis end:
 * with less, the label is cut in half.
 */
export const unitRoom = 30

/** Axis styling shared by every chart. */
export const axis = (t: ChartTheme, name: string): Record<string, unknown> => ({
  name,
  nameTextStyle: { color: t.muted },
  axisLine: { lineStyle: { color: t.grid } },
  axisLabel: { color: t.muted },
  splitLine: { lineStyle: { color: t.grid, opacity: 0.6 } },
})
