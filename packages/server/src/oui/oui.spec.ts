import type { NestFastifyApplication } from "@nestjs/platform-fastify"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { conforms, toolsApp, type ProblemJson } from "../../test/support/toolsApp.js"
import { Match, Page } from "./oui.dto.js"

describe("mac-oui routes (bundled IEEE snapshot)", () => {
  let app: NestFastifyApplication
  beforeAll(async () => {
    // An empty data dir: the bundled snapshot, whatever is installed on the machine.
    app = await toolsApp({ NETWARK_OUI_DIR: "/nonexistent-netwark-oui" })
  })
  afterAll(async () => {
    await app?.close()
  })

  const get = (url: string) => app.inject({ method: "GET", url })

  it("finds the holder of a MAC in any spelling", async () => {
    for (const mac of ["00:00:0c:12:34:56", "00-00-0C-12-34-56", "0000.0c12.3456", "00000C"]) {
      const res = await get(`/api/v1/mac-oui/${encodeURIComponent(mac)}`)
      expect(res.statusCode, mac).toBe(200)
      expect(conforms(Match, res.json()), mac).toMatchObject({
        input: mac,
        vendor: { registry: "MA-L", prefix: "00000C", organization: "Cisco Systems, Inc" },
        locallyAdministered: false,
        multicast: false,
      })
    }
  })

  it("answers a locally administered MAC with no vendor and a note", async () => {
    const res = await get("/api/v1/mac-oui/02:00:00:00:00:01")
    expect(res.statusCode).toBe(200)
    expect(conforms(Match, res.json())).toMatchObject({ locallyAdministered: true, vendor: null })
    expect((res.json() as { note: string }).note).toMatch(/locally administered/)
  })

  it("answers 400 on field mac for text that is not a MAC", async () => {
    for (const mac of ["zz:zz:zz", "00:11", "0".repeat(80), "00:00:0c:12:34:56:78"]) {
      const res = await get(`/api/v1/mac-oui/${mac}`)
      expect(res.statusCode, mac).toBe(400)
      expect((res.json() as ProblemJson).field, mac).toBe("mac")
    }
  })

  it("searches organizations with paging", async () => {
    const first = await get("/api/v1/mac-oui?search=cisco%20systems&limit=5")
    expect(first.statusCode).toBe(200)
    const page = conforms(Page, first.json()) as {
      query: string
      total: number
      offset: number
      limit: number
      items: Array<{ organization: string }>
    }
    expect(page).toMatchObject({ query: "cisco systems", offset: 0, limit: 5 })
    expect(page.total).toBeGreaterThan(100)
    expect(page.items).toHaveLength(5)
    for (const item of page.items)
      expect(item.organization.toLowerCase()).toContain("cisco systems")
    const second = (
      await get("/api/v1/mac-oui?search=cisco%20systems&limit=5&offset=5")
    ).json() as typeof page
    expect(second.items[0]).not.toEqual(page.items[0])
    expect(second.total).toBe(page.total)
  })

  it("answers 400 naming the query field for bad searches", async () => {
    const cases: ReadonlyArray<readonly [string, string]> = [
      ["/api/v1/mac-oui", "search"],
      ["/api/v1/mac-oui?search=%20%20", "search"],
      ["/api/v1/mac-oui?search=cisco&limit=0", "limit"],
      ["/api/v1/mac-oui?search=cisco&limit=10001", "limit"],
      ["/api/v1/mac-oui?search=cisco&offset=1.5", "offset"],
      ["/api/v1/mac-oui?search=a&search=b", "search"],
      [`/api/v1/mac-oui?search=${"x".repeat(300)}`, "search"],
    ]
    for (const [url, field] of cases) {
      const res = await get(url)
      expect(res.statusCode, url).toBe(400)
      expect((res.json() as ProblemJson).field, url).toBe(field)
    }
  })
})
