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

const setup = async (create: (r: OperationRequest) => Promise<unknown>) => {
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
    ],
  }
  TestBed.configureTestingModule({
    providers: [
      provideRouter([{ path: "operations/:id", children: [] }]),
      { provide: API, useValue: api },
    ],
  })
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
  it("lists the queues, broadcast ones marked", async () => {
    const { el } = await setup(async () => ({}))
    const rows = [...el.querySelectorAll(".queue")]
    expect(rows.map((q) => q.querySelector(".name")?.textContent)).toEqual([
      "netwark.broadcast",
      "lab",
    ])
    expect(rows.map((q) => q.querySelector(".chip")?.textContent ?? null)).toEqual([
      "broadcast",
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
})
