import { writeFileSync } from "node:fs"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { tempDir } from "./support/env.js"
import { useServer } from "./support/server.js"

describe("server skeleton on PostgreSQL", () => {
  const running = useServer()

  it("answers /health with the database up", async () => {
    const res = await fetch(`${running.base}/health`)
    expect(res.status).toBe(200)
    const body = (await res.json()) as { status: string; database: { status: string } }
    expect(body.status).toBe("ok")
    expect(body.database.status).toBe("up")
  })

  it("answers an unknown route with a problem", async () => {
    const res = await fetch(`${running.base}/nope`)
    expect(res.status).toBe(404)
    expect(res.headers.get("content-type")).toContain("application/problem+json")
    const body = (await res.json()) as { status: number; reason: string }
    expect(body.status).toBe(404)
  })

  it("serves the OpenAPI document", async () => {
    const res = await fetch(`${running.base}/openapi.json`)
    expect(res.status).toBe(200)
    const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> }
    expect(doc.openapi).toBe("3.1.0")
    expect(Object.keys(doc.paths)).toContain("/api/v1/health")
  })
})

describe("static web console", () => {
  const web = tempDir()
  beforeAll(() => {
    writeFileSync(path.join(web.dir, "index.html"), "<!doctype html><title>Netwark</title>")
    writeFileSync(path.join(web.dir, "main.js"), "console.log(1)")
  })
  afterAll(() => web.remove())
  const running = useServer({ webDir: web.dir })

  it("serves files, index.html for console deep links, and problems under /api", async () => {
    const root = running.base.replace(/\/api\/v1$/, "")
    const html = { headers: { accept: "text/html" } }
    expect(await (await fetch(`${root}/`, html)).text()).toContain("<title>Netwark</title>")
    expect(await (await fetch(`${root}/operations/123`, html)).text()).toContain(
      "<title>Netwark</title>",
    )
    expect(await (await fetch(`${root}/main.js`)).text()).toBe("console.log(1)")
    const api = await fetch(`${running.base}/nope`, html)
    expect(api.status).toBe(404)
    expect(api.headers.get("content-type")).toContain("application/problem+json")
  })
})
