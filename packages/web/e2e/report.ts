/**
 * Performance report of the built console: initial JavaScript/CSS compressed (gzip, as the budget
 * counts it), the lazy chunks, and timed cold loads in Chromium. Printed, never asserted.
 */
import { readFileSync, readdirSync, statSync } from "node:fs"
import path from "node:path"
import { brotliCompressSync, constants, gzipSync } from "node:zlib"
import type { Browser } from "playwright-core"
import { distDir } from "./harness.ts"

const kB = (n: number): string => `${(n / 1024).toFixed(1)} kB`

/** The files index.html loads before the app runs: scripts, module preloads, stylesheets. */
export const initialFiles = (): ReadonlyArray<string> => {
  const html = readFileSync(path.join(distDir, "index.html"), "utf8")
  const files = new Set<string>()
  for (const m of html.matchAll(
    /<(?:script|link)\b[^>]*?(?:src|href)="([^"]+\.(?:js|css))"[^>]*>/g,
  )) {
    const tag = m[0]
    if (tag.startsWith("<link") && !/rel="(?:modulepreload|stylesheet)"/.test(tag)) continue
    if (m[1] !== undefined) files.add(m[1])
  }
  return [...files]
}

/** Sizes of the initial files and the biggest lazy chunks. */
export const bundleReport = (): string => {
  const lines = ["Bundle (dist/):"]
  let raw = 0
  let gz = 0
  let br = 0
  for (const f of initialFiles()) {
    const data = readFileSync(path.join(distDir, f))
    const g = gzipSync(data, { level: 9 }).length
    const b = brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length
    raw += data.length
    gz += g
    br += b
    lines.push(
      `  initial  ${f.padEnd(28)} ${kB(data.length).padStart(10)} raw ${kB(g).padStart(9)} gzip ${kB(b).padStart(9)} brotli`,
    )
  }
  lines.push(
    `  initial total ${kB(raw)} raw, ${kB(gz)} gzip, ${kB(br)} brotli (budget: 300 kB compressed)`,
  )
  const lazy = readdirSync(distDir)
    .filter((f) => f.endsWith(".js") && !initialFiles().includes(f))
    .map((f) => ({ f, size: statSync(path.join(distDir, f)).size }))
    .sort((a, b) => b.size - a.size)
    .slice(0, 4)
  for (const { f, size } of lazy) {
    const g = gzipSync(readFileSync(path.join(distDir, f)), { level: 9 }).length
    lines.push(`  lazy     ${f.padEnd(28)} ${kB(size).padStart(10)} raw ${kB(g).padStart(9)} gzip`)
  }
  return lines.join("\n")
}

const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] ?? Number.NaN
}

/** Cold loads (fresh context, empty cache) of the overview and of the operations list. */
export const loadReport = async (browser: Browser, url: string, runs = 5): Promise<string> => {
  const lines = [
    bundleReport(),
    "",
    `Timed cold loads in Chromium against ${url} (median of ${runs}):`,
  ]
  for (const route of ["/", "/operations", "/tools/ipcalc"]) {
    const samples: Array<{ dcl: number; fcp: number; h1: number; js: number }> = []
    for (let i = 0; i < runs; i++) {
      const context = await browser.newContext({ viewport: { width: 1366, height: 900 } })
      const page = await context.newPage()
      await page.goto(url + route, { waitUntil: "commit" })
      await page.locator("main h1").first().waitFor()
      const h1 = await page.evaluate(() => performance.now())
      await page.waitForLoadState("load")
      const m = await page.evaluate(() => {
        const nav = performance.getEntriesByType("navigation")[0] as
          PerformanceNavigationTiming | undefined
        const fcp =
          performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? Number.NaN
        const js = performance
          .getEntriesByType("resource")
          .filter((r) => r.name.endsWith(".js"))
          .reduce((n, r) => n + (r as PerformanceResourceTiming).transferSize, 0)
        return { dcl: nav?.domContentLoadedEventEnd ?? Number.NaN, fcp, js }
      })
      samples.push({ ...m, h1 })
      await context.close()
    }
    lines.push(
      `  ${route.padEnd(14)} first paint ${median(samples.map((s) => s.fcp)).toFixed(0)} ms · ` +
        `DOMContentLoaded ${median(samples.map((s) => s.dcl)).toFixed(0)} ms · ` +
        `page heading shown ${median(samples.map((s) => s.h1)).toFixed(0)} ms · ` +
        `JS transferred ${kB(median(samples.map((s) => s.js)))}`,
    )
  }
  return lines.join("\n")
}
