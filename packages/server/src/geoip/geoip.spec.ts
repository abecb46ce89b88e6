import path from "node:path"
import { fileURLToPath } from "node:url"
import type { NestFastifyApplication } from "@nestjs/platform-fastify"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { conforms, toolsApp, type ProblemJson } from "../../test/support/toolsApp.js"
import { Record } from "./geoip.dto.js"

const fixtures = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../test/fixtures/geoip",
)

describe("geoip route with the MaxMind test databases", () => {
  let app: NestFastifyApplication
  beforeAll(async () => {
    app = await toolsApp({
      NETWARK_GEOIP_CITY: path.join(fixtures, "GeoLite2-City-Test.mmdb"),
      NETWARK_GEOIP_ASN: path.join(fixtures, "GeoLite2-ASN-Test.mmdb"),
    })
  })
  afterAll(async () => {
    await app?.close()
  })

  const get = (url: string) => app.inject({ method: "GET", url })

  it("answers city, country and location of an address", async () => {
    const res = await get("/api/v1/geoip/81.2.69.160")
    expect(res.statusCode).toBe(200)
    expect(conforms(Record, res.json())).toMatchObject({
      ip: "81.2.69.160",
      network: "81.2.69.160/27",
      country: { isoCode: "GB", name: "United Kingdom" },
      city: { name: "London" },
      location: { timeZone: "Europe/London" },
    })
  })

  it("adds the AS from the ASN database, also for IPv6", async () => {
    expect(conforms(Record, (await get("/api/v1/geoip/1.128.0.1")).json())).toMatchObject({
      asn: { number: 1221, organization: "Telstra Pty Ltd" },
    })
    const v6 = await get(`/api/v1/geoip/${encodeURIComponent("2001:218::1")}`)
    expect(v6.statusCode).toBe(200)
    expect(conforms(Record, v6.json())).toMatchObject({ country: { isoCode: "JP" } })
  })

  it("answers 404 when no database knows the address", async () => {
    const res = await get("/api/v1/geoip/10.0.0.1")
    expect(res.statusCode).toBe(404)
    expect((res.json() as ProblemJson).reason).toBe("NotFound")
  })

  it("answers 400 on field ip for text that is not an address", async () => {
    for (const ip of ["example.com", "300.1.1.1", "1.2.3.4%2F24", "x".repeat(150)]) {
      const res = await get(`/api/v1/geoip/${ip}`)
      expect(res.statusCode, ip).toBe(400)
      expect((res.json() as ProblemJson).field, ip).toBe("ip")
    }
  })
})

describe("geoip route with no database configured", () => {
  let app: NestFastifyApplication
  beforeAll(async () => {
    app = await toolsApp({ NETWARK_GEOIP_CITY: undefined, NETWARK_GEOIP_ASN: undefined })
  })
  afterAll(async () => {
    await app?.close()
  })

  it("answers 503 saying how to configure it", async () => {
    const res = await app.inject({ method: "GET", url: "/api/v1/geoip/81.2.69.160" })
    expect(res.statusCode).toBe(503)
    expect(res.json()).toMatchObject({ reason: "GeoIpUnavailable" })
    expect((res.json() as ProblemJson).detail).toMatch(/NETWARK_GEOIP_CITY/)
  })

  it("answers 503 with the reason when a configured file is unusable", async () => {
    const broken = await toolsApp({
      NETWARK_GEOIP_CITY: path.join(fixtures, "SOURCE-missing.mmdb"),
    })
    try {
      const res = await broken.inject({ method: "GET", url: "/api/v1/geoip/81.2.69.160" })
      expect(res.statusCode).toBe(503)
      expect((res.json() as ProblemJson).detail).toMatch(/cannot read/)
    } finally {
      await broken.close()
    }
  })
})
