import { isIpLiteral } from "./ip-literal"

describe("IP literal", () => {
  it("tells addresses from names and AS numbers", () => {
    expect(isIpLiteral("81.2.69.160")).toBe(true)
    expect(isIpLiteral("2001:db8::1")).toBe(true)
    expect(isIpLiteral("::ffff:192.0.2.1")).toBe(true)
    expect(isIpLiteral("256.1.1.1")).toBe(false)
    expect(isIpLiteral("example.com")).toBe(false)
    expect(isIpLiteral("AS64500")).toBe(false)
  })
})
