import { execFile } from "node:child_process"
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises"
import { createServer, type IncomingMessage, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { gzipSync } from "node:zlib"
import { Effect, Either, Option, Redacted } from "effect"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import * as GeoIp from "../src/GeoIp.js"
import { parseTar } from "../src/internal/geoip/tar.js"

const run = promisify(execFile)
const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures/mmdb")
const testData = (name: string) => path.join(fixtures, "test-data", `${name}.mmdb`)

const ACCOUNT = "123456"
const KEY = "s3cr3t-L1cense_key"

let work = ""
/** Builds a real MaxMind-style archive: `<edition>_<date>/<edition>.mmdb` plus a licence file. */
const archive = async (edition: string, mmdb: string): Promise<Buffer> => {
  const root = await mkdtemp(path.join(work, "tar-"))
  const folder = `${edition}_20260204`
  await mkdir(path.join(root, folder))
  await writeFile(path.join(root, folder, "LICENSE.txt"), "test data\n")
  await copyFile(mmdb, path.join(root, folder, `${edition}.mmdb`))
  const out = path.join(root, "out.tar.gz")
  await run("tar", ["czf", out, "-C", root, folder])
  return readFile(out)
}

type Mode = "good" | "garbage" | "corrupt-mmdb" | "wrong-type"
let mode: Mode = "good"
const archives = new Map<string, Buffer>()
const requests: Array<{ url: string; authorization: string | undefined }> = []
let server: Server
let origin = ""

const body = async (edition: string): Promise<Buffer | undefined> => {
  switch (mode) {
    case "good":
      return archives.get(edition)
    case "garbage":
      return Buffer.concat([
        gzipSync(Buffer.from("not a tar")).subarray(0, 12),
        Buffer.from("garbage"),
      ])
    case "corrupt-mmdb":
      return archive(edition, testData("GeoIP2-City-Test-Broken-Double-Format"))
    case "wrong-type":
      return archives.get("GeoLite2-ASN")
  }
}

const handle = async (req: IncomingMessage): Promise<[number, Buffer | string]> => {
  const url = new URL(req.url ?? "/", origin)
  requests.push({ url: url.pathname + url.search, authorization: req.headers.authorization })
  const current = /^\/geoip\/databases\/([^/]+)\/download$/.exec(url.pathname)
  let edition: string | undefined
  if (current !== null) {
    const expected = `Basic ${Buffer.from(`${ACCOUNT}:${KEY}`).toString("base64")}`
    if (req.headers.authorization !== expected) return [401, "Invalid license key\n"]
    edition = current[1]
  } else if (url.pathname === "/app/geoip_download") {
    if (url.searchParams.get("license_key") !== KEY) return [401, "Invalid license key\n"]
    edition = url.searchParams.get("edition_id") ?? undefined
  }
  if (url.searchParams.get("suffix") !== "tar.gz") return [400, "suffix\n"]
  const data = edition === undefined ? undefined : await body(edition)
  return data === undefined ? [404, "no such edition\n"] : [200, data]
}

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "netwark-geoip-update-"))
  archives.set("GeoLite2-City", await archive("GeoLite2-City", testData("GeoLite2-City-Test")))
  archives.set("GeoLite2-ASN", await archive("GeoLite2-ASN", testData("GeoLite2-ASN-Test")))
  server = createServer((req, res) => {
    void handle(req).then(([status, data]) => {
      res.writeHead(status, { "content-type": status === 200 ? "application/gzip" : "text/plain" })
      res.end(data)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve))
  await rm(work, { recursive: true, force: true })
})
beforeEach(() => {
  mode = "good"
  requests.length = 0
})

const freshDir = () => mkdtemp(path.join(work, "dir-"))
const update = (options: Partial<GeoIp.UpdateOptions> & { readonly dir: string }) =>
  Effect.runPromise(
    Effect.either(
      GeoIp.updateDatabases({
        licenseKey: Redacted.make(KEY),
        accountId: ACCOUNT,
        baseUrl: `${origin}/geoip/databases/{edition}/download?suffix=tar.gz`,
        ...options,
      }),
    ),
  )

describe("GeoIp.updateDatabases against a local download server", () => {
  it("downloads GeoLite2-City and GeoLite2-ASN with basic auth and installs verified databases", async () => {
    const dir = await freshDir()
    const result = Either.getOrThrow(await update({ dir }))
    expect(result.map((r) => [r.editionId, r.path, r.metadata.databaseType])).toEqual([
      ["GeoLite2-City", path.join(dir, "GeoLite2-City.mmdb"), "GeoLite2-City"],
      ["GeoLite2-ASN", path.join(dir, "GeoLite2-ASN.mmdb"), "GeoLite2-ASN"],
    ])
    expect(await readFile(path.join(dir, "GeoLite2-City.mmdb"))).toEqual(
      await readFile(testData("GeoLite2-City-Test")),
    )
    expect((await readdir(dir)).sort()).toEqual(["GeoLite2-ASN.mmdb", "GeoLite2-City.mmdb"])
    expect(requests.map((r) => r.url)).toEqual([
      "/geoip/databases/GeoLite2-City/download?suffix=tar.gz",
      "/geoip/databases/GeoLite2-ASN/download?suffix=tar.gz",
    ])
    // The installed files serve lookups.
    const rec = await Effect.runPromise(
      Effect.scoped(
        Effect.flatMap(
          GeoIp.make({
            cityPath: result[0]?.path ?? "",
            asnPath: result[1]?.path ?? "",
            watch: false,
          }),
          (geo) => geo.lookup("89.160.20.130"),
        ),
      ),
    )
    expect(Option.getOrThrow(rec).asn?.number).toBe(29518)
  })

  it("a bare origin as baseUrl gets the current path scheme appended", async () => {
    const dir = await freshDir()
    Either.getOrThrow(await update({ dir, baseUrl: origin, editionIds: ["GeoLite2-ASN"] }))
    expect(requests.map((r) => r.url)).toEqual([
      "/geoip/databases/GeoLite2-ASN/download?suffix=tar.gz",
    ])
  })

  it("supports the legacy scheme with the key in the query string", async () => {
    const dir = await freshDir()
    const legacy = GeoIp.LEGACY_DOWNLOAD_URL.replace("https://download.maxmind.com", origin)
    const result = await update({ dir, baseUrl: legacy, editionIds: ["GeoLite2-City"] })
    expect(Either.isRight(result)).toBe(true)
    expect(requests[0]?.url).toBe(
      `/app/geoip_download?edition_id=GeoLite2-City&license_key=${KEY}&suffix=tar.gz`,
    )
  })

  it("a wrong key is InvalidInput on licenseKey (HTTP 401), redacted, and leaves the old DB intact", async () => {
    const dir = await freshDir()
    Either.getOrThrow(await update({ dir }))
    const before = await readFile(path.join(dir, "GeoLite2-City.mmdb"))
    for (const baseUrl of [
      undefined,
      GeoIp.LEGACY_DOWNLOAD_URL.replace("https://download.maxmind.com", origin),
    ]) {
      const wrong = "wrong-key-0000"
      const result = await Effect.runPromise(
        Effect.either(
          GeoIp.updateDatabases({
            licenseKey: Redacted.make(wrong),
            accountId: ACCOUNT,
            dir,
            baseUrl: baseUrl ?? `${origin}/geoip/databases/{edition}/download?suffix=tar.gz`,
          }),
        ),
      )
      const err = Either.getLeft(result).pipe(Option.getOrThrow)
      expect(err).toMatchObject({ reason: "InvalidInput", field: "licenseKey" })
      expect(err.message).toMatch(/HTTP 401/)
      expect(err.message).not.toContain(wrong)
      expect(JSON.stringify(err)).not.toContain(wrong)
      expect(String(err)).not.toContain(wrong)
    }
    expect(await readFile(path.join(dir, "GeoLite2-City.mmdb"))).toEqual(before)
  })

  it.each([
    ["garbage", /not valid gzip|tar:/],
    ["corrupt-mmdb", /corrupt data record/],
    ["wrong-type", /of type GeoLite2-ASN/],
  ] as const)("a %s download is Unparseable and leaves the old DB intact", async (m, message) => {
    const dir = await freshDir()
    Either.getOrThrow(await update({ dir }))
    const before = await readFile(path.join(dir, "GeoLite2-City.mmdb"))
    mode = m
    const err = Option.getOrThrow(Either.getLeft(await update({ dir })))
    expect(err.reason).toBe("Unparseable")
    expect(err.message).toMatch(message)
    expect(await readFile(path.join(dir, "GeoLite2-City.mmdb"))).toEqual(before)
    expect((await readdir(dir)).sort()).toEqual(["GeoLite2-ASN.mmdb", "GeoLite2-City.mmdb"])
  })

  it("an archive past maxBytes is refused as Network, and the old DB stays", async () => {
    const dir = await freshDir()
    Either.getOrThrow(await update({ dir }))
    const before = await readFile(path.join(dir, "GeoLite2-City.mmdb"))
    const err = Option.getOrThrow(Either.getLeft(await update({ dir, maxBytes: 1000 })))
    expect(err.reason).toBe("Network")
    expect(err.message).toMatch(/exceeds the 1000-byte cap/)
    expect(await readFile(path.join(dir, "GeoLite2-City.mmdb"))).toEqual(before)
  })

  it("an unknown edition is NotFound; a missing server is Network; bad edition ids and empty keys are refused", async () => {
    const dir = await freshDir()
    expect(
      Option.getOrThrow(Either.getLeft(await update({ dir, editionIds: ["GeoIP2-Nope"] }))).reason,
    ).toBe("NotFound")
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve))
    const port = (closed.address() as AddressInfo).port
    await new Promise((resolve) => closed.close(resolve))
    const down = Option.getOrThrow(
      Either.getLeft(await update({ dir, baseUrl: `http://127.0.0.1:${port}` })),
    )
    expect(down.reason).toBe("Network")
    expect(
      Option.getOrThrow(Either.getLeft(await update({ dir, editionIds: ["../etc"] }))),
    ).toMatchObject({
      reason: "InvalidInput",
      field: "editionIds",
    })
    const empty = await Effect.runPromise(
      Effect.either(GeoIp.updateDatabases({ licenseKey: Redacted.make(" "), dir })),
    )
    expect(Option.getOrThrow(Either.getLeft(empty))).toMatchObject({
      reason: "InvalidInput",
      field: "licenseKey",
    })
    expect(await readdir(dir)).toEqual([])
  })

  it("a running GeoIp service watching the directory picks up the update", async () => {
    const dir = await freshDir()
    Either.getOrThrow(await update({ dir, editionIds: ["GeoLite2-City"] }))
    const events: Array<GeoIp.ReloadEvent> = []
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          yield* GeoIp.make({
            cityPath: path.join(dir, "GeoLite2-City.mmdb"),
            debounce: "50 millis",
            onReload: (e) => events.push(e),
          })
          yield* Effect.promise(() => update({ dir, editionIds: ["GeoLite2-City"] }))
          for (let i = 0; i < 600 && events.length === 0; i++) yield* Effect.sleep("25 millis")
        }),
      ),
    )
    expect(events[0]).toMatchObject({
      _tag: "Reloaded",
      kind: "city",
      metadata: { databaseType: "GeoLite2-City" },
    })
  })
})

describe("tar reader", () => {
  it("reads long (GNU and pax) names and refuses a bad checksum", async () => {
    const root = await mkdtemp(path.join(work, "longtar-"))
    const long = `${"d".repeat(90)}/${"f".repeat(120)}.mmdb`
    await mkdir(path.join(root, path.dirname(long)))
    await writeFile(path.join(root, long), "payload")
    for (const format of ["gnu", "pax"]) {
      const out = path.join(root, `${format}.tar`)
      await run("tar", [`--format=${format}`, "-cf", out, "-C", root, long])
      const entries = Either.getOrThrow(parseTar(await readFile(out)))
      expect(entries.map((e) => [e.path, e.data.toString()])).toEqual([[long, "payload"]])
    }
    const tar = await readFile(path.join(root, "gnu.tar"))
    tar[10] = (tar[10] ?? 0) ^ 0xff
    expect(Either.getLeft(parseTar(tar)).pipe(Option.getOrThrow).reason).toBe("Unparseable")
    expect(Either.isLeft(parseTar(Buffer.alloc(700, 7)))).toBe(true)
  })
})
