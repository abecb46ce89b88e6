import path from "node:path"
import { fileURLToPath } from "node:url"
import type { NestFastifyApplication } from "@nestjs/platform-fastify"
import { ClientError, createClient, type Client } from "@netwark/client"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { toolsApp } from "./support/toolsApp.js"

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures")

describe("@netwark/client against the tools routes on a real listening server", () => {
  let app: NestFastifyApplication
  let api: Client
  beforeAll(async () => {
    app = await toolsApp({
      NETWARK_GEOIP_CITY: path.join(fixtures, "geoip/GeoLite2-City-Test.mmdb"),
      NETWARK_GEOIP_ASN: undefined,
    })
    await app.listen(0, "127.0.0.1")
    const address = app.getHttpServer().address() as { port: number }
    api = createClient({ baseUrl: `http://127.0.0.1:${address.port}` })
  })
  afterAll(async () => {
    await app?.close()
  })

  it("round-trips path parameters the server must decode (IPv6, netmask, CIDR in one segment)", async () => {
    expect(await api.ipCalcNetwork("2001:db8::1", 64)).toMatchObject({ cidr: "2001:db8::/64" })
    expect(await api.ipCalcNetwork("10.1.2.3", "255.255.0.0")).toMatchObject({
      cidr: "10.1.0.0/16",
    })
    expect(await api.ipCalcAddress("10.0.0.0/8")).toMatchObject({ cidr: "10.0.0.0/8" })
    expect(await api.ipCalcRange("::1", "::2")).toEqual({
      start: "::1",
      end: "::2",
      networks: ["::1/128", "::2/128"],
    })
    expect(await api.macOuiLookup("00-00-0C-12-34-56")).toMatchObject({
      vendor: { organization: "Cisco Systems, Inc" },
    })
    expect(await api.geoIpLookup("2001:218::1")).toMatchObject({ country: { isoCode: "JP" } })
  })

  it("sends queries and bodies the server accepts", async () => {
    const page = await api.ipCalcSubnets("10.0.0.0", 24, { newPrefix: 26, limit: 2 })
    expect(page.subnets).toEqual(["10.0.0.0/26", "10.0.0.64/26"])
    expect((await api.macOuiSearch({ search: "cisco", limit: 3 })).items).toHaveLength(3)
    expect(await api.ipCalcAggregate({ networks: ["10.0.0.0/25", "10.0.0.128/25"] })).toEqual({
      networks: ["10.0.0.0/24"],
    })
    expect(
      await api.ipCalcContains({
        networks: ["10.0.0.0/8"],
        addresses: ["10.1.2.3", "10.9.0.0/16"],
      }),
    ).toEqual({ contains: true })
  })

  it("turns the server's problems into ClientErrors naming the field", async () => {
    const bad = await api.ipCalcNetwork("10.0.0.0", 33).catch((e: unknown) => e)
    expect(bad).toBeInstanceOf(ClientError)
    expect(bad).toMatchObject({ status: 400, field: "prefix", problem: { reason: "InvalidInput" } })
    const missing = await api.geoIpLookup("10.0.0.1").catch((e: unknown) => e)
    expect(missing).toMatchObject({ status: 404, problem: { reason: "NotFound" } })
    const item = await api
      .ipCalcAggregate({ networks: ["10.0.0.0/8", "nope"] })
      .catch((e: unknown) => e)
    expect(item).toMatchObject({ status: 400, field: "networks.1" })
  })
})
