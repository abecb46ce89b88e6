import { TestBed } from "@angular/core/testing"
import { provideRouter, Router } from "@angular/router"
import { API, type Api } from "../../../core/api"
import { OuiPage } from "./oui.page"

const settle = async (fixture: { whenStable: () => Promise<unknown> }, ms = 0) => {
  await fixture.whenStable()
  await new Promise((r) => setTimeout(r, ms))
  await fixture.whenStable()
}

const render = async (url: string) => {
  const lookups: Array<string> = []
  const searches: Array<[string, number]> = []
  const api: Partial<Api> = {
    ouiLookup: async (mac) => {
      lookups.push(mac)
      return { mac, vendor: null, locallyAdministered: false, multicast: false }
    },
    ouiSearch: async (q, offset) => {
      searches.push([q, offset])
      return { total: 45, offset, items: [] }
    },
  }
  TestBed.configureTestingModule({
    providers: [
      provideRouter([{ path: "tools/oui", children: [] }]),
      { provide: API, useValue: api },
    ],
  })
  const router = TestBed.inject(Router)
  await router.navigateByUrl(url)
  const fixture = TestBed.createComponent(OuiPage)
  await settle(fixture, 250)
  const el = fixture.nativeElement as HTMLElement
  const type = async (testid: string, text: string) => {
    const input = el.querySelector<HTMLInputElement>(`[data-testid=${testid}]`)!
    input.value = text
    input.dispatchEvent(new Event("input"))
    await settle(fixture, 250)
  }
  return { router, el, type, lookups, searches, fixture }
}

describe("MAC OUI page URL", () => {
  it("writes the MAC and the vendor search into its URL as they are typed", async () => {
    const { router, type, lookups, searches } = await render("/tools/oui")
    expect(router.url).toBe("/tools/oui")
    await type("oui-input", "00:1A:2B")
    await type("oui-search", "Raspberry")
    expect(router.url).toBe("/tools/oui?mac=00:1A:2B&q=Raspberry")
    expect(lookups).toEqual(["00:1A:2B"])
    expect(searches).toEqual([["Raspberry", 0]])
    await type("oui-search", "")
    expect(router.url).toBe("/tools/oui?mac=00:1A:2B")
  })

  it("opens a shared link's lookup, search and page", async () => {
    const { el, lookups, searches } = await render("/tools/oui?mac=001a.2b3c&q=Cisco&offset=20")
    expect(el.querySelector<HTMLInputElement>("[data-testid=oui-input]")!.value).toBe("001a.2b3c")
    expect(el.querySelector<HTMLInputElement>("[data-testid=oui-search]")!.value).toBe("Cisco")
    expect(lookups).toEqual(["001a.2b3c"])
    expect(searches).toEqual([["Cisco", 20]])
  })

  it("follows a navigation it did not write (the menu's bare link clears it)", async () => {
    const { router, el, fixture } = await render("/tools/oui?mac=00:1A:2B&q=Cisco")
    await router.navigateByUrl("/tools/oui")
    await settle(fixture, 250)
    expect(el.querySelector<HTMLInputElement>("[data-testid=oui-input]")!.value).toBe("")
    expect(el.querySelector<HTMLInputElement>("[data-testid=oui-search]")!.value).toBe("")
    expect(router.url).toBe("/tools/oui")
  })
})
