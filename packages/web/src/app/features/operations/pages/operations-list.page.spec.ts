import { ApplicationRef } from "@angular/core"
import { TestBed } from "@angular/core/testing"
import { provideRouter, Router } from "@angular/router"
import { API, type Api } from "../../../core/api"
import type { OperationFilter } from "../../../core/models"
import { OperationsListPage } from "./operations-list.page"

const render = async (query: Record<string, string>, api: Partial<Api>) => {
  TestBed.configureTestingModule({
    providers: [
      provideRouter([{ path: "operations", children: [] }]),
      { provide: API, useValue: api },
    ],
  })
  await TestBed.inject(Router).navigate(["operations"], { queryParams: query })
  const fixture = TestBed.createComponent(OperationsListPage)
  await fixture.whenStable()
  await new Promise((r) => setTimeout(r, 300))
  await fixture.whenStable()
  return fixture.nativeElement as HTMLElement
}

/** Lets a click's navigation and the page it asks for come, then the view catch up. */
const settle = async () => {
  await new Promise((r) => setTimeout(r, 50))
  await TestBed.inject(ApplicationRef).whenStable()
}

/** A finished ping to 127.0.0.`n` as the list shows it; `id` ends the operation's uuid. */
const doneRow = (id: string, n: number) => ({
  id: `6f0c1f8e-0000-4000-8000-0000000000${id}`,
  type: "ping" as const,
  target: `127.0.0.${n}`,
  status: "done",
  queues: ["netwark.broadcast"],
  createdAt: new Date().toISOString(),
  expected: 1,
  received: 1,
})

describe("operations list page", () => {
  it("loads the list from a link with a bad date and says what is wrong next to the field", async () => {
    const asked: Array<OperationFilter> = []
    const el = await render(
      { since: "garbage", type: "ping" },
      {
        listOperations: async (f) => {
          asked.push(f)
          return {
            items: [
              doneRow("03", 1),
              // Not dispatched yet (the broker is down): no expected count.
              { ...doneRow("04", 2), status: "pending", expected: null, received: 0 },
            ],
            total: 2,
          }
        },
      },
    )
    expect(el.querySelector("[data-testid=since-error]")?.textContent).toBe('not a date: "garbage"')
    expect(asked.at(-1)).toEqual({ limit: 25, type: "ping" })
    expect(el.querySelectorAll("tbody tr a")).toHaveLength(2)
    expect(
      [...el.querySelectorAll("[data-testid=workers]")].map((td) => td.textContent?.trim()),
    ).toEqual(["1 / 1", "0"])
  })

  it("opens a shared link on its page, with its filters shown in the fields", async () => {
    const asked: Array<OperationFilter> = []
    const op = (n: number) => doneRow(`1${n}`, n)
    const el = await render(
      { type: "ping", status: "done", page: "2", cursor: "c2" },
      {
        listOperations: async (f) => {
          asked.push(f)
          return { items: [op(1), op(2)], total: 27 }
        },
      },
    )
    // Every request, the first included, carries the link's filters and page.
    expect(asked.length).toBeGreaterThan(0)
    for (const f of asked)
      expect(f).toEqual({ limit: 25, type: "ping", status: "done", cursor: "c2" })
    expect(el.querySelector("[data-testid=range]")?.textContent?.trim()).toBe("26–27 of 27")
    // The selects showed "any" for a filter read from the URL (their options came after the value).
    expect(el.querySelector<HTMLSelectElement>("[data-testid=type]")?.value).toBe("ping")
    expect(el.querySelector<HTMLSelectElement>("[data-testid=status]")?.value).toBe("done")
    // The API matches the target exactly: the field does not promise a substring search.
    expect(el.querySelector("[data-testid=target]")?.getAttribute("placeholder")).toBe(
      "exact name or address",
    )
    expect(el.querySelector<HTMLButtonElement>("[data-testid=previous]")?.disabled).toBe(false)
    expect(el.querySelector<HTMLButtonElement>("[data-testid=next]")?.disabled).toBe(true)
  })

  it("turns Next off until the next page has come, so a double click does not skip one", async () => {
    const asked: Array<OperationFilter> = []
    let release: () => void = () => undefined
    const row = {
      id: "6f0c1f8e-0000-4000-8000-000000000020",
      type: "ping" as const,
      target: "127.0.0.1",
      status: "done",
      queues: ["netwark.broadcast"],
      createdAt: new Date().toISOString(),
      expected: 1,
      received: 1,
    }
    const el = await render(
      {},
      {
        listOperations: async (f) => {
          asked.push(f)
          // The second page takes its time.
          if (f.cursor !== undefined) await new Promise<void>((r) => (release = r))
          return { items: [row], total: 60, nextCursor: f.cursor === undefined ? "p2" : "p3" }
        },
      },
    )
    const next = el.querySelector<HTMLButtonElement>("[data-testid=next]")!
    expect(next.disabled).toBe(false)
    next.click()
    // Not whenStable: the page is still loading on purpose.
    for (let i = 0; i < 50 && asked.length < 2; i++) {
      TestBed.inject(ApplicationRef).tick()
      await new Promise((r) => setTimeout(r, 10))
    }
    TestBed.inject(ApplicationRef).tick()
    expect(asked).toHaveLength(2)
    expect(next.disabled).toBe(true)
    next.click()
    release()
    await settle()
    expect(asked.map((f) => f.cursor)).toEqual([undefined, "p2"])
    expect(el.querySelector("[data-testid=range]")?.textContent?.trim()).toBe("26–26 of 60")
    expect(next.disabled).toBe(false)
  })

  it("labels the rows on screen with their own page while the next one loads", async () => {
    // A server that gives no offset: the range falls back to the page number. It took the page
    // asked for, so the first page's rows read "26–26 of 60" until page 2 came (the e2e test
    // that pages through a full page 2 read page 1's rows under that label).
    let release: () => void = () => undefined
    const el = await render(
      {},
      {
        listOperations: async (f) => {
          if (f.cursor === undefined)
            return { items: [doneRow("71", 1)], total: 60, nextCursor: "p2" }
          await new Promise<void>((r) => (release = r))
          return { items: [doneRow("72", 2)], total: 60, nextCursor: "p3" }
        },
      },
    )
    const range = () => el.querySelector("[data-testid=range]")?.textContent?.trim()
    const rows = () => [...el.querySelectorAll("tbody tr a")].map((a) => a.textContent?.trim())
    el.querySelector<HTMLButtonElement>("[data-testid=next]")!.click()
    // Not whenStable: page 2 is still loading on purpose.
    for (let i = 0; i < 10; i++) {
      TestBed.inject(ApplicationRef).tick()
      await new Promise((r) => setTimeout(r, 10))
    }
    expect(TestBed.inject(Router).url).toBe("/operations?page=2&cursor=p2")
    expect(rows()).toEqual(["127.0.0.1"])
    expect(range()).toBe("1–1 of 60")
    release()
    await settle()
    expect(rows()).toEqual(["127.0.0.2"])
    expect(range()).toBe("26–26 of 60")
  })

  it("goes back from a link to page 3 opened in a new tab, page by page, with the server's cursors", async () => {
    const asked: Array<OperationFilter> = []
    const row = (n: number) => doneRow(`3${n}`, n)
    // The server's pages: each names the cursor of the page before it (none on the first).
    const pages: Record<string, { previousCursor: string | null; nextCursor: string }> = {
      first: { previousCursor: null, nextCursor: "after1" },
      c3: { previousCursor: "before3", nextCursor: "after3" },
      before3: { previousCursor: "before2", nextCursor: "after2" },
    }
    const el = await render(
      { type: "ping", page: "3", cursor: "c3" },
      {
        listOperations: async (f) => {
          asked.push(f)
          return { items: [row(1)], total: 80, ...pages[f.cursor ?? "first"]! }
        },
      },
    )
    const router = TestBed.inject(Router)
    const range = () => el.querySelector("[data-testid=range]")?.textContent?.trim()
    expect(range()).toBe("51–51 of 80")
    const previous = el.querySelector<HTMLButtonElement>("[data-testid=previous]")!
    previous.click()
    await settle()
    expect(asked.at(-1)).toEqual({ limit: 25, type: "ping", cursor: "before3" })
    expect(range()).toBe("26–26 of 80")
    expect(router.url).toBe("/operations?type=ping&page=2&cursor=before3")
    // From page 2 the first page is the plain list (its URL has no cursor).
    previous.click()
    await settle()
    expect(asked.at(-1)).toEqual({ limit: 25, type: "ping" })
    expect(range()).toBe("1–1 of 80")
    expect(router.url).toBe("/operations?type=ping")
    expect(previous.disabled).toBe(true)
  })

  it("goes to the first page when the server gives no way back", async () => {
    const asked: Array<OperationFilter> = []
    const el = await render(
      { page: "4", cursor: "c4" },
      {
        listOperations: async (f) => {
          asked.push(f)
          return { items: [doneRow("41", 1)], total: 76, nextCursor: null, previousCursor: null }
        },
      },
    )
    el.querySelector<HTMLButtonElement>("[data-testid=previous]")!.click()
    await settle()
    expect(asked.at(-1)).toEqual({ limit: 25 })
    expect(TestBed.inject(Router).url).toBe("/operations")
  })

  it("falls back to the first page when a link's page comes back empty (its rows were deleted)", async () => {
    const asked: Array<OperationFilter> = []
    const el = await render(
      { type: "ping", page: "4", cursor: "c4" },
      {
        listOperations: async (f) => {
          asked.push(f)
          // Nothing after the cursor any more: the server says so with an empty page.
          return f.cursor === undefined
            ? { items: [doneRow("51", 1), doneRow("52", 2)], total: 2, offset: 0, nextCursor: null }
            : { items: [], total: 2, offset: 2, nextCursor: null, previousCursor: null }
        },
      },
    )
    await settle()
    expect(asked.map((f) => f.cursor)).toEqual(["c4", undefined])
    expect(TestBed.inject(Router).url).toBe("/operations?type=ping")
    expect(el.querySelectorAll("tbody tr a")).toHaveLength(2)
    expect(el.querySelector("[data-testid=range]")?.textContent?.trim()).toBe("1–2 of 2")
    expect(el.querySelector<HTMLButtonElement>("[data-testid=previous]")?.disabled).toBe(true)
  })

  it("labels a page with the server's count of rows before it, not its page number", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] })
    try {
      const asked: Array<OperationFilter> = []
      let above = 50
      // Still running, so the page reads itself again every 10 s.
      const running = { ...doneRow("61", 1), status: "running" }
      const el = await render(
        { page: "3", cursor: "c3" },
        {
          listOperations: async (f) => {
            asked.push(f)
            return f.cursor === undefined
              ? { items: [doneRow("61", 1)], total: 1, offset: 0, nextCursor: null }
              : { items: [running], total: above + 1, offset: above, nextCursor: null }
          },
        },
      )
      const range = () => el.querySelector("[data-testid=range]")?.textContent?.trim()
      const refresh = async () => {
        vi.advanceTimersByTime(10_000)
        await settle()
      }
      expect(range()).toBe("51–51 of 51")
      // 30 of the rows above were deleted before the page is read again: page arithmetic said
      // "51–51 of 21".
      above = 20
      await refresh()
      expect(range()).toBe("21–21 of 21")
      // All of them: the page is the top of the list, so it becomes the first page.
      above = 0
      await refresh()
      await settle()
      expect(TestBed.inject(Router).url).toBe("/operations")
      expect(asked.at(-1)).toEqual({ limit: 25 })
      expect(range()).toBe("1–1 of 1")
    } finally {
      vi.useRealTimers()
    }
  })

  it("follows its URL: the menu's Operations on a filtered list shows the whole list", async () => {
    const asked: Array<OperationFilter> = []
    const el = await render(
      { type: "ping" },
      {
        listOperations: async (f) => {
          asked.push(f)
          return { items: [], total: 0 }
        },
      },
    )
    expect(el.querySelector<HTMLSelectElement>("[data-testid=type]")?.value).toBe("ping")
    await TestBed.inject(Router).navigateByUrl("/operations")
    await new Promise((r) => setTimeout(r, 300))
    await TestBed.inject(ApplicationRef).whenStable()
    expect(el.querySelector<HTMLSelectElement>("[data-testid=type]")?.value).toBe("")
    expect(asked.at(-1)).toEqual({ limit: 25 })
  })

  it("marks each select and date field a link gets wrong, with the reason next to it", async () => {
    const asked: Array<OperationFilter> = []
    const el = await render(
      { status: "bogus", type: "ping", since: "2026-01-02T00:00", until: "2026-01-01T00:00" },
      {
        listOperations: async (f) => {
          asked.push(f)
          return { items: [], total: 0 }
        },
      },
    )
    const field = (label: string) =>
      [...el.querySelectorAll("label.field")].find(
        (l) => l.querySelector(".label")?.textContent === label,
      )!
    const invalid = (label: string) =>
      field(label).querySelector("select, input")?.getAttribute("aria-invalid")
    const error = (label: string) => field(label).querySelector(".field-error")?.textContent
    expect(["Status", "Type", "Since", "Until"].map(invalid)).toEqual([
      "true",
      "false",
      "false",
      "true",
    ])
    expect(error("Status")).toBe('unknown status "bogus"')
    expect(error("Type")).toBeUndefined()
    expect(error("Until")).toBe("until is before since")
    expect(el.querySelector<HTMLInputElement>("[data-testid=since]")?.value).toBe(
      "2026-01-02T00:00",
    )
    expect(asked.at(-1)).toEqual({
      limit: 25,
      type: "ping",
      since: new Date("2026-01-02T00:00").toISOString(),
    })
  })

  it("shows the server's message without the request URL", async () => {
    const el = await render(
      { queue: "x" },
      {
        listOperations: async () => {
          throw Object.assign(
            new Error("GET http://127.0.0.1:1/api/v1/operations?queue=x: 400 queue: too long"),
            {
              name: "ClientError",
              status: 400,
              problem: { title: "Bad Request", detail: "queue: too long" },
            },
          )
        },
      },
    )
    expect(el.querySelector("[role=alert]")?.textContent?.trim()).toBe(
      "Could not load operations: queue: too long",
    )
  })

  it("reads the page again while it shows an operation still running", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] })
    try {
      let status = "running"
      let calls = 0
      const el = await render(
        {},
        {
          listOperations: async () => {
            calls++
            return {
              items: [
                {
                  id: "6f0c1f8e-0000-4000-8000-000000000005",
                  type: "mtr",
                  target: "127.0.0.1",
                  status,
                  queues: ["netwark.broadcast"],
                  createdAt: new Date().toISOString(),
                  expected: 1,
                  received: 0,
                },
              ],
              total: 1,
            }
          },
        },
      )
      expect(el.querySelector("tbody .status")?.textContent).toBe("running")
      status = "done"
      vi.advanceTimersByTime(10_000)
      await settle()
      expect(el.querySelector("tbody .status")?.textContent).toBe("done")
      // Nothing left running: no more reads.
      const before = calls
      vi.advanceTimersByTime(30_000)
      await new Promise((r) => setTimeout(r, 50))
      expect(calls).toBe(before)
    } finally {
      vi.useRealTimers()
    }
  })
})
