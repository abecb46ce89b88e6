import { TestBed } from "@angular/core/testing"
import { provideRouter, Router } from "@angular/router"
import { API, type Api } from "../../../core/api"
import { IpCalcPage } from "./ipcalc.page"

const settle = async (fixture: { whenStable: () => Promise<unknown> }, ms = 0) => {
  await fixture.whenStable()
  await new Promise((r) => setTimeout(r, ms))
  await fixture.whenStable()
}

const kind = { kind: "private", name: "Private", rfc: "RFC 1918", block: "10.0.0.0/8" }
const info = (address: string, prefix: string | undefined) => ({
  version: 4,
  address,
  hostBitsSet: false,
  cidr: `${address}/${prefix ?? "32"}`,
  network: address,
  prefix: Number(prefix ?? "32"),
  netmask: "255.255.255.0",
  wildcard: "0.0.0.255",
  broadcast: null,
  lastAddress: address,
  firstHost: address,
  lastHost: address,
  addresses: "256",
  usableHosts: "254",
  type: kind,
  addressType: kind,
  reverse: { ptr: "", zone: "" },
  expanded: { address, network: address },
  binary: { address: "", netmask: "", network: "" },
  decimal: "0",
  embeddedIpv4: null,
})

const render = async (url: string) => {
  const calcs: Array<string> = []
  const splits: Array<string> = []
  const aggregates: Array<string> = []
  const api: Partial<Api> = {
    ipCalcNetwork: async (address, prefix) => {
      calcs.push(`${address}/${prefix}`)
      return info(address, prefix)
    },
    ipCalcSubnets: async (address, prefix, newPrefix, offset) => {
      splits.push(`${address}/${prefix}>${newPrefix}@${offset}`)
      return { network: address, newPrefix, total: "256", offset, subnets: [], nextOffset: null }
    },
    ipCalcAggregate: async (networks) => {
      aggregates.push(networks.join(" "))
      return { networks }
    },
  }
  TestBed.configureTestingModule({
    providers: [
      provideRouter([{ path: "tools/ipcalc", children: [] }]),
      { provide: API, useValue: api },
    ],
  })
  const router = TestBed.inject(Router)
  await router.navigateByUrl(url)
  const fixture = TestBed.createComponent(IpCalcPage)
  await settle(fixture, 300)
  const el = fixture.nativeElement as HTMLElement
  const field = (testid: string) =>
    el.querySelector<HTMLInputElement | HTMLTextAreaElement>(`[data-testid=${testid}]`)!
  const type = async (testid: string, text: string) => {
    field(testid).value = text
    field(testid).dispatchEvent(new Event("input"))
    await settle(fixture, 300)
  }
  return { router, field, type, calcs, splits, aggregates, fixture }
}

describe("IP calculator URL", () => {
  it("writes the address, the split prefix and the networks to aggregate as they are typed", async () => {
    const { router, type } = await render("/tools/ipcalc")
    // The example the box starts with is not written.
    expect(router.url).toBe("/tools/ipcalc")
    await type("ipcalc-input", "10.1.0.0/16")
    await type("split-prefix", "20")
    await type("aggregate-input", "10.0.0.0/24\n10.0.1.0/24")
    const q = new URL(router.url, "http://x").searchParams
    expect(q.get("q")).toBe("10.1.0.0/16")
    expect(q.get("split")).toBe("20")
    expect(q.get("agg")).toBe("10.0.0.0/24\n10.0.1.0/24")
    // An emptied box stays empty after a reload rather than bringing the example back.
    await type("ipcalc-input", "")
    expect(new URL(router.url, "http://x").searchParams.get("q")).toBe("")
  })

  it("opens a shared link's calculation, split and aggregation", async () => {
    const { field, calcs, splits, aggregates } = await render(
      "/tools/ipcalc?q=10.1.0.0/16&split=20&from=64&agg=10.0.0.0/24%0A10.0.1.0/24",
    )
    expect(field("ipcalc-input").value).toBe("10.1.0.0/16")
    expect(field("split-prefix").value).toBe("20")
    expect(field("aggregate-input").value).toBe("10.0.0.0/24\n10.0.1.0/24")
    // The link's own lookup, not the example first.
    expect(calcs).toEqual(["10.1.0.0/16"])
    expect(splits).toEqual(["10.1.0.0/16>20@64"])
    expect(aggregates).toEqual(["10.0.0.0/24 10.0.1.0/24"])
  })

  it("follows a navigation it did not write (Back to an older entry of the page)", async () => {
    const { router, field, fixture } = await render("/tools/ipcalc?q=10.1.0.0/16&split=20")
    await router.navigateByUrl("/tools/ipcalc?q=172.16.0.0/12")
    await settle(fixture, 300)
    expect(field("ipcalc-input").value).toBe("172.16.0.0/12")
    expect(field("split-prefix").value).toBe("")
    expect(router.url).toBe("/tools/ipcalc?q=172.16.0.0%2F12")
  })
})
