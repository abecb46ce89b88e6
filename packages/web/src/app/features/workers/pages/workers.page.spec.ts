import { TestBed } from "@angular/core/testing"
import { API, type Api } from "../../../core/api"
import { toWorker } from "../../../core/api.provider"
import { WorkersPage } from "./workers.page"

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString()

// As `GET /workers` answers: online first, then the ones gone offline with when they were seen.
const answer = [
  { id: "paris-1", hostname: "paris-1", status: "online" as const, lastSeen: minutesAgo(0) },
  { id: "tokyo-1", hostname: "tokyo-1", status: "offline" as const, lastSeen: minutesAgo(90) },
  { id: "oslo-1", hostname: "oslo-1", status: "offline" as const, lastSeen: minutesAgo(7) },
].map((w) =>
  toWorker({
    ...w,
    version: "0.1.0",
    queues: ["netwark"],
    locations: [],
    capabilities: {},
    jobTypes: null,
    concurrency: null,
  }),
)

const render = async () => {
  TestBed.configureTestingModule({
    providers: [{ provide: API, useValue: { workers: async () => answer } satisfies Partial<Api> }],
  })
  const fixture = TestBed.createComponent(WorkersPage)
  await fixture.whenStable()
  await new Promise((r) => setTimeout(r, 0))
  await fixture.whenStable()
  return { fixture, el: fixture.nativeElement as HTMLElement }
}

describe("workers page", () => {
  it("lists workers gone offline, greyed, with when they were last seen", async () => {
    const { el } = await render()
    const rows = [...el.querySelectorAll("table[aria-label=Workers] tbody tr")]
    const cell = (r: Element, i: number) => r.querySelectorAll("td")[i]?.textContent?.trim()
    // Online first, then offline by most recent.
    expect(
      rows.map((r) => [cell(r, 0), r.querySelector("strong")?.textContent, cell(r, 3)]),
    ).toEqual([
      ["online", "paris-1", "now"],
      ["offline", "oslo-1", "7 min ago"],
      ["offline", "tokyo-1", "1 h ago"],
    ])
    expect(rows.map((r) => r.classList.contains("gone"))).toEqual([false, true, true])
    expect(el.querySelector(".head .small")?.textContent).toContain("1 of 3 online")
  })

  it("hides them with 'online only'", async () => {
    const { el, fixture } = await render()
    el.querySelector<HTMLInputElement>(".head input[type=checkbox]")?.click()
    await fixture.whenStable()
    expect(el.querySelectorAll("table[aria-label=Workers] tbody tr")).toHaveLength(1)
  })
})
