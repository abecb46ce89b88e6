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

/**
 * A broadcast to 100 workers, streamed: the operation page's event stream is answered by a
 * loopback server that sends one worker's result every 20 ms (the real server has one local
 * worker). Reports how long until all 100 cards are filled and how long the main thread blocked.
 */
export const streamReport = async (
  browser: Browser,
  url: string,
  workers = 100,
  everyMs = 20,
): Promise<string> => {
  const { createServer } = await import("node:http")
  const id = "00000000-0000-4000-8000-0000000000aa"
  const now = new Date().toISOString()
  const expected = Array.from({ length: workers }, (_, i) => ({
    jobId: `job-${i}`,
    queue: "netwark.broadcast",
    workerId: `worker-${i}`,
    hostname: `probe-${String(i).padStart(3, "0")}`,
  }))
  const result = (i: number) => {
    const replies = Array.from({ length: 10 }, (_, s) => ({
      type: "reply",
      sequence: s + 1,
      from: "192.0.2.1",
      ttl: 57,
      bytes: 64,
      rttMs: 10 + i / 10 + ((s * 7) % 5),
      duplicate: false,
    }))
    return {
      ...expected[i],
      location: null,
      status: "ok",
      attempt: 1,
      startedAt: now,
      finishedAt: now,
      receivedAt: now,
      durationMs: 9000,
      raw: "",
      error: null,
      result: {
        status: "ok",
        replies: i % 10 === 0 ? replies.filter((r) => r.sequence !== 4) : replies,
        missing: i % 10 === 0 ? [4] : [],
        errors: [],
        summary: {
          transmitted: 10,
          received: i % 10 === 0 ? 9 : 10,
          duplicates: 0,
          errors: 0,
          lossPercent: i % 10 === 0 ? 10 : 0,
          rtt: { minMs: 10, avgMs: 12, maxMs: 14, mdevMs: 1 },
        },
      },
    }
  }
  const op = {
    id,
    type: "ping",
    target: "192.0.2.1",
    options: { count: 10 },
    queues: ["netwark.broadcast"],
    status: "running",
    expected: workers,
    received: 0,
    createdAt: now,
    dispatchedAt: now,
    deadline: null,
    finishedAt: null,
    error: null,
    expectedWorkers: expected,
    results: [] as Array<unknown>,
  }
  const done = {
    ...op,
    status: "done",
    received: workers,
    finishedAt: now,
    results: expected.map((_, i) => result(i)),
  }
  let finished = false
  const sse = createServer((_req, res) => {
    res.writeHead(200, {
      "content-type": "text/event-stream",
      "cache-control": "no-cache",
      "access-control-allow-origin": "*",
    })
    res.write(`event: snapshot\ndata: ${JSON.stringify(op)}\n\n`)
    let i = 0
    const timer = setInterval(() => {
      if (i < workers) {
        res.write(`event: result\ndata: ${JSON.stringify(result(i))}\n\n`)
        i++
        return
      }
      clearInterval(timer)
      // From now on the operation reads as the real server would answer it: done, every result.
      finished = true
      res.end(`event: status\ndata: ${JSON.stringify({ id, status: "done" })}\n\n`)
    }, everyMs)
    res.on("close", () => clearInterval(timer))
  })
  await new Promise<void>((resolve) => sse.listen(0, "127.0.0.1", resolve))
  const port = (sse.address() as { port: number }).port
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } })
  try {
    const page = await context.newPage()
    await page.route(`**/api/v1/operations/${id}`, (route) =>
      route.fulfill({ json: finished ? done : op }),
    )
    await page.route(`**/api/v1/operations/${id}/events`, (route) =>
      route.continue({ url: `http://127.0.0.1:${port}/events` }),
    )
    await page.addInitScript(() => {
      const w = window as unknown as { __longTasks: Array<number> }
      w.__longTasks = []
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.__longTasks.push(e.duration)
      }).observe({ type: "longtask", buffered: true })
    })
    const start = Date.now()
    await page.goto(`${url}/operations/${id}`)
    await page
      .locator("nw-worker-card")
      .nth(workers - 1)
      .waitFor()
    await page.waitForFunction(
      (n) => document.querySelectorAll("nw-worker-card .status.ok").length === n,
      workers,
      { timeout: 60_000, polling: 50 },
    )
    const filled = Date.now() - start
    const tasks = await page.evaluate(
      () => (window as unknown as { __longTasks: Array<number> }).__longTasks,
    )
    const blocking = tasks.reduce((n, d) => n + Math.max(0, d - 50), 0)
    const longest = tasks.reduce((n, d) => Math.max(n, d), 0)
    return (
      `Operation page, ${workers} workers' ping results streamed one every ${everyMs} ms (${(workers * everyMs) / 1000} s of stream):\n` +
      `  all ${workers} cards filled after ${filled} ms · ${tasks.length} long task(s), longest ${longest.toFixed(0)} ms, ` +
      `total blocking ${blocking.toFixed(0)} ms`
    )
  } finally {
    await context.close()
    await new Promise<void>((resolve) => sse.close(() => resolve()))
  }
}
