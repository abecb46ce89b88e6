/**
 * The console in real Chromium against the real server: live ping and mtr results, every tool
 * page, the API's error next to the field, screenshots of each page, and a timed load report.
 */
import assert from "node:assert/strict"
import { existsSync, mkdirSync } from "node:fs"
import path from "node:path"
import { after, before, describe, it } from "node:test"
import type { Browser, BrowserContext, Page } from "playwright-core"
import {
  chromiumPath,
  dnsServer,
  launchBrowser,
  type RunningServer,
  screenshotDir,
  startServer,
} from "./harness.ts"
import { loadReport, streamReport } from "./report.ts"

const hasChromium = existsSync(chromiumPath)
if (!hasChromium)
  console.log(`# e2e skipped: ${chromiumPath} is missing (apt-get install chromium)`)

describe(
  "web console in Chromium",
  { skip: hasChromium ? false : `${chromiumPath} is missing` },
  () => {
    let server: RunningServer
    let dns: Awaited<ReturnType<typeof dnsServer>>
    let browser: Browser
    let context: BrowserContext
    let page: Page
    const errors: Array<string> = []

    const shot = async (name: string, p: Page = page): Promise<void> => {
      await p.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true })
    }
    const go = async (route: string): Promise<void> => {
      await page.goto(server.url + route)
      await page.locator("main h1").first().waitFor()
    }
    /** Queues `n` DNS queries to `${prefix}0.example.test` …; the count of DNS operations then. */
    const queueDns = async (prefix: string, n: number): Promise<number> => {
      for (let i = 0; i < n; i++) {
        const r = await fetch(`${server.url}/api/v1/operations`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            type: "dns",
            target: `${prefix}${i}.example.test`,
            options: { server: "127.0.0.1", port: dns.port },
          }),
        })
        assert.equal(r.status, 202)
      }
      const { total } = (await (
        await fetch(`${server.url}/api/v1/operations?type=dns&limit=1`)
      ).json()) as { total: number }
      return total
    }

    before(async () => {
      mkdirSync(screenshotDir, { recursive: true })
      server = await startServer()
      dns = await dnsServer()
      browser = await launchBrowser()
      context = await browser.newContext({
        viewport: { width: 1366, height: 900 },
        colorScheme: "light",
      })
      context.setDefaultTimeout(15_000)
      page = await context.newPage()
      page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`))
      page.on("console", (m) => {
        if (m.type() === "error") errors.push(`console: ${m.text()}`)
      })
    })

    after(async () => {
      await browser?.close()
      await server?.stop()
      await dns?.close()
    })

    it("opens the overview with the local worker online and the locations on the map", async () => {
      await go("/")
      await page
        .getByTestId("workers-online")
        .filter({ hasText: /^[1-9]/ })
        .waitFor()
      await page.locator("nw-world-map[data-state=ready]").waitFor()
      await page.getByText("Paris").first().waitFor()
      await shot("overview")
    })

    it("runs a ping to 127.0.0.1 and shows the live result", async () => {
      await go("/operations/new")
      await page.getByTestId("target").fill("127.0.0.1")
      await page.getByTestId("option-count").fill("6")
      await page.getByTestId("option-interval").fill("0.5")
      await shot("new-operation")
      await page.getByTestId("submit").click()
      await page.waitForURL(/\/operations\/[0-9a-f-]{36}$/)
      const card = page.locator("nw-worker-card").first()
      // Live: replies show while the worker is still running (progress events), before the result.
      await card.locator(".status.running").waitFor({ timeout: 30_000 })
      await card.locator("nw-ping-result nw-chart canvas").waitFor({ timeout: 30_000 })
      const partial = (await card.locator(".summary").textContent()) ?? ""
      const received = Number(/Received\s*(\d+)/.exec(partial)?.[1] ?? "0")
      assert.ok(received < 6, `expected a partial result while running, got ${partial}`)
      await shot("operation-ping-live")
      await page
        .getByTestId("operation-status")
        .filter({ hasText: "done" })
        .waitFor({ timeout: 30_000 })
      const summary = (await card.locator(".summary").textContent()) ?? ""
      assert.match(summary, /Sent\s*6/)
      assert.match(summary, /Received\s*6/)
      assert.match(summary, /Loss\s*0 %/)
      assert.match(summary, /Avg\s*0\.\d+ ms/)
      await page.waitForTimeout(300)
      await shot("operation-ping")
      // Back from the operation shows the form as it was submitted (it used to come back empty).
      await page.goBack()
      await page.getByTestId("submit").waitFor()
      assert.equal(await page.getByTestId("target").inputValue(), "127.0.0.1")
      assert.equal(await page.getByTestId("option-count").inputValue(), "6")
      assert.equal(await page.getByTestId("option-interval").inputValue(), "0.5")
      // The menu's New operation is a fresh form; Back brings the typed one again.
      await page.getByRole("link", { name: "New operation" }).first().click()
      await page.waitForURL(/\/operations\/new\?type=ping$/)
      assert.equal(await page.getByTestId("target").inputValue(), "")
      await page.goBack()
      await page.waitForFunction(
        () =>
          document.querySelector<HTMLInputElement>("[data-testid=target]")?.value === "127.0.0.1",
      )
      assert.equal(await page.getByTestId("option-count").inputValue(), "6")
    })

    it("runs an mtr to 127.0.0.1 and draws the hop graph and table", async () => {
      await go("/operations/new?type=mtr&target=127.0.0.1")
      await page.getByTestId("option-cycles").fill("3")
      await page.getByTestId("option-interval").fill("0.2")
      await page.getByTestId("submit").click()
      await page.waitForURL(/\/operations\/[0-9a-f-]{36}$/)
      await page.locator("nw-hop-graph nw-chart canvas").first().waitFor({ timeout: 45_000 })
      await page
        .getByTestId("operation-status")
        .filter({ hasText: "done" })
        .waitFor({ timeout: 45_000 })
      const row = await page.locator("nw-mtr-table tbody tr").first().innerText()
      assert.match(row, /127\.0\.0\.1/)
      await page.waitForTimeout(300)
      await shot("operation-mtr")
    })

    it("runs a traceroute to 127.0.0.1 and lists the hop", async () => {
      await go("/operations/new?type=traceroute&target=127.0.0.1")
      await page.getByTestId("submit").click()
      await page.waitForURL(/\/operations\/[0-9a-f-]{36}$/)
      await page
        .locator("nw-traceroute-result tbody tr")
        .filter({ hasText: "127.0.0.1" })
        .waitFor({ timeout: 45_000 })
      await shot("operation-traceroute")
    })

    it("runs a DNS query against a loopback resolver and shows the answer section", async () => {
      await go("/operations/new?type=dns&target=www.example.test")
      await page.getByTestId("option-server").fill("127.0.0.1")
      await page.getByTestId("option-port").fill(String(dns.port))
      await page.getByTestId("submit").click()
      await page.waitForURL(/\/operations\/[0-9a-f-]{36}$/)
      const table = page.locator("nw-dns-result table").first()
      await table.waitFor({ timeout: 30_000 })
      assert.match((await table.textContent()) ?? "", /www\.example\.test\..*192\.0\.2\.1/s)
      await page.locator("nw-dns-result button.raw-toggle").click()
      await page.locator("nw-dns-result pre.raw").filter({ hasText: "ANSWER SECTION" }).waitFor()
      await shot("operation-dns")
    })

    it("shows the API's error next to the target for a bad target", async () => {
      await go("/operations/new")
      await page.getByTestId("target").fill("999.1.1.1")
      await page.getByTestId("submit").click()
      const error = page.getByTestId("target-error")
      await error.waitFor()
      assert.match(await error.innerText(), /not a valid IPv4 address/)
      assert.match(page.url(), /\/operations\/new(\?|$)/)
      await shot("new-operation-error")
    })

    it("lists the operations with filters", async () => {
      await go("/operations")
      await page.locator("table[aria-label=Operations] tbody tr a").first().waitFor()
      const rows = await page.locator("table[aria-label=Operations] tbody tr").count()
      assert.ok(rows >= 3, `expected the operations run above, got ${rows} rows`)
      await page.locator("select").nth(1).selectOption("mtr")
      await page.waitForFunction(() =>
        [...document.querySelectorAll("table[aria-label=Operations] tbody td.type")].every(
          (td) => td.textContent?.trim() === "mtr",
        ),
      )
      await shot("operations")
    })

    it("pages through the history, and Back from an operation keeps its filters and page", async () => {
      // More than a page (25) of DNS queries, so there is a second page to go to.
      const total = await queueDns("page", 27)
      const range = page.getByTestId("range")
      await go("/operations?type=dns")
      await range.filter({ hasText: `1–25 of ${total}` }).waitFor()
      assert.equal(await page.getByTestId("previous").isDisabled(), true)
      await page.getByTestId("next").click()
      const second = `26–${total} of ${total}`
      await range.filter({ hasText: second }).waitFor()
      assert.match(page.url(), /[?&]page=2(&|$)/)
      const firstRow = await page.locator("tbody tr a").first().innerText()
      await page.locator("tbody tr a").first().click()
      await page.waitForURL(/\/operations\/[0-9a-f-]{36}$/)
      await page.locator("nw-worker-card").first().waitFor()
      await page.goBack()
      await range.filter({ hasText: second }).waitFor()
      assert.equal(await page.getByTestId("type").inputValue(), "dns")
      assert.equal(await page.locator("tbody tr a").first().innerText(), firstRow)
      // The tab says which list and page it is.
      assert.equal(await page.title(), "Operations: dns · page 2 · Netwark")
      // A reload keeps the page, and Previous still knows the way back.
      await page.reload()
      await range.filter({ hasText: second }).waitFor()
      assert.equal(await page.getByTestId("type").inputValue(), "dns")
      await page.getByTestId("previous").click()
      await range.filter({ hasText: `1–25 of ${total}` }).waitFor()
      // Browser Back goes to the page before; a filter change goes back to the first page.
      await page.goBack()
      await range.filter({ hasText: second }).waitFor()
      await page.getByTestId("type").selectOption("ping")
      await range.filter({ hasText: /^1–/ }).waitFor()
      assert.doesNotMatch(page.url(), /cursor=/)
      assert.equal(await page.getByTestId("previous").isDisabled(), true)
    })

    it("goes back page by page from a link to page 3 opened in a new tab", async () => {
      // More than two pages (25 each) of DNS queries, so there is a third page to link to.
      const total = await queueDns("back", 51)
      const range = page.getByTestId("range")
      const rows = (p: Page) => p.locator("tbody tr a").allInnerTexts()
      await go("/operations?type=dns")
      await range.filter({ hasText: `1–25 of ${total}` }).waitFor()
      const first = await rows(page)
      await page.getByTestId("next").click()
      await range.filter({ hasText: `26–50 of ${total}` }).waitFor()
      const second = await rows(page)
      await page.getByTestId("next").click()
      await range.filter({ hasText: /^51–/ }).waitFor()
      assert.match(page.url(), /[?&]page=3(&|$)/)
      // A new tab has no history of this list: the way back comes from the server.
      const tab = await context.newPage()
      try {
        await tab.goto(page.url())
        const tabRange = tab.getByTestId("range")
        await tabRange.filter({ hasText: /^51–/ }).waitFor()
        await tab.getByTestId("previous").click()
        await tabRange.filter({ hasText: `26–50 of ${total}` }).waitFor()
        assert.match(tab.url(), /[?&]page=2(&|$)/)
        assert.deepEqual(await rows(tab), second)
        await tab.getByTestId("previous").click()
        await tabRange.filter({ hasText: `1–25 of ${total}` }).waitFor()
        assert.doesNotMatch(tab.url(), /cursor=/)
        assert.deepEqual(await rows(tab), first)
        assert.equal(await tab.getByTestId("previous").isDisabled(), true)
      } finally {
        await tab.close()
      }
    })

    it("IP calculator answers as you type, splits and aggregates", async () => {
      await go("/tools/ipcalc")
      await page.getByTestId("ipcalc-input").fill("10.1.2.3/22")
      await page.getByTestId("ipcalc-report").filter({ hasText: "10.1.0.0/22" }).waitFor()
      assert.match(await page.getByTestId("ipcalc-report").innerText(), /255\.255\.252\.0/)
      await page.getByTestId("split-prefix").fill("24")
      await page.getByTestId("subnets").filter({ hasText: "10.1.3.0/24" }).waitFor()
      await page.getByTestId("aggregate-input").fill("192.168.0.0/24\n192.168.1.0/24")
      await page.getByTestId("aggregate-result").filter({ hasText: "192.168.0.0/23" }).waitFor()
      await page.getByTestId("ipcalc-input").fill("10.1.2.3/33")
      await page.locator("#ipcalc-error").waitFor()
      await page.getByTestId("ipcalc-input").fill("10.1.2.3/22")
      await page.getByTestId("ipcalc-report").waitFor()
      await shot("tools-ipcalc")
      // What was typed is in the URL: a reload opens the same calculation, split and aggregation.
      // (The URL is written as the page reads the fields: wait for it, not for the report.)
      await page.waitForURL(
        (u) => u.searchParams.get("q") === "10.1.2.3/22" && u.searchParams.get("split") === "24",
      )
      await page.reload()
      await page.getByTestId("ipcalc-report").filter({ hasText: "10.1.0.0/22" }).waitFor()
      await page.getByTestId("subnets").filter({ hasText: "10.1.3.0/24" }).waitFor()
      await page.getByTestId("aggregate-result").filter({ hasText: "192.168.0.0/23" }).waitFor()
      assert.equal(await page.getByTestId("ipcalc-input").inputValue(), "10.1.2.3/22")
      assert.equal(await page.getByTestId("split-prefix").inputValue(), "24")
    })

    it("MAC OUI looks up as you type and searches vendors", async () => {
      await go("/tools/oui")
      await page.getByTestId("oui-input").pressSequentially("00:1A:2B:3C", { delay: 20 })
      await page.getByTestId("oui-result").filter({ hasText: "Ayecom" }).waitFor()
      await page.getByTestId("oui-search").fill("cisco")
      await page.getByTestId("oui-search-results").locator("tbody tr").first().waitFor()
      await shot("tools-oui")
      // The lookup and the search survive a reload (both are in the URL).
      await page.waitForURL(
        (u) => u.searchParams.get("mac") === "00:1A:2B:3C" && u.searchParams.get("q") === "cisco",
      )
      await page.reload()
      await page.getByTestId("oui-result").filter({ hasText: "Ayecom" }).waitFor()
      await page.getByTestId("oui-search-results").locator("tbody tr").first().waitFor()
      assert.equal(await page.getByTestId("oui-input").inputValue(), "00:1A:2B:3C")
      assert.equal(await page.getByTestId("oui-search").inputValue(), "cisco")
    })

    it("WHOIS shows the normalized fields and a GeoIP pin for an IP", async () => {
      await go("/tools/whois")
      await page.getByTestId("whois-input").fill("81.2.69.160")
      await page.getByTestId("whois-input").press("Enter")
      const result = page.getByTestId("whois-result")
      await result.waitFor({ timeout: 20_000 })
      assert.match(await result.innerText(), /BT-CORPORATE/)
      await page.locator("nw-world-map[data-state=ready]").waitFor()
      await shot("tools-whois")
      // The lookup is in the URL: the menu's WHOIS is an empty form, Back brings the lookup again.
      assert.match(page.url(), /\/tools\/whois\?q=81\.2\.69\.160$/)
      await page.getByRole("link", { name: "WHOIS" }).first().click()
      await page.waitForURL(/\/tools\/whois$/)
      const box = (v: string) =>
        page.waitForFunction(
          (v) => document.querySelector<HTMLInputElement>("[data-testid=whois-input]")?.value === v,
          v,
        )
      await box("")
      await result.waitFor({ state: "detached" })
      await page.goBack()
      await page.waitForURL(/\?q=81\.2\.69\.160$/)
      await box("81.2.69.160")
      await result.filter({ hasText: "BT-CORPORATE" }).waitFor()
    })

    it("lists the workers with their capabilities", async () => {
      await go("/workers")
      const row = page.locator("table[aria-label=Workers] tbody tr").first()
      await row.filter({ hasText: "online" }).waitFor()
      assert.match(await row.innerText(), /ping/)
      await shot("workers")
      await go("/settings")
      await page.getByRole("radiogroup", { name: "Theme" }).waitFor()
      await shot("settings")
    })

    it("keeps a permalink: reloading an operation page shows it again", async () => {
      await go("/operations")
      await page.locator("table[aria-label=Operations] tbody tr a").first().click()
      await page.locator("nw-worker-card").first().waitFor()
      const url = page.url()
      await page.reload()
      await page.locator("nw-worker-card").first().waitFor()
      assert.equal(page.url(), url)
      await page.goto(`${server.url}/operations/not-an-id`)
      const alert = page.getByRole("alert")
      await alert.waitFor()
      assert.match((await alert.textContent()) ?? "", /Could not load the operation/)
      await page.goto(`${server.url}/operations/00000000-0000-4000-8000-000000000000`)
      await page.getByRole("alert").filter({ hasText: "No such operation" }).waitFor()
    })

    it("renders dark and on a phone", async () => {
      const dark = await browser.newContext({
        viewport: { width: 1366, height: 900 },
        colorScheme: "dark",
      })
      const p = await dark.newPage()
      await p.goto(`${server.url}/operations?type=ping`)
      await p.locator("table[aria-label=Operations] tbody tr a").first().click()
      await p.locator("nw-worker-card nw-chart canvas").first().waitFor({ timeout: 20_000 })
      await p.waitForTimeout(300)
      const bg = await p.evaluate(() => getComputedStyle(document.body).backgroundColor)
      assert.equal(bg, "rgb(14, 19, 24)")
      await shot("operation-dark", p)
      await dark.close()
      const phone = await browser.newContext({
        viewport: { width: 390, height: 844 },
        deviceScaleFactor: 2,
        isMobile: true,
        hasTouch: true,
      })
      const q = await phone.newPage()
      await q.goto(`${server.url}/`)
      await q.locator("nw-world-map[data-state=ready]").waitFor()
      await shot("overview-phone", q)
      await q.getByRole("button", { name: "Menu" }).click()
      await q.locator("nav#nav.open").waitFor()
      await q.waitForTimeout(300) // the drawer slides in
      await shot("menu-phone", q)
      await phone.close()
    })

    it("falls back to the built-in outline when the map style in Settings does not load", async () => {
      const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 } })
      // A style URL on this (loopback) server that answers 404, as a typo would.
      await ctx.addInitScript(() =>
        localStorage.setItem("netwark.mapStyleUrl", "/no-such-map-style.json"),
      )
      const p = await ctx.newPage()
      await p.goto(`${server.url}/`)
      await p.locator("nw-world-map[data-state=ready]").waitFor()
      assert.match(
        await p.getByTestId("map-notice").innerText(),
        /could not load \(HTTP 404\); showing the built-in outline/,
      )
      await shot("overview-map-fallback", p)
      await ctx.close()
    })

    it("raised no errors in the page", () => {
      // Failed resource loads are the 4xx answers the tests above ask for on purpose, or the
      // browser's own network notices (ERR_NETWORK_CHANGED when other tests add namespaces).
      const unexpected = errors.filter((e) => !/Failed to load resource/.test(e))
      assert.deepEqual(unexpected, [])
    })

    it("reports a timed cold load (report, not a pass/fail timing)", async () => {
      console.log(await loadReport(browser, server.url))
      console.log(await streamReport(browser, server.url))
    })
  },
)
