import { TestBed } from "@angular/core/testing"
import { provideRouter } from "@angular/router"
import { API, type Api } from "../../../core/api"
import type { OperationFilter, OperationSummary } from "../../../core/models"
import { OverviewPage } from "./overview.page"

const op = (i: number): OperationSummary => ({
  id: `6f0c1f8e-0000-4000-8000-${String(i).padStart(12, "0")}`,
  type: "ping",
  target: "127.0.0.1",
  status: "running",
  queues: ["netwark.broadcast"],
  createdAt: new Date().toISOString(),
})

describe("overview", () => {
  it("counts every operation running or pending, not just the ten recent ones", async () => {
    const totals: Record<string, number> = { running: 25, pending: 3 }
    TestBed.configureTestingModule({
      providers: [
        provideRouter([]),
        {
          provide: API,
          useValue: {
            listOperations: async (f: OperationFilter) =>
              f.status === undefined
                ? { items: Array.from({ length: 10 }, (_, i) => op(i)), total: 40 }
                : { items: [], total: totals[f.status] ?? 0 },
            workers: async () => [],
            queues: async () => [],
          } satisfies Partial<Api>,
        },
      ],
    })
    const fixture = TestBed.createComponent(OverviewPage)
    await fixture.whenStable()
    await new Promise((r) => setTimeout(r, 0))
    await fixture.whenStable()
    const el = fixture.nativeElement as HTMLElement
    const stat = [...el.querySelectorAll("a.stat")].find((a) =>
      a.textContent?.includes("running now"),
    )
    expect(stat?.querySelector(".n")?.textContent).toBe("28")
  })
})
