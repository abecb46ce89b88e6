import { Effect, Either, Option } from "effect"
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import * as Oui from "../src/Oui.js"
import type { ToolError } from "../src/ToolError.js"
import { endlessServer } from "./support/servers.js"

const here = path.dirname(fileURLToPath(import.meta.url))
const subsetDir = path.join(here, "fixtures/oui/ieee-csv-2026-06-06-subset")
const sharedCsv = path.resolve(here, "../../..", "../shared/fixtures/oui/ieee-csv-2026-06-06")

const read = (dir: string) => ({
  "oui/oui.csv": { body: readFileSync(path.join(dir, "oui.csv")) },
  "oui28/mam.csv": { body: readFileSync(path.join(dir, "mam.csv")) },
  "oui36/oui36.csv": { body: readFileSync(path.join(dir, "oui36.csv")) },
})

/** What the test server answers per path: a body, or a status, or a body it stalls before sending. */
type Route = { body: Buffer } | { status: number } | { stall: true }
let routes: Record<string, Route> = {}
let server: Server
let baseUrl = ""
const requests: Array<string> = []

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = (req.url ?? "/").replace(/^\//, "")
    requests.push(url)
    const route = routes[url]
    if (route === undefined) {
      res.writeHead(404).end("not found")
    } else if ("status" in route) {
      res.writeHead(route.status).end()
    } else if ("stall" in route) {
      res.writeHead(200, { "content-type": "text/csv" })
      res.write("Registry,Assignment,")
    } else {
      res.writeHead(200, {
        "content-type": "text/csv",
        "last-modified": "Sat, 06 Jun 2026 03:00:00 GMT",
      })
      res.end(route.body)
    }
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

const dirs: Array<string> = []
const tempDir = (): string => {
  const dir = mkdtempSync(path.join(tmpdir(), "netwark-oui-"))
  dirs.push(dir)
  return path.join(dir, "data")
}
afterEach(() => {
  routes = {}
  requests.length = 0
})
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

/** The subset has a few hundred rows, so the real-file row checks are relaxed for it. */
const small = {
  minRows: { "MA-L": 100, "MA-M": 100, "MA-S": 100 },
  maxShrink: 1,
  timeout: "5 seconds",
} as const

const run = <A>(e: Effect.Effect<A, ToolError>) => Effect.runPromise(Effect.either(e))

const snapshotOf = (dir: string) => readFileSync(path.join(dir, Oui.SNAPSHOT_FILE))

describe("Oui.update against a local IEEE-like server", () => {
  it("downloads the three CSVs from the IEEE paths, installs them and load() prefers them", async () => {
    routes = read(subsetDir)
    const dir = tempDir()
    const result = Either.getOrThrow(await run(Oui.update({ ...small, baseUrl, dir })))
    expect(requests.sort()).toEqual(["oui/oui.csv", "oui28/mam.csv", "oui36/oui36.csv"])
    expect(result.meta).toEqual({
      source: baseUrl,
      date: "2026-06-06",
      counts: { "MA-L": 694, "MA-M": 221, "MA-S": 232 },
    })
    expect(result.previous?.counts).toEqual({ "MA-L": 39493, "MA-M": 6425, "MA-S": 7033 })
    expect(readdirSync(dir).sort()).toEqual(["mam.csv", "oui.csv", "oui.snapshot", "oui36.csv"])
    expect(readFileSync(path.join(dir, "oui.csv"))).toEqual(read(subsetDir)["oui/oui.csv"].body)
    const registry = await Effect.runPromise(Oui.load({ dir }))
    expect(registry.meta.source).toBe(baseUrl)
    const found = Either.getOrThrow(Oui.lookup(registry, "8c1f.6447.7a09"))
    expect(Option.getOrThrow(found.assignment).organization).toBe("Blaucomm Ltd")
    // The CSVs it wrote load to the same registry through the CSV loader.
    const fromCsv = await Effect.runPromise(Oui.loadCsvDirectory(dir))
    expect(Oui.assignments(fromCsv, "MA-S")).toEqual(Oui.assignments(registry, "MA-S"))
  })

  it("takes other paths under another base URL", async () => {
    const files = read(subsetDir)
    routes = {
      "mirror/a.csv": files["oui/oui.csv"],
      "mirror/b.csv": files["oui28/mam.csv"],
      "mirror/c.csv": files["oui36/oui36.csv"],
    }
    const dir = tempDir()
    const paths = { "MA-L": "a.csv", "MA-M": "b.csv", "MA-S": "c.csv" }
    Either.getOrThrow(await run(Oui.update({ ...small, baseUrl: `${baseUrl}mirror`, paths, dir })))
    expect(existsSync(path.join(dir, Oui.SNAPSHOT_FILE))).toBe(true)
  })

  describe("failures leave the previous data intact", () => {
    const dir = tempDir()
    let before: Buffer

    beforeAll(async () => {
      routes = read(subsetDir)
      Either.getOrThrow(await run(Oui.update({ ...small, baseUrl, dir })))
      before = snapshotOf(dir)
    })

    const expectIntact = () => {
      expect(snapshotOf(dir)).toEqual(before)
      expect(readdirSync(dir).sort()).toEqual(["mam.csv", "oui.csv", "oui.snapshot", "oui36.csv"])
    }

    it("HTTP 404 on one file", async () => {
      routes = read(subsetDir)
      delete (routes as Record<string, Route>)["oui28/mam.csv"]
      const e = await run(Oui.update({ ...small, baseUrl, dir }))
      expect(Either.isLeft(e) && e.left.reason).toBe("Network")
      expect(Either.isLeft(e) && e.left.message).toMatch(/oui28\/mam.csv answered HTTP 404/)
      expectIntact()
    })

    it("a truncated file (cut inside a quoted field, and cut at a line's middle)", async () => {
      const files = read(subsetDir)
      const text = files["oui/oui.csv"].body.toString("utf8")
      const insideQuotes = text.slice(0, text.indexOf('"', text.length / 2) + 5)
      for (const cut of [
        insideQuotes,
        text.slice(0, text.lastIndexOf("\r\n", text.length - 3) + 20),
      ]) {
        routes = { ...files, "oui/oui.csv": { body: Buffer.from(cut) } }
        const e = await run(Oui.update({ ...small, baseUrl, dir }))
        expect(Either.isLeft(e) && e.left.reason).toBe("Unparseable")
        expect(Either.isLeft(e) && e.left.message).toMatch(
          /refusing the downloaded registry, previous data kept: .*(unterminated|truncated)/,
        )
        expectIntact()
      }
    })

    it("a 0-byte file, as the IEEE mirror once got", async () => {
      routes = { ...read(subsetDir), "oui36/oui36.csv": { body: Buffer.alloc(0) } }
      const e = await run(Oui.update({ ...small, baseUrl, dir }))
      expect(Either.isLeft(e) && e.left.message).toMatch(/oui36.csv is empty \(0 bytes\)/)
      expectIntact()
    })

    it("a complete-looking file with far fewer rows than a real one, or than the data in use", async () => {
      routes = read(subsetDir)
      const tooFew = await run(Oui.update({ baseUrl, dir }))
      expect(Either.isLeft(tooFew) && tooFew.left.message).toMatch(
        /oui.csv has 694 rows, fewer than the 30000 a complete file has/,
      )
      const text = read(subsetDir)["oui/oui.csv"].body.toString("utf8")
      const half = text.split("\r\n").slice(0, 300).join("\r\n") + "\r\n"
      routes = { ...read(subsetDir), "oui/oui.csv": { body: Buffer.from(half) } }
      const shrunk = await run(Oui.update({ ...small, maxShrink: 0.1, baseUrl, dir }))
      expect(Either.isLeft(shrunk) && shrunk.left.message).toMatch(
        /oui.csv has 299 rows against 694 in the data in use/,
      )
      expectIntact()
    })

    it("a wrong file (an HTML error page served with 200)", async () => {
      routes = {
        ...read(subsetDir),
        "oui/oui.csv": { body: Buffer.from("<html><body>Service Unavailable</body></html>\n") },
      }
      const e = await run(Oui.update({ ...small, baseUrl, dir }))
      expect(Either.isLeft(e) && e.left.message).toMatch(/does not start with the IEEE header/)
      expectIntact()
    })

    it("a server that stalls past the timeout", async () => {
      routes = { ...read(subsetDir), "oui/oui.csv": { stall: true } }
      const started = Date.now()
      const e = await run(Oui.update({ ...small, baseUrl, dir, timeout: "300 millis" }))
      expect(Either.isLeft(e) && e.left.reason).toBe("Timeout")
      expect(Date.now() - started).toBeLessThan(5000)
      expectIntact()
    })

    it("a server that streams a file without end", async () => {
      const endless = await endlessServer()
      try {
        const e = await run(Oui.update({ ...small, baseUrl: endless.url, dir }))
        expect(Either.isLeft(e) && e.left.reason).toBe("OutputTooLarge")
        // read whole before any check, each file was held in memory until the server stopped
        // (512 MB); now each of the three, fetched at once, stops past its 64 MB cap
        expect(endless.sent()).toBeLessThan(3 * 96 * 1024 * 1024)
      } finally {
        await endless.close()
      }
      expectIntact()
    })

    it("a server that is down", async () => {
      const down = createServer()
      await new Promise<void>((resolve) => down.listen(0, "127.0.0.1", resolve))
      const port = (down.address() as AddressInfo).port
      await new Promise<void>((resolve) => down.close(() => resolve()))
      const e = await run(Oui.update({ ...small, baseUrl: `http://127.0.0.1:${port}/`, dir }))
      expect(Either.isLeft(e) && e.left.reason).toBe("Network")
      expect(Either.isLeft(e) && e.left.message).toMatch(/ECONNREFUSED/)
      expectIntact()
    })

    it("a base URL that is not a URL", async () => {
      const e = await run(Oui.update({ ...small, baseUrl: "not a url", dir }))
      expect(Either.isLeft(e) && [e.left.reason, e.left.field]).toEqual(["InvalidInput", "baseUrl"])
      expectIntact()
    })
  })
})

describe.skipIf(!existsSync(sharedCsv))(
  "Oui.update with the full IEEE 2026-06-06 CSVs (skipped when ../shared/fixtures is absent)",
  () => {
    it("passes the default row checks and installs data that answers like the bundled snapshot", async () => {
      routes = read(sharedCsv)
      const dir = tempDir()
      const result = Either.getOrThrow(await run(Oui.update({ baseUrl, dir })))
      expect(result.meta.counts).toEqual({ "MA-L": 39493, "MA-M": 6425, "MA-S": 7033 })
      const installed = await Effect.runPromise(Oui.load({ dir }))
      const bundled = Either.getOrThrow(Oui.bundledSync())
      expect(Oui.assignments(installed, "MA-M")).toEqual(Oui.assignments(bundled, "MA-M"))
    })
  },
)
