import { TestBed } from "@angular/core/testing"
import { Title } from "@angular/platform-browser"
import { provideRouter } from "@angular/router"
import { API, type Api } from "../../../core/api"
import type { MtrHop, Operation, OperationEvent } from "../../../core/models"
import { DownloadService } from "../../../shared/download.service"
import { OperationPage } from "./operation.page"

const hop = (n: number, address: string): MtrHop => ({
  hop: n,
  hosts: [{ address }],
  sent: 3,
  received: 3,
  lossPercent: 0,
  last: n,
  avg: n,
  best: n,
  worst: n + 1,
  stdev: 0.2,
})

const base: Operation = {
  id: "6f0c1f8e-0000-4000-8000-000000000001",
  type: "mtr",
  target: "192.0.2.9",
  status: "done",
  queues: ["netwark.broadcast"],
  createdAt: "2026-01-01T00:00:00Z",
  finishedAt: "2026-01-01T00:00:05Z",
  options: { cycles: 3 },
  expectedWorkers: [
    { queue: "netwark.broadcast", workerId: "paris", hostname: "paris-1" },
    { queue: "netwark.broadcast", workerId: "tokyo", hostname: "tokyo-1" },
  ],
  results: [
    {
      workerId: "paris",
      hostname: "paris-1",
      status: "ok",
      result: { hops: [hop(1, "10.0.0.1"), hop(2, "192.0.2.9")] },
    },
    {
      workerId: "tokyo",
      hostname: "tokyo-1",
      status: "ok",
      result: { hops: [hop(1, "10.1.0.1"), hop(2, "10.1.1.1"), hop(3, "192.0.2.9")] },
    },
  ],
}

const render = async (api: Partial<Api>) => {
  const saved: Array<{ name: string; text: string }> = []
  TestBed.configureTestingModule({
    providers: [
      provideRouter([]),
      { provide: API, useValue: api },
      {
        provide: DownloadService,
        useValue: {
          save: (name: string, _type: string, text: string) => saved.push({ name, text }),
        },
      },
    ],
  })
  const fixture = TestBed.createComponent(OperationPage)
  fixture.componentRef.setInput("id", base.id)
  await fixture.whenStable()
  await new Promise((r) => setTimeout(r, 0))
  await fixture.whenStable()
  return { fixture, el: fixture.nativeElement as HTMLElement, saved }
}

describe("operation page", () => {
  it("shows one card per worker, the paths side by side, and exports CSV", async () => {
    const { el, saved, fixture } = await render({ getOperation: async () => base })
    const cards = [...el.querySelectorAll("nw-worker-card h2")].map((h) => h.textContent)
    expect(cards).toEqual(["paris-1", "tokyo-1"])
    expect(el.querySelector(".compare h2")?.textContent).toBe("Paths side by side")
    // The tab says which operation it is.
    expect(TestBed.inject(Title).getTitle()).toBe("MTR 192.0.2.9 · done · Netwark")
    // "Run again" repeats the operation as it was, options included.
    const again = [...el.querySelectorAll("a")].find((a) => a.textContent?.includes("Run again"))
    expect(again?.getAttribute("href")).toBe(
      "/operations/new?type=mtr&target=192.0.2.9&queue=netwark.broadcast&o.cycles=3",
    )
    expect(el.querySelectorAll("nw-mtr-table tbody tr")).toHaveLength(5)
    const csvButton = [...el.querySelectorAll("button")].find((b) =>
      b.textContent?.includes("Export CSV"),
    )
    csvButton?.click()
    await fixture.whenStable()
    expect(saved[0]?.name).toBe(`netwark-mtr-${base.id}.csv`)
    expect(saved[0]?.text.split("\r\n")[1]).toContain("paris,paris-1,,ok,1,10.0.0.1")
  })

  it("tells apart two workers on one host (cards and the side-by-side legend)", async () => {
    const { el } = await render({
      getOperation: async () => ({
        ...base,
        results: base.results.map((r) => ({ ...r, hostname: "vm" })),
      }),
    })
    expect([...el.querySelectorAll("nw-worker-card h2")].map((h) => h.textContent)).toEqual([
      "vm (paris)",
      "vm (tokyo)",
    ])
  })

  it("fills the cards live from the event stream and waits for the workers still out", async () => {
    const queue: Array<OperationEvent> = []
    let wake: (() => void) | undefined
    let ended = false
    const push = (e: OperationEvent): void => {
      queue.push(e)
      wake?.()
    }
    const end = (): void => {
      ended = true
      wake?.()
    }
    const running: Operation = {
      ...base,
      type: "ping",
      status: "running",
      expected: 2,
      finishedAt: null,
      results: [],
    }
    const parisResult = {
      workerId: "paris",
      hostname: "paris-1",
      status: "ok",
      result: {
        replies: [
          { sequence: 1, rttMs: 0.5 },
          { sequence: 2, rttMs: 0.6 },
        ],
        missing: [3],
      },
    }
    let final = false
    const { el, fixture } = await render({
      getOperation: async () =>
        final ? { ...running, status: "partial", results: [parisResult] } : running,
      operationEvents: async function* () {
        for (;;) {
          while (queue.length > 0) yield queue.shift() as OperationEvent
          if (ended) return
          await new Promise<void>((r) => (wake = r))
        }
      },
    })
    expect(
      [...el.querySelectorAll("nw-worker-card .status")].map((s) => s.textContent?.trim()),
    ).toEqual(["waiting", "waiting"])
    expect(el.querySelector("[data-testid=answered]")?.textContent).toBe("0 / 2 answered")
    push({
      kind: "progress",
      workerId: "paris",
      data: { type: "ping", event: { type: "reply", sequence: 1, rttMs: 0.5 } },
    })
    await new Promise((r) => setTimeout(r, 150))
    await fixture.whenStable()
    const paris = el.querySelector("nw-worker-card")
    expect(paris?.querySelector("h2")?.textContent).toBe("paris-1")
    expect(paris?.querySelector(".status")?.textContent?.trim()).toBe("running")
    expect(paris?.textContent).toContain("Received1")
    // The live summary fills in before ping prints its own.
    expect(paris?.textContent).toContain("Loss0 %")
    expect(paris?.textContent).toContain("Avg0.500 ms")
    // Progress is not an answer yet.
    expect(el.querySelector("[data-testid=answered]")?.textContent).toBe("0 / 2 answered")
    push({ kind: "result", result: parisResult })
    push({ kind: "status", status: "partial" })
    final = true
    end()
    await new Promise((r) => setTimeout(r, 150))
    await fixture.whenStable()
    const statuses = [...el.querySelectorAll("nw-worker-card .status")].map((s) =>
      s.textContent?.trim(),
    )
    expect(statuses).toEqual(["ok", "no answer"])
    expect(el.querySelector("nw-worker-card")?.textContent).toContain("No reply to probe 3")
    expect(el.querySelector("[data-testid=operation-status]")?.textContent).toBe("partial")
    expect(el.querySelector("[data-testid=answered]")?.textContent).toBe("1 / 2 answered")
    // The worker that never answered: one line, not an empty ping summary "waiting for replies".
    const tokyo = el.querySelectorAll("nw-worker-card")[1]
    expect(tokyo?.querySelector("[data-testid=no-result]")?.textContent?.trim()).toBe(
      "No answer before the operation ended.",
    )
    expect(tokyo?.querySelector("nw-ping-result")).toBeNull()
  })

  it("says a queue's job waits because no worker is online there", async () => {
    const { el } = await render({
      getOperation: async () => ({
        ...base,
        type: "ping",
        status: "running",
        finishedAt: null,
        queues: ["tokyo"],
        expected: 1,
        expectedWorkers: [
          { jobId: `${base.id}/tokyo`, queue: "tokyo", workerId: null, hostname: null },
        ],
        results: [],
      }),
      // The stream stays open with nothing to say.
      operationEvents: async function* () {
        await new Promise(() => undefined)
        yield* []
      },
      queues: async () => [{ name: "tokyo", broadcast: false, location: null, workers: [] }],
    })
    await new Promise((r) => setTimeout(r, 50))
    expect(el.querySelector("nw-worker-card .error-text")?.textContent).toBe(
      "No worker is online on tokyo: the job waits for one until the deadline.",
    )
  })

  it("names a job no worker took by its queue and says it got no answer", async () => {
    const { el } = await render({
      getOperation: async () => ({
        ...base,
        type: "ping",
        status: "timeout",
        queues: ["tokyo"],
        expected: 1,
        expectedWorkers: [
          { jobId: `${base.id}/tokyo`, queue: "tokyo", workerId: null, hostname: null },
        ],
        results: [],
      }),
    })
    const card = el.querySelector("nw-worker-card")
    expect(card?.querySelector("h2")?.textContent).toBe("A worker on tokyo")
    expect(card?.querySelector(".status")?.textContent?.trim()).toBe("no answer")
    expect(card?.querySelector("[data-testid=no-result]")).not.toBeNull()
    expect(el.querySelector("[data-testid=answered]")?.textContent).toBe("0 / 1 answered")
  })
})

describe("operation page when the connection drops", () => {
  it("keeps retrying through a server restart, saying so, then picks up the result", async () => {
    let up = false
    const done: Operation = {
      ...base,
      type: "ping",
      status: "done",
      expected: 1,
      expectedWorkers: [{ queue: "netwark.broadcast", workerId: "paris", hostname: "paris-1" }],
      results: [
        {
          workerId: "paris",
          hostname: "paris-1",
          status: "ok",
          result: { replies: [{ sequence: 1, rttMs: 0.5 }] },
        },
      ],
    }
    const { el, fixture } = await render({
      // The server is down: fetch fails without an HTTP status.
      getOperation: async () => {
        if (!up) throw new TypeError("Failed to fetch")
        return done
      },
    })
    expect(el.querySelector("[data-testid=reconnecting]")?.textContent).toContain(
      "Could not reach the server (Failed to fetch); retrying…",
    )
    expect(el.querySelector("[role=alert]")).toBeNull()
    up = true
    await new Promise((r) => setTimeout(r, 1600))
    await fixture.whenStable()
    expect(el.querySelector("[data-testid=reconnecting]")).toBeNull()
    expect(el.querySelector("[data-testid=operation-status]")?.textContent).toBe("done")
    expect(el.querySelector("nw-worker-card h2")?.textContent).toBe("paris-1")
  })

  it("stops at an answer about the operation itself (404)", async () => {
    let calls = 0
    const { el } = await render({
      getOperation: async () => {
        calls++
        throw Object.assign(new Error("404"), {
          status: 404,
          problem: { title: "Not Found", detail: "operation x does not exist" },
        })
      },
    })
    await new Promise((r) => setTimeout(r, 700))
    expect(calls).toBe(1)
    expect(el.querySelector("[role=alert] h1")?.textContent).toBe("No such operation")
    expect(TestBed.inject(Title).getTitle()).toBe("No such operation · Netwark")
  })

  it("shows a worker's error alone when it produced no output", async () => {
    const { el } = await render({
      getOperation: async () => ({
        ...base,
        type: "ping",
        status: "error",
        expectedWorkers: [{ queue: "netwark.broadcast", workerId: "paris", hostname: "paris-1" }],
        results: [
          {
            workerId: "paris",
            hostname: "paris-1",
            status: "error",
            error: "ping: nope.invalid: Name or service not known",
            result: { replies: [], missing: [] },
          },
        ],
      }),
    })
    const card = el.querySelector("nw-worker-card")
    expect(card?.querySelector(".error-text")?.textContent).toBe(
      "ping: nope.invalid: Name or service not known",
    )
    expect(card?.querySelector("nw-ping-result")).toBeNull()
    expect(card?.textContent).not.toContain("Waiting for replies")
  })
})
