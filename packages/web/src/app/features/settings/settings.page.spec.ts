import { TestBed } from "@angular/core/testing"
import { SettingsService } from "../../core/settings.service"
import { SettingsPage } from "./settings.page"

describe("settings page", () => {
  beforeEach(() => localStorage.clear())

  it("refuses a style URL that is not one, next to the field, and keeps the working map", async () => {
    const fixture = TestBed.createComponent(SettingsPage)
    await fixture.whenStable()
    const el = fixture.nativeElement as HTMLElement
    const input = el.querySelector<HTMLInputElement>("[data-testid=map-style]")!
    input.value = "http://"
    input.dispatchEvent(new Event("input"))
    el.querySelector<HTMLButtonElement>("button[type=submit]")!.click()
    await fixture.whenStable()
    expect(el.querySelector("[data-testid=map-style-error]")?.textContent).toBe(
      "not a URL: use https://host/path/style.json",
    )
    expect(TestBed.inject(SettingsService).mapStyleUrl()).toBe("")
    expect(localStorage.getItem("netwark.mapStyleUrl")).toBeNull()
    input.value = "https://tiles.example.net/style.json"
    input.dispatchEvent(new Event("input"))
    await fixture.whenStable()
    expect(el.querySelector("[data-testid=map-style-error]")).toBeNull()
    el.querySelector<HTMLButtonElement>("button[type=submit]")!.click()
    await fixture.whenStable()
    expect(TestBed.inject(SettingsService).mapStyleUrl()).toBe(
      "https://tiles.example.net/style.json",
    )
  })
})
