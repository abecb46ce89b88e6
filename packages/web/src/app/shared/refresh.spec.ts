import { Component } from "@angular/core"
import { TestBed } from "@angular/core/testing"
import { refreshEvery, REFRESH_MS } from "./refresh"

let calls = 0

@Component({ selector: "nw-refreshing", template: "" })
class Refreshing {
  constructor() {
    refreshEvery(() => calls++)
  }
}

describe("refreshEvery", () => {
  beforeEach(() => {
    calls = 0
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] })
  })
  afterEach(() => vi.useRealTimers())

  it("refreshes every period while the component lives and stops once it is destroyed", () => {
    const fixture = TestBed.createComponent(Refreshing)
    vi.advanceTimersByTime(REFRESH_MS - 1)
    expect(calls).toBe(0)
    vi.advanceTimersByTime(1)
    expect(calls).toBe(1)
    vi.advanceTimersByTime(2 * REFRESH_MS)
    expect(calls).toBe(3)
    fixture.destroy()
    vi.advanceTimersByTime(5 * REFRESH_MS)
    expect(calls).toBe(3)
  })
})
