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

  it("does not ask GeoIP for an address no registry holds (404: reserved)", async () => {
    const asked: Array<string> = []
    const el = await render("127.0.0.1", {
      whois: async () => {
        throw Object.assign(new Error("127.0.0.1 is reserved by IANA (loopback)"), {
          name: "ClientError",
          status: 404,
          problem: { title: "Not Found", status: 404, detail: "127.0.0.1 is reserved by IANA" },
        })
      },
      geoip: async (ip) => {
        asked.push(ip)
        return { ip, network: "" }
      },
    })
    expect(el.querySelector("[data-testid=whois-error]")?.textContent).toContain("reserved")
    expect(asked).toEqual([])
    expect(el.querySelector("[data-testid=geoip-card]")).toBeNull()
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

describe("WHOIS page URL", () => {
  const answer = (resource: string) => ({
    query: resource,
    normalized: resource,
    kind: "domain",
    source: "rdap",
    status: "ok",
    record: { kind: "domain", domain: resource },
    chain: [],
    raw: "",
  })
  const setup = async (url: string) => {
    const asked: Array<string> = []
    TestBed.configureTestingModule({
      providers: [
        provideRouter([{ path: "tools/whois", children: [] }]),
        { provide: API, useValue: { whois: async (r: string) => (asked.push(r), answer(r)) } },
      ],
    })
    const router = TestBed.inject(Router)
    await router.navigateByUrl(url)
    const fixture = TestBed.createComponent(WhoisPage)
    const settle = async () => {
      await fixture.whenStable()
      await new Promise((r) => setTimeout(r, 0))
      await fixture.whenStable()
    }
    await settle()
    const el = fixture.nativeElement as HTMLElement
    const input = () => el.querySelector<HTMLInputElement>("[data-testid=whois-input]")!
    const submit = async (text: string) => {
      input().value = text
      input().dispatchEvent(new Event("input"))
      el.querySelector("form")!.dispatchEvent(new Event("submit"))
      await settle()
    }
    return { router, el, input, submit, settle, asked }
  }

  it("runs a deep link's lookup and keeps it in the URL", async () => {
    const { router, el, input, asked } = await setup("/tools/whois?q=example.com")
    expect(input().value).toBe("example.com")
    expect(asked).toEqual(["example.com"])
    expect(el.querySelector("[data-testid=whois-result]")?.textContent).toContain("example.com")
    expect(router.url).toBe("/tools/whois?q=example.com")
  })

  it("writes the submitted lookup, not the text being typed, into the URL", async () => {
    const { router, input, submit, settle, asked } = await setup("/tools/whois")
    expect(router.url).toBe("/tools/whois")
    input().value = "typed.example"
    input().dispatchEvent(new Event("input"))
    await settle()
    expect(router.url).toBe("/tools/whois")
    await submit("  AS64500 ")
    expect(router.url).toBe("/tools/whois?q=AS64500")
    expect(asked).toEqual(["AS64500"])
    await submit("")
    expect(router.url).toBe("/tools/whois")
  })

  it("follows a navigation it did not write (Back, a link): fills the box and looks it up", async () => {
    const { router, input, settle, asked } = await setup("/tools/whois?q=example.com")
    await router.navigateByUrl("/tools/whois?q=192.0.2.1")
    await settle()
    expect(input().value).toBe("192.0.2.1")
    expect(asked).toEqual(["example.com", "192.0.2.1"])
    await router.navigateByUrl("/tools/whois")
    await settle()
    expect(input().value).toBe("")
    expect(router.url).toBe("/tools/whois")
  })

  it("clears for the menu's bare link even though it opened on that URL itself", async () => {
    // The page wrote its bare URL when it opened: that must not make a later link to it its own.
    const { router, el, input, submit, settle } = await setup("/tools/whois")
    await submit("example.com")
    expect(router.url).toBe("/tools/whois?q=example.com")
    await router.navigateByUrl("/tools/whois")
    await settle()
    expect(input().value).toBe("")
    expect(el.querySelector("[data-testid=whois-result]")).toBeNull()
    expect(router.url).toBe("/tools/whois")
  })
})
