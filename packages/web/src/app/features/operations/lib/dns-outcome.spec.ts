import { dnsFailure } from "./dns-outcome"

describe("dns outcome", () => {
  it("names why no server answered, with dig's first error line", () => {
    expect(
      dnsFailure({ status: "timeout", messages: [], errors: [";; no servers could be reached"] }),
    ).toBe("No answer: no DNS server could be reached (timed out). (no servers could be reached)")
    expect(dnsFailure({ status: "resolver-error", messages: [] })).toBe(
      "No answer: dig could not find the address of the DNS server.",
    )
  })

  it("is null for an answer, even an NXDOMAIN or SERVFAIL one", () => {
    expect(dnsFailure(undefined)).toBeNull()
    expect(dnsFailure({ status: "NOERROR", messages: [{ rcode: "NOERROR" }] })).toBeNull()
    expect(dnsFailure({ status: "NXDOMAIN", messages: [{ rcode: "NXDOMAIN" }] })).toBeNull()
    expect(dnsFailure({ status: "SERVFAIL" })).toBeNull()
  })
})
