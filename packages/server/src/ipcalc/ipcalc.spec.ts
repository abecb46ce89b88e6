import type { NestFastifyApplication } from "@nestjs/platform-fastify"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { conforms, toolsApp, type ProblemJson } from "../../test/support/toolsApp.js"
import { Blocks, Contains, Info, Range, Subnets } from "./ipcalc.dto.js"

describe("ip-calc routes", () => {
  let app: NestFastifyApplication
  beforeAll(async () => {
    app = await toolsApp()
  })
  afterAll(async () => {
    await app?.close()
  })

  const get = (url: string) => app.inject({ method: "GET", url })
  const post = (url: string, payload: object) => app.inject({ method: "POST", url, payload })
  const problem = (res: { json: () => unknown }) => res.json() as ProblemJson

  it("reports a network given as address and prefix", async () => {
    const res = await get("/api/v1/ip-calc/192.168.1.10/24")
    expect(res.statusCode).toBe(200)
    expect(conforms(Info, res.json())).toMatchObject({
      input: "192.168.1.10/24",
      version: 4,
      cidr: "192.168.1.0/24",
      netmask: "255.255.255.0",
      wildcard: "0.0.0.255",
      broadcast: "192.168.1.255",
      firstHost: "192.168.1.1",
      lastHost: "192.168.1.254",
      addresses: "256",
      usableHosts: "254",
      hostBitsSet: true,
      type: { kind: "private", rfc: "RFC 1918" },
      reverse: { ptr: "10.1.168.192.in-addr.arpa", zone: "1.168.192.in-addr.arpa" },
    })
  })

  it("takes a netmask in place of the prefix, and IPv6", async () => {
    expect((await get("/api/v1/ip-calc/10.1.2.3/255.255.0.0")).json()).toMatchObject({
      cidr: "10.1.0.0/16",
    })
    const v6 = await get("/api/v1/ip-calc/2001:db8::1/64")
    expect(v6.statusCode).toBe(200)
    expect(conforms(Info, v6.json())).toMatchObject({
      version: 6,
      network: "2001:db8::",
      addresses: "18446744073709551616",
      type: { kind: "documentation" },
      broadcast: null,
    })
  })

  it("reports one address as a host route, also a percent-encoded CIDR", async () => {
    expect((await get("/api/v1/ip-calc/8.8.8.8")).json()).toMatchObject({
      cidr: "8.8.8.8/32",
      type: { kind: "global" },
    })
    expect((await get("/api/v1/ip-calc/10.0.0.0%2F8")).json()).toMatchObject({
      cidr: "10.0.0.0/8",
    })
  })

  it("answers 400 naming the field for a bad address, prefix or netmask", async () => {
    const cases: ReadonlyArray<readonly [string, string]> = [
      ["/api/v1/ip-calc/300.1.1.1/24", "address"],
      ["/api/v1/ip-calc/banana", "address"],
      ["/api/v1/ip-calc/10.0.0.0/33", "prefix"],
      ["/api/v1/ip-calc/2001:db8::/129", "prefix"],
      ["/api/v1/ip-calc/10.0.0.0/255.0.255.0", "prefix"],
      ["/api/v1/ip-calc/10.0.0.0%2F8/8", "address"],
      [`/api/v1/ip-calc/${"1".repeat(200)}`, "address"],
    ]
    for (const [url, field] of cases) {
      const res = await get(url)
      expect(res.statusCode, url).toBe(400)
      expect(res.headers["content-type"]).toContain("application/problem+json")
      expect(problem(res), url).toMatchObject({ status: 400, reason: "InvalidInput", field })
    }
  })

  it("pages through subnets", async () => {
    const res = await get("/api/v1/ip-calc/10.0.0.0/24/subnets?newPrefix=26&offset=1&limit=2")
    expect(res.statusCode).toBe(200)
    expect(conforms(Subnets, res.json())).toEqual({
      network: "10.0.0.0/24",
      newPrefix: 26,
      total: "4",
      offset: 1,
      subnets: ["10.0.0.64/26", "10.0.0.128/26"],
      nextOffset: 3,
    })
    const all = (await get("/api/v1/ip-calc/10.0.0.0/24/subnets?newPrefix=25")).json()
    expect(all).toMatchObject({ subnets: ["10.0.0.0/25", "10.0.0.128/25"], nextOffset: null })
  })

  it("answers 400 for bad subnet queries, naming the query field", async () => {
    const cases: ReadonlyArray<readonly [string, string]> = [
      ["/api/v1/ip-calc/10.0.0.0/24/subnets", "newPrefix"],
      ["/api/v1/ip-calc/10.0.0.0/24/subnets?newPrefix=16", "newPrefix"],
      ["/api/v1/ip-calc/10.0.0.0/24/subnets?newPrefix=33", "newPrefix"],
      ["/api/v1/ip-calc/10.0.0.0/24/subnets?newPrefix=x", "newPrefix"],
      ["/api/v1/ip-calc/10.0.0.0/24/subnets?newPrefix=26&limit=0", "limit"],
      ["/api/v1/ip-calc/10.0.0.0/24/subnets?newPrefix=26&limit=70000", "limit"],
      ["/api/v1/ip-calc/10.0.0.0/24/subnets?newPrefix=26&offset=-1", "offset"],
      ["/api/v1/ip-calc/10.0.0.0/24/subnets?newPrefix=26&bogus=1", "bogus"],
      ["/api/v1/ip-calc/::/0/subnets?newPrefix=128&offset=9007199254740993", "offset"],
      ["/api/v1/ip-calc/10.0.0.0/99/subnets?newPrefix=26", "prefix"],
    ]
    for (const [url, field] of cases) {
      const res = await get(url)
      expect(res.statusCode, url).toBe(400)
      expect(problem(res).field, url).toBe(field)
    }
    // a whole number too large to be exact was said not to be a whole number
    const huge = await get("/api/v1/ip-calc/::/0/subnets?newPrefix=128&offset=9007199254740993")
    expect(problem(huge).detail).toBe(
      "offset: offset must be a whole number from 0 to 9007199254740991",
    )
  })

  it("aggregates networks", async () => {
    const res = await post("/api/v1/ip-calc/aggregate", {
      networks: [
        "10.0.0.0/25",
        "10.0.0.128/25",
        "10.0.1.0/24",
        "2001:db8::/33",
        "2001:db8:8000::/33",
      ],
    })
    expect(res.statusCode).toBe(200)
    expect(conforms(Blocks, res.json())).toEqual({ networks: ["10.0.0.0/23", "2001:db8::/32"] })
  })

  it("answers 400 for a bad aggregate body, naming the item", async () => {
    const cases: ReadonlyArray<readonly [object, string]> = [
      [{ networks: ["10.0.0.0/8", "nope"] }, "networks.1"],
      [{ networks: [] }, "networks"],
      [{ networks: "10.0.0.0/8" }, "networks"],
      [{ networks: [1] }, "networks.0"],
      [{}, "networks"],
      [{ networks: ["10.0.0.0/8"], extra: true }, "extra"],
    ]
    for (const [payload, field] of cases) {
      const res = await post("/api/v1/ip-calc/aggregate", payload)
      expect(res.statusCode, JSON.stringify(payload)).toBe(400)
      expect(problem(res).field, JSON.stringify(payload)).toBe(field)
    }
    const notJson = await app.inject({
      method: "POST",
      url: "/api/v1/ip-calc/aggregate",
      headers: { "content-type": "application/json" },
      payload: "{nope",
    })
    expect(notJson.statusCode).toBe(400)
    expect(notJson.headers["content-type"]).toContain("application/problem+json")
  })

  it("lists the blocks of a range", async () => {
    const res = await get("/api/v1/ip-calc/range/10.0.0.5/10.0.0.20")
    expect(res.statusCode).toBe(200)
    expect(conforms(Range, res.json())).toEqual({
      start: "10.0.0.5",
      end: "10.0.0.20",
      networks: ["10.0.0.5/32", "10.0.0.6/31", "10.0.0.8/29", "10.0.0.16/30", "10.0.0.20/32"],
    })
  })

  it("answers 400 for a bad range, naming start or end", async () => {
    const cases: ReadonlyArray<readonly [string, string]> = [
      ["/api/v1/ip-calc/range/x/10.0.0.1", "start"],
      ["/api/v1/ip-calc/range/10.0.0.1/y", "end"],
      ["/api/v1/ip-calc/range/10.0.0.9/10.0.0.1", "end"],
      ["/api/v1/ip-calc/range/10.0.0.1/::1", "end"],
    ]
    for (const [url, field] of cases) {
      const res = await get(url)
      expect(res.statusCode, url).toBe(400)
      expect(problem(res).field, url).toBe(field)
    }
  })

  it("tells whether networks contain addresses", async () => {
    const yes = await post("/api/v1/ip-calc/contains", {
      networks: ["10.0.0.0/25", "10.0.0.128/25"],
      addresses: ["10.0.0.200", "10.0.0.0/24"],
    })
    expect(yes.statusCode).toBe(200)
    expect(conforms(Contains, yes.json())).toEqual({ contains: true })
    const no = await post("/api/v1/ip-calc/contains", {
      networks: ["10.0.0.0/24"],
      addresses: ["10.0.1.1"],
    })
    expect(no.json()).toEqual({ contains: false })
    const bad = await post("/api/v1/ip-calc/contains", {
      networks: ["10.0.0.0/24"],
      addresses: ["x"],
    })
    expect(bad.statusCode).toBe(400)
    expect(problem(bad).field).toBe("addresses.0")
  })
})
