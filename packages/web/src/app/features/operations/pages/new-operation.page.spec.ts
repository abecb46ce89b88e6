import { TestBed } from "@angular/core/testing"
import { provideRouter, Router } from "@angular/router"
import { API, type Api } from "../../../core/api"
import type { OperationRequest } from "../../../core/models"
import { NewOperationPage } from "./new-operation.page"

const problem = (status: number, body: Record<string, unknown>): Error =>
  Object.assign(new Error(String(body["detail"])), {
    name: "ClientError",
    reason: "Http",
    status,
    problem: body,
  })

const paris = { name: "Paris", latitude: 48.85, longitude: 2.35 }
const tokyo = { name: "Tokyo", latitude: 35.68, longitude: 139.69 }

/** Whether the API lists the paris worker online (a test flips it while the page is open). */
let parisOnline = true

const setup = async (
  create: (r: OperationRequest) => Promise<unknown>,
  query: Record<string, string | ReadonlyArray<string>> = {},
) => {
  const sent: Array<OperationRequest> = []
  const api: Partial<Api> = {
    createOperation: (r) => {
      sent.push(r)
      return create(r) as never
    },
    queues: async () => [
      {
        name: "netwark.broadcast",
        broadcast: true,
        location: null,
        workers: [{ id: "w1", hostname: "local", online: true }],
      },
      { name: "lab", broadcast: false, location: null, workers: [] },
      {
        name: "paris",
        broadcast: false,
        locationName: "Paris",
        location: paris,
        workers: [{ id: "w1", hostname: "local", online: true }],
      },
      // The queue list names online workers only: tokyo's worker is gone.
      { name: "tokyo", broadcast: false, locationName: "Tokyo", location: tokyo, workers: [] },
    ],
    workers: async () => [
      {
        id: "w1",
        hostname: "local",
        online: parisOnline,
        lastSeen: new Date().toISOString(),
        queues: ["netwark.broadcast", "paris"],
      },
      {
        id: "t1",
        hostname: "tokyo-1",
        online: false,
        lastSeen: new Date(Date.now() - 5 * 60_000).toISOString(),
        queues: ["tokyo"],
      },
    ],
  }
  TestBed.configureTestingModule({
    providers: [
      provideRouter([
        { path: "operations/new", children: [] },
        { path: "operations/:id", children: [] },
      ]),
      { provide: API, useValue: api },
    ],
  })
  if (Object.keys(query).length > 0)
    await TestBed.inject(Router).navigate(["operations", "new"], { queryParams: query })
  const fixture = TestBed.createComponent(NewOperationPage)
  await fixture.whenStable()
  const el = fixture.nativeElement as HTMLElement
  const type = (selector: string, value: string): void => {
    const input = el.querySelector<HTMLInputElement>(selector)!
    input.value = value
    input.dispatchEvent(new Event("input"))
  }
  const submit = async (): Promise<void> => {
    el.querySelector<HTMLButtonElement>("[data-testid=submit]")!.click()
    await fixture.whenStable()
    await new Promise((r) => setTimeout(r, 0))
    await fixture.whenStable()
  }
  return { fixture, el, sent, type, submit }
}

describe("new operation form", () => {
  it("follows its URL: the menu's New operation gives a fresh form, not the old one under a bare URL", async () => {
    const { fixture, el, type } = await setup(async () => ({}), {
      type: "dns",
      target: "example.test",
      "o.server": "127.0.0.1",
    })
    const router = TestBed.inject(Router)
    type("[data-testid=target]", "www.example.test")
    await fixture.whenStable()
    await new Promise((r) => setTimeout(r, 0))
    // What was typed is in the URL.
    expect(router.url).toContain("target=www.example.test")
    expect(router.url).toContain("o.server=127.0.0.1")
    await router.navigateByUrl("/operations/new")
    await fixture.whenStable()
    await new Promise((r) => setTimeout(r, 0))
    await fixture.whenStable()
    expect(el.querySelector<HTMLInputElement>("[data-testid=target]")?.value).toBe("")
    expect(el.querySelector<HTMLInputElement>("input[type=radio]:checked")?.value).toBe("ping")
    expect(router.url).toBe("/operations/new?type=ping")
  })

  it("lists the queues, broadcast ones marked", async () => {
    const { el } = await setup(async () => ({}))
    const rows = [...el.querySelectorAll(".queue")]
    expect(rows.map((q) => q.querySelector(".name")?.textContent)).toEqual([
      "netwark.broadcast",
      "lab",
      "paris",
      "tokyo",
    ])
    expect(rows.map((q) => q.querySelector(".chip")?.textContent ?? null)).toEqual([
      "broadcast",
      null,
      null,
      null,
    ])
    expect(rows[0]?.textContent).toContain("1/1 online")
    expect(rows[1]?.textContent).toContain("0/0 online")
  })

  it("shows its own check next to the field without calling the API", async () => {
    const { el, sent, submit } = await setup(async () => ({}))
    await submit()
    expect(el.querySelector("[data-testid=target-error]")?.textContent).toBe("a target is required")
    expect(sent).toHaveLength(0)
  })

  it("sends the typed options and picked queues, then opens the operation", async () => {
    const { el, sent, type, submit, fixture } = await setup(async () => ({ id: "op-1" }))
    type("[data-testid=target]", "127.0.0.1")
    type("[data-testid=option-count]", "5")
    el.querySelector<HTMLInputElement>("[data-testid=queue-lab]")!.click()
    await fixture.whenStable()
    await submit()
    expect(sent).toEqual([
      { type: "ping", target: "127.0.0.1", options: { count: 5 }, queues: ["lab"] },
    ])
    expect(TestBed.inject(Router).url).toBe("/operations/op-1")
  })

  it("shows the API's own message next to the field it names", async () => {
    const { el, type, submit } = await setup(async () => {
      throw problem(400, {
        title: "Bad Request",
        status: 400,
        detail: "target: no such host name",
        field: "target",
        errors: [{ field: "target", message: "no such host name: nope.invalid" }],
      })
    })
    type("[data-testid=target]", "nope.invalid")
    await submit()
    expect(el.querySelector("[data-testid=target-error]")?.textContent).toBe(
      "no such host name: nope.invalid",
    )
    expect(el.querySelector("[data-testid=form-error]")).toBeNull()
  })

  it("shows a problem about no field above the button", async () => {
    const { el, type, submit } = await setup(async () => {
      throw problem(503, {
        title: "Service Unavailable",
        status: 503,
        detail: "the database is down",
      })
    })
    type("[data-testid=target]", "127.0.0.1")
    await submit()
    expect(el.querySelector("[data-testid=form-error]")?.textContent).toContain(
      "the database is down",
    )
  })

  it("lists a queue whose workers all went offline greyed with its last seen time, not pickable", async () => {
    const { el, fixture } = await setup(async () => ({}))
    const row = el.querySelector<HTMLInputElement>("[data-testid=queue-tokyo]")!.closest("label")!
    expect(row.classList).toContain("gone")
    expect(el.querySelector("[data-testid=presence-tokyo]")?.textContent).toBe(
      "offline, last seen 5 min ago",
    )
    const box = el.querySelector<HTMLInputElement>("[data-testid=queue-tokyo]")!
    expect(box.disabled).toBe(true)
    // The online ones stay pickable.
    expect(el.querySelector<HTMLInputElement>("[data-testid=queue-paris]")!.disabled).toBe(false)
    // The map shows the offline place grey; a click on it picks nothing.
    const page = fixture.componentInstance as unknown as {
      markers: () => ReadonlyArray<{ id: string; colour: string; detail?: string }>
      toggleLocation: (id: string) => void
      selected: () => ReadonlySet<string>
    }
    const markers = page.markers()
    expect(markers.map((m) => [m.id, m.colour])).toEqual([
      ["Paris@48.85,2.35", "#16a34a"],
      ["Tokyo@35.68,139.69", "#9ca3af"],
    ])
    expect(markers[1]?.detail).toMatch(/^offline, last seen 5 min ago · tokyo$/)
    page.toggleLocation("Tokyo@35.68,139.69")
    expect([...page.selected()]).toEqual([])
    page.toggleLocation("Paris@48.85,2.35")
    expect([...page.selected()]).toEqual(["paris"])
  })

  it("lets the user unpick an offline queue a link picked, and not pick it again", async () => {
    const { el, fixture } = await setup(async () => ({}), { queue: "tokyo" })
    const box = el.querySelector<HTMLInputElement>("[data-testid=queue-tokyo]")!
    expect(box.checked).toBe(true)
    expect(box.disabled).toBe(false)
    box.click()
    await fixture.whenStable()
    expect(box.checked).toBe(false)
    expect(box.disabled).toBe(true)
  })

  it("lists a picked queue the server does not know, so it can be unpicked after the API refuses it", async () => {
    const { el, fixture, type, submit, sent } = await setup(
      async () => {
        throw problem(400, {
          title: "Bad Request",
          status: 400,
          detail: "unknown queue nope",
          field: "queues.0",
          errors: [{ field: "queues.0", message: "unknown queue nope" }],
        })
      },
      { queue: "nope" },
    )
    expect(el.querySelector("[data-testid=presence-nope]")?.textContent).toBe("not configured")
    type("[data-testid=target]", "127.0.0.1")
    await submit()
    expect(el.querySelector(".queues + .field-error")?.textContent).toBe("unknown queue nope")
    el.querySelector<HTMLInputElement>("[data-testid=queue-nope]")!.click()
    await fixture.whenStable()
    expect(el.querySelector("[data-testid=queue-nope]")).toBeNull()
    expect(el.querySelector(".queues + .field-error")).toBeNull()
    await submit()
    expect(sent.at(-1)).toEqual({ type: "ping", target: "127.0.0.1", options: {}, queues: [] })
  })

  it("fills the form from a Run again link, options included", async () => {
    const { el, sent, submit } = await setup(async () => ({ id: "op-2" }), {
      type: "dns",
      target: "www.example.test",
      "o.server": "127.0.0.1",
      "o.port": "5353",
      "o.type": "MX",
      "o.tcp": "true",
    })
    expect(el.querySelector<HTMLInputElement>("[data-testid=option-server]")?.value).toBe(
      "127.0.0.1",
    )
    expect(el.querySelector<HTMLSelectElement>(".options select")?.value).toBe("MX")
    await submit()
    expect(sent).toEqual([
      {
        type: "dns",
        target: "www.example.test",
        options: { type: "MX", server: "127.0.0.1", port: 5353, tcp: true },
        queues: [],
      },
    ])
  })

  it("refreshes presence while open: a worker that goes away is greyed within 10 s", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] })
    try {
      const { el, fixture } = await setup(async () => ({}))
      expect(el.querySelector<HTMLInputElement>("[data-testid=queue-paris]")!.disabled).toBe(false)
      // The paris worker goes offline.
      parisOnline = false
      vi.advanceTimersByTime(10_000)
      await new Promise((r) => setTimeout(r, 0))
      await fixture.whenStable()
      expect(el.querySelector("[data-testid=presence-paris]")?.textContent).toContain("offline")
    } finally {
      parisOnline = true
      vi.useRealTimers()
    }
  })
})
