import { networkList, parseCidrInput } from "./ipcalc-input"

describe("IP calculator input", () => {
  it("reads CIDR, netmask and bare forms", () => {
    expect(parseCidrInput(" 10.0.0.1/8 ")).toEqual({ address: "10.0.0.1", prefix: "8" })
    expect(parseCidrInput("10.0.0.1 255.0.0.0")).toEqual({
      address: "10.0.0.1",
      prefix: "255.0.0.0",
    })
    expect(parseCidrInput("2001:db8::/32")).toEqual({ address: "2001:db8::", prefix: "32" })
    expect(parseCidrInput("192.0.2.7")).toEqual({ address: "192.0.2.7", prefix: undefined })
    expect(parseCidrInput("192.0.2.7/")).toEqual({ address: "192.0.2.7", prefix: undefined })
    expect(parseCidrInput("   ")).toBeNull()
  })

  it("splits a list on lines, commas and spaces", () => {
    expect(networkList("10.0.0.0/24\n10.0.1.0/24, 10.0.2.0/23 ;\n\n")).toEqual([
      "10.0.0.0/24",
      "10.0.1.0/24",
      "10.0.2.0/23",
    ])
  })
})
