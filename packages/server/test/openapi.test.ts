import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { generate, OUTPUT } from "../scripts/openapi.js"

interface Operation {
  readonly operationId?: string
  readonly responses: Record<string, unknown>
}

describe("openapi.json", () => {
  it("is what the code generates (run `npm run openapi` after changing a route)", async () => {
    const committed = readFileSync(OUTPUT, "utf8")
    expect(await generate()).toBe(committed)
  })

  it("is OpenAPI 3.1 with an id, an answer and problem details for every tools route", () => {
    const doc = JSON.parse(readFileSync(OUTPUT, "utf8")) as {
      openapi: string
      paths: Record<string, Record<string, Operation>>
    }
    expect(doc.openapi).toBe("3.1.0")
    const tools = Object.entries(doc.paths).filter(([p]) =>
      /^\/api\/v1\/(ip-calc|mac-oui|whois|geoip)/.test(p),
    )
    expect(tools.map(([p]) => p)).toEqual(
      expect.arrayContaining([
        "/api/v1/ip-calc/{address}",
        "/api/v1/ip-calc/{address}/{prefix}",
        "/api/v1/ip-calc/{address}/{prefix}/subnets",
        "/api/v1/ip-calc/aggregate",
        "/api/v1/ip-calc/contains",
        "/api/v1/ip-calc/range/{start}/{end}",
        "/api/v1/mac-oui",
        "/api/v1/mac-oui/{mac}",
        "/api/v1/whois/{resource}",
        "/api/v1/geoip/{ip}",
      ]),
    )
    for (const [p, methods] of tools) {
      for (const [m, op] of Object.entries(methods)) {
        expect(op.operationId, `${m} ${p}`).toMatch(/^[a-z][A-Za-z]+$/)
        expect(Object.keys(op.responses), `${m} ${p}`).toEqual(
          expect.arrayContaining(["200", "400"]),
        )
      }
    }
  })
})
