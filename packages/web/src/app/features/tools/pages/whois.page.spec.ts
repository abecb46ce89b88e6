import { TestBed } from "@angular/core/testing"
import { provideRouter, Router } from "@angular/router"
import { API, type Api } from "../../../core/api"
import { WhoisPage } from "./whois.page"

const offline = (): Error =>
  Object.assign(new Error("WHOIS server whois.ripe.net:43: getaddrinfo ENOTFOUND whois.ripe.net"), {
    name: "ClientError",
    status: 422,
    problem: {
      title: "Unprocessable Entity",
      status: 422,
      detail: "WHOIS server whois.ripe.net:43: getaddrinfo ENOTFOUND whois.ripe.net",
    },
  })

const render = async (q: string, api: Partial<Api>) => {
  TestBed.configureTestingModule({
    providers: [
      provideRouter([{ path: "tools/whois", children: [] }]),
      { provide: API, useValue: api },
    ],
  })
  await TestBed.inject(Router).navigate(["tools", "whois"], { queryParams: { q } })
  const fixture = TestBed.createComponent(WhoisPage)
  await fixture.whenStable()
  await new Promise((r) => setTimeout(r, 0))
  await fixture.whenStable()
  return fixture.nativeElement as HTMLElement
}

describe("WHOIS page offline", () => {
  it("still places an address by the local GeoIP database when no WHOIS server answers", async () => {
    const asked: Array<string> = []
    const el = await render("81.2.69.160", {
      whois: async () => {
        throw offline()
      },
      geoip: async (ip) => {
        asked.push(ip)
        return {
          ip,
          network: "81.2.69.160/27",
          country: { isoCode: "GB", name: "United Kingdom" },
          city: { name: "London" },
        }
      },
    })
    expect(el.querySelector("[data-testid=whois-error]")?.textContent).toContain("ENOTFOUND")
    expect(asked).toEqual(["81.2.69.160"])
    expect(el.querySelector("[data-testid=geoip-card]")?.textContent).toContain(
      "London, United Kingdom",
    )
  })

  it("does not ask GeoIP for a domain", async () => {
    const asked: Array<string> = []
    const el = await render("example.test", {
      whois: async () => {
        throw offline()
      },
      geoip: async (ip) => {
        asked.push(ip)
        return { ip, network: "" }
      },
    })
    expect(el.querySelector("[data-testid=whois-error]")).not.toBeNull()
    expect(asked).toEqual([])
    expect(el.querySelector("[data-testid=geoip-card]")).toBeNull()
  })
})
