import { copyFile, mkdtemp, readdir, readFile, rename, rm, writeFile } from "node:fs/promises"
import { readFileSync, readdirSync } from "node:fs"
import { tmpdir } from "node:os"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { ConfigProvider, Effect, Either, Exit, Option, Scope } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as GeoIp from "../src/GeoIp.js"

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures/mmdb")
const testData = (name: string) => path.join(fixtures, "test-data", `${name}.mmdb`)

interface DumpLine {
  readonly network: string
  readonly record: unknown
  readonly ipv4_network?: string
}
const readDump = (name: string) => {
  const [head, ...rest] = readFileSync(
    path.join(fixtures, "derived-networks-dump", `${name}.networks.jsonl`),
    "utf8",
  )
    .split("\n")
    .filter((l) => l !== "")
  return {
    metadata: (JSON.parse(head as string) as { metadata: Record<string, unknown> }).metadata,
    lines: rest.map((l) => JSON.parse(l) as DumpLine),
  }
}
const summary = JSON.parse(
  readFileSync(path.join(fixtures, "derived-networks-dump/_summary.json"), "utf8"),
) as Record<string, { networks?: number; database_type?: string; error?: string }>

/** The dump's encoding of values JSON cannot carry (bytes, integers past 2^53, infinities). */
const dumpForm = (v: unknown): unknown => {
  if (typeof v === "number" && !Number.isFinite(v)) return { $float: String(v) }
  if (typeof v === "bigint")
    return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : { $bigint: v.toString() }
  if (v instanceof Uint8Array) return { $bytes_hex: Buffer.from(v).toString("hex") }
  if (Array.isArray(v)) return v.map(dumpForm)
  if (typeof v === "object" && v !== null)
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, dumpForm(x)]))
  return v
}
const firstAddress = (cidr: string) => cidr.slice(0, cidr.indexOf("/"))
const prefixOf = (cidr: string) => Number(cidr.slice(cidr.indexOf("/") + 1))

const open = (file: string) => Effect.runPromise(GeoIp.openDatabase(file))
const openErr = (file: string) => Effect.runPromise(Effect.flip(GeoIp.openDatabase(file)))
const run = <A, E>(effect: Effect.Effect<A, E, Scope.Scope>) =>
  Effect.runPromise(Effect.scoped(effect))

const readable = Object.entries(summary)
  .filter(([name, s]) => s.networks !== undefined && !name.includes("Shield"))
  .map(([name]) => name)

describe("GeoIp.openDatabase against the MaxMind-DB networks dump", () => {
  it("covers every readable upstream test database", () => {
    expect(readable.length).toBe(32)
  })

  it.each(readable)(
    "%s: metadata and every network's first address (IPv6 and IPv4 forms)",
    async (name) => {
      const db = await open(testData(name))
      const { metadata, lines } = readDump(name)
      expect(lines.length).toBe(summary[name]?.networks)
      expect(db.metadata).toMatchObject({
        databaseType: metadata["database_type"],
        ipVersion: metadata["ip_version"],
        nodeCount: metadata["node_count"],
        recordSize: metadata["record_size"],
        binaryFormat: `${String(metadata["binary_format_major_version"])}.${String(metadata["binary_format_minor_version"])}`,
        languages: metadata["languages"],
        description: metadata["description"],
        buildEpoch: new Date(Number(metadata["build_epoch"]) * 1000).toISOString(),
      })
      for (const line of lines) {
        const forms: Array<string> = [
          line.network,
          ...(line.ipv4_network === undefined ? [] : [line.ipv4_network]),
        ]
        for (const cidr of forms) {
          const found = Either.getOrThrow(db.lookup(firstAddress(cidr)))
          expect(Option.isSome(found), `${name} ${cidr}`).toBe(true)
          const match = Option.getOrThrow(found)
          expect(match.prefixLength, `${name} ${cidr}`).toBe(prefixOf(cidr))
          expect(match.network, `${name} ${cidr}`).toBe(cidr)
          expect(dumpForm(match.record), `${name} ${cidr}`).toEqual(line.record)
        }
      }
    },
  )
})

describe("GeoIp service lookups (City and ASN test databases)", () => {
  const cities = ["GeoIP2-City-Test", "GeoLite2-City-Test"] as const

  it.each(cities)(
    "%s: every network of the dump gives its normalized record and prefix",
    async (name) => {
      const { lines } = readDump(name)
      await run(
        Effect.gen(function* () {
          const geo = yield* GeoIp.make({ cityPath: testData(name), watch: false })
          for (const line of lines) {
            for (const cidr of [
              line.network,
              ...(line.ipv4_network === undefined ? [] : [line.ipv4_network]),
            ]) {
              const rec = Option.getOrThrow(yield* geo.lookup(firstAddress(cidr)))
              const raw = line.record as {
                country?: { iso_code?: string; names?: { en?: string } }
                continent?: { code?: string }
                city?: { names?: { en?: string } }
                postal?: { code?: string }
                subdivisions?: Array<{ iso_code?: string }>
                location?: {
                  latitude?: number
                  longitude?: number
                  accuracy_radius?: number
                  time_zone?: string
                }
              }
              expect(rec.ip).toBe(firstAddress(cidr))
              expect(rec.network).toBe(cidr)
              expect(rec.prefixLength).toBe(prefixOf(cidr))
              expect(rec.raw.city).toEqual(line.record)
              expect(rec.country?.isoCode).toBe(raw.country?.iso_code)
              expect(rec.country?.name).toBe(raw.country?.names?.en)
              expect(rec.continent?.code).toBe(raw.continent?.code)
              expect(rec.city?.name).toBe(raw.city?.names?.en)
              expect(rec.postalCode).toBe(raw.postal?.code)
              expect(rec.subdivisions.map((s) => s.isoCode)).toEqual(
                (raw.subdivisions ?? []).map((s) => s.iso_code),
              )
              expect(rec.location?.latitude).toBe(raw.location?.latitude)
              expect(rec.location?.longitude).toBe(raw.location?.longitude)
              expect(rec.location?.accuracyRadius).toBe(raw.location?.accuracy_radius)
              expect(rec.location?.timeZone).toBe(raw.location?.time_zone)
            }
          }
        }),
      )
    },
  )

  it("GeoLite2-ASN-Test: every network of the dump gives its ASN, organization and prefix", async () => {
    const { lines } = readDump("GeoLite2-ASN-Test")
    await run(
      Effect.gen(function* () {
        const geo = yield* GeoIp.make({ asnPath: testData("GeoLite2-ASN-Test"), watch: false })
        for (const line of lines) {
          for (const cidr of [
            line.network,
            ...(line.ipv4_network === undefined ? [] : [line.ipv4_network]),
          ]) {
            const rec = Option.getOrThrow(yield* geo.lookup(firstAddress(cidr)))
            const raw = line.record as {
              autonomous_system_number: number
              autonomous_system_organization?: string
            }
            expect(rec.network).toBe(cidr)
            expect(rec.asn).toEqual({
              number: raw.autonomous_system_number,
              network: cidr,
              ...(raw.autonomous_system_organization === undefined
                ? {}
                : { organization: raw.autonomous_system_organization }),
            })
            expect(rec.raw).toEqual({ asn: line.record })
          }
        }
      }),
    )
  })

  it("merges City and ASN answers into one record, with metadata per database", async () => {
    await run(
      Effect.gen(function* () {
        const geo = yield* GeoIp.make({
          cityPath: testData("GeoIP2-City-Test"),
          asnPath: testData("GeoLite2-ASN-Test"),
          watch: false,
        })
        const rec = Option.getOrThrow(yield* geo.lookup("2.125.160.216"))
        expect(rec).toMatchObject({
          ip: "2.125.160.216",
          network: "2.125.160.216/29",
          prefixLength: 29,
          country: { isoCode: "GB", name: "United Kingdom", geonameId: 2635167 },
          registeredCountry: { isoCode: "FR", name: "France", isInEuropeanUnion: true },
          continent: { code: "EU", name: "Europe" },
          city: { name: "Boxford" },
          postalCode: "OX1",
          subdivisions: [
            { isoCode: "ENG", name: "England" },
            { isoCode: "WBK", name: "West Berkshire" },
          ],
          location: {
            latitude: 51.75,
            longitude: -1.25,
            accuracyRadius: 100,
            timeZone: "Europe/London",
          },
        })
        // 2.125.160.216 is not in the ASN test DB; 89.160.20.130 is in both (City /25, ASN /17).
        expect(rec.asn).toBeUndefined()
        expect(rec.raw.asn).toBeUndefined()
        const both = Option.getOrThrow(yield* geo.lookup("89.160.20.130"))
        expect(both).toMatchObject({
          network: "89.160.20.128/25",
          city: { name: "Linköping" },
          country: { isoCode: "SE" },
        })
        expect(both.asn).toEqual({
          number: 29518,
          organization: "Bredband2 AB",
          network: "89.160.0.0/17",
        })
        // Only the ASN DB knows 1.128.0.1: the network is the ASN's, the place fields are empty.
        const asnOnly = Option.getOrThrow(yield* geo.lookup("1.128.0.1"))
        expect(asnOnly).toMatchObject({
          network: "1.128.0.0/11",
          prefixLength: 11,
          subdivisions: [],
        })
        expect(asnOnly.country).toBeUndefined()
        expect(asnOnly.asn).toEqual({
          number: 1221,
          organization: "Telstra Pty Ltd",
          network: "1.128.0.0/11",
        })
        const status = yield* geo.status
        expect(status.city?.metadata).toMatchObject({
          databaseType: "GeoIP2-City",
          ipVersion: 6,
          nodeCount: 1547,
          buildEpoch: "2026-02-04T22:49:29.000Z",
        })
        expect(status.asn?.metadata.databaseType).toBe("GeoLite2-ASN")
      }),
    )
  })

  it("takes an ISP database as the ASN source and an Enterprise database's traits as a fallback", async () => {
    await run(
      Effect.gen(function* () {
        const isp = yield* GeoIp.make({ asnPath: testData("GeoIP2-ISP-Test"), watch: false })
        expect(Option.getOrThrow(yield* isp.lookup("1.128.0.1")).asn).toEqual({
          number: 1221,
          organization: "Telstra Pty Ltd",
          network: "1.128.0.0/11",
        })
        // An ISP record without an AS number: found, no `asn`, the raw record kept.
        const noAs = Option.getOrThrow(yield* isp.lookup("1.0.128.1"))
        expect(noAs.asn).toBeUndefined()
        expect(noAs.raw.asn).toEqual({
          isp: "TOT Public Company Limited",
          organization: "TOT Public Company Limited",
        })
        const ent = yield* GeoIp.make({
          cityPath: testData("GeoIP2-Enterprise-Test"),
          watch: false,
        })
        expect(Option.getOrThrow(yield* ent.lookup("1.124.213.1")).asn).toEqual({
          number: 44244,
          organization: "Iran Cell Service and Communication Company",
          network: "1.124.213.0/24",
        })
      }),
    )
  })

  it("records are fresh objects: changing one does not change later answers", async () => {
    await run(
      Effect.gen(function* () {
        const geo = yield* GeoIp.make({ cityPath: testData("GeoIP2-City-Test"), watch: false })
        const first = Option.getOrThrow(yield* geo.lookup("2.125.160.216"))
        ;(first.raw.city as { city: { names: { en: string } } }).city.names.en = "Changed"
        const again = Option.getOrThrow(yield* geo.lookup("2.125.160.216"))
        expect(again.city?.name).toBe("Boxford")
        expect((again.raw.city as { city: { names: { en: string } } }).city.names.en).toBe(
          "Boxford",
        )
      }),
    )
  })

  it("an address in no database is None, not an error; a bad IP is InvalidInput on `ip`", async () => {
    await run(
      Effect.gen(function* () {
        const geo = yield* GeoIp.make({ cityPath: testData("GeoIP2-City-Test"), watch: false })
        expect(Option.isNone(yield* geo.lookup("10.0.0.1"))).toBe(true)
        expect(Option.isNone(yield* geo.lookup("::1"))).toBe(true)
        // A zone belongs on IPv6 only, and is never empty (both were let through before).
        for (const bad of [
          ...["", "1.2.3", "256.1.1.1", "example.com", "1.2.3.4/24", "::g", "-1"],
          ...["1.2.3.4%eth0", "fe80::1%", "01.2.3.4"],
        ]) {
          const err = yield* Effect.flip(geo.lookup(bad))
          expect(err).toMatchObject({ reason: "InvalidInput", field: "ip" })
        }
        // Zone ids do not change who owns an address.
        expect(Option.isNone(yield* geo.lookup("fe80::1%eth0"))).toBe(true)
      }),
    )
  })

  it("refuses to start without a database, with a missing file, or with the wrong kind of DB", async () => {
    const none = await Effect.runPromise(Effect.scoped(Effect.flip(GeoIp.make({}))))
    expect(none).toMatchObject({ reason: "InvalidInput" })
    expect(none.message).toMatch(/no GeoIP database configured/)
    const missing = await Effect.runPromise(
      Effect.scoped(Effect.flip(GeoIp.make({ cityPath: "/nonexistent/x.mmdb" }))),
    )
    expect(missing).toMatchObject({ reason: "FileSystem" })
    expect(missing.message).toMatch(/ENOENT/)
    const swapped = await Effect.runPromise(
      Effect.scoped(
        Effect.flip(GeoIp.make({ cityPath: testData("GeoLite2-ASN-Test"), watch: false })),
      ),
    )
    expect(swapped).toMatchObject({ reason: "InvalidInput", field: "cityPath" })
  })
})

describe("GeoIp rejects corrupt databases", () => {
  const badFiles = readdirSync(path.join(fixtures, "bad-data"), {
    recursive: true,
    encoding: "utf8",
  })
    .filter((f) => f.endsWith(".mmdb"))
    .sort()
  // These two carry a well-formed tree, data and metadata (an empty container ends the metadata);
  // they crashed libmaxminddb's bounds checks, not the format. A correct reader may open them.
  const wellFormed = new Set([
    "libmaxminddb/libmaxminddb-empty-array-last-in-metadata.mmdb",
    "libmaxminddb/libmaxminddb-empty-map-last-in-metadata.mmdb",
  ])

  it("the fixture copy holds the whole upstream bad-data corpus", () => {
    expect(badFiles.length).toBe(21)
  })

  it.each(badFiles.filter((f) => !wellFormed.has(f)))(
    "bad-data/%s is rejected as Unparseable",
    async (file) => {
      const err = await openErr(path.join(fixtures, "bad-data", file))
      expect(err._tag).toBe("ToolError")
      expect(["Unparseable", "FileSystem"]).toContain(err.reason)
    },
  )

  it.each([...wellFormed])("bad-data/%s opens and answers its one record", async (file) => {
    const db = await open(path.join(fixtures, "bad-data", file))
    expect(Option.getOrThrow(Either.getOrThrow(db.lookup("1.2.3.4"))).record).toEqual({
      ip: "test",
    })
  })

  const broken = Object.entries(summary).filter(([, s]) => s.error !== undefined)
  it.each(broken)("%s (broken on purpose upstream) is rejected as Unparseable", async (name) => {
    expect(broken.length).toBe(4)
    const err = await openErr(testData(name))
    expect(err.reason).toBe("Unparseable")
    expect(err.message).toContain(name)
  })

  it("a file that is not a database at all, or is empty, is Unparseable", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "netwark-geoip-"))
    try {
      await writeFile(path.join(dir, "empty.mmdb"), "")
      await writeFile(path.join(dir, "text.mmdb"), "hello world\n".repeat(100))
      const gz = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0])
      await writeFile(path.join(dir, "gz.mmdb"), gz)
      for (const f of ["empty.mmdb", "text.mmdb", "gz.mmdb"]) {
        expect((await openErr(path.join(dir, f))).reason).toBe("Unparseable")
      }
      expect((await openErr(path.join(dir, "gz.mmdb"))).message).toMatch(
        /gzip archive, not a \.mmdb/,
      )
      // A truncated real database.
      const city = await readFile(testData("GeoIP2-City-Test"))
      await writeFile(path.join(dir, "cut.mmdb"), city.subarray(0, city.length >> 1))
      expect((await openErr(path.join(dir, "cut.mmdb"))).reason).toBe("Unparseable")
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})

describe("GeoIp hot reload", () => {
  let dir = ""
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "netwark-geoip-reload-"))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  const waitFor = async <A>(probe: () => Promise<A | undefined>, ms = 15_000): Promise<A> => {
    const until = Date.now() + ms
    for (;;) {
      const v = await probe()
      if (v !== undefined) return v
      if (Date.now() > until) throw new Error("timed out waiting for the reload")
      await new Promise((r) => setTimeout(r, 25))
    }
  }

  it("swaps in a database replaced by atomic rename, keeps the old one when the new file is corrupt, and stops watching when the scope closes", async () => {
    const cityPath = path.join(dir, "City.mmdb")
    await copyFile(testData("GeoLite2-City-Test"), cityPath)
    const events: Array<GeoIp.ReloadEvent> = []
    const scope = Effect.runSync(Scope.make())
    const geo = await Effect.runPromise(
      Scope.extend(
        GeoIp.make({ cityPath, debounce: "50 millis", onReload: (e) => events.push(e) }),
        scope,
      ),
    )
    const lookup = (ip: string) => Effect.runPromise(geo.lookup(ip))

    // 2.2.3.0/24 is only in GeoIP2-City-Test; 214.78.0.0/19 only in GeoLite2-City-Test.
    expect(Option.isNone(await lookup("2.2.3.1"))).toBe(true)
    expect(Option.getOrThrow(await lookup("214.78.0.1")).city?.name).toBe("San Diego")
    expect((await Effect.runPromise(geo.status)).city?.metadata.databaseType).toBe("GeoLite2-City")
    const tmp = path.join(dir, ".City.mmdb.tmp")
    await copyFile(testData("GeoIP2-City-Test"), tmp)
    await rename(tmp, cityPath)
    await waitFor(async () =>
      (await Effect.runPromise(geo.status)).city?.metadata.databaseType === "GeoIP2-City"
        ? true
        : undefined,
    )
    const after = Option.getOrThrow(await lookup("2.2.3.1"))
    expect(after.city?.name).toBe("Boxford")
    expect(after.network).toBe("2.2.3.0/24")
    expect(Option.isNone(await lookup("214.78.0.1"))).toBe(true)
    expect(events.at(-1)).toMatchObject({ _tag: "Reloaded", kind: "city", path: cityPath })

    // A corrupt replacement: reported, the good reader stays.
    await copyFile(path.join(fixtures, "test-data/GeoIP2-City-Test-Broken-Double-Format.mmdb"), tmp)
    await rename(tmp, cityPath)
    await waitFor(async () =>
      (await Effect.runPromise(geo.status)).city?.lastError === undefined ? undefined : true,
    )
    expect(events.at(-1)).toMatchObject({
      _tag: "ReloadFailed",
      kind: "city",
      error: { reason: "Unparseable" },
    })
    expect(Option.getOrThrow(await lookup("2.2.3.1")).network).toBe("2.2.3.0/24")

    // Rewritten in place (not renamed) still reloads.
    await writeFile(cityPath, await readFile(testData("GeoLite2-City-Test")))
    await waitFor(async () =>
      (await Effect.runPromise(geo.status)).city?.metadata.databaseType === "GeoLite2-City"
        ? true
        : undefined,
    )
    expect((await Effect.runPromise(geo.status)).city?.lastError).toBeUndefined()
    expect(Option.isNone(await lookup("2.2.3.1"))).toBe(true)

    await Effect.runPromise(Scope.close(scope, Exit.void))
    const count = events.length
    await copyFile(testData("GeoIP2-City-Test"), tmp)
    await rename(tmp, cityPath)
    await new Promise((r) => setTimeout(r, 400))
    expect(events.length).toBe(count)
    expect((await Effect.runPromise(geo.status)).city?.metadata.databaseType).toBe("GeoLite2-City")
  })

  it("the layer form works, and `reload` re-reads on demand", async () => {
    const asnPath = path.join(dir, "ASN.mmdb")
    await copyFile(testData("GeoLite2-ASN-Test"), asnPath)
    const program = Effect.gen(function* () {
      const geo = yield* GeoIp.GeoIp
      const first = yield* geo.lookup("1.128.0.1")
      yield* geo.reload
      return [first, (yield* geo.status).asn?.path] as const
    })
    const [first, p] = await Effect.runPromise(
      Effect.provide(program, GeoIp.layer({ asnPath, watch: false })),
    )
    expect(Option.getOrThrow(first).asn?.number).toBe(1221)
    expect(p).toBe(asnPath)
    expect((await readdir(dir)).filter((f) => f.endsWith(".tmp"))).toEqual([])
  })
})

describe("GeoIp layers", () => {
  it("layerConfig reads NETWARK_GEOIP_CITY / NETWARK_GEOIP_ASN", async () => {
    const provider = ConfigProvider.fromMap(
      new Map([
        ["NETWARK_GEOIP_CITY", testData("GeoIP2-City-Test")],
        ["NETWARK_GEOIP_ASN", testData("GeoLite2-ASN-Test")],
      ]),
    )
    const rec = await Effect.runPromise(
      Effect.flatMap(GeoIp.GeoIp, (geo) => geo.lookup("89.160.20.130")).pipe(
        Effect.provide(GeoIp.layerConfig),
        Effect.withConfigProvider(provider),
      ),
    )
    expect(Option.getOrThrow(rec)).toMatchObject({
      city: { name: "Linköping" },
      asn: { number: 29518 },
    })
  })

  it("layerTest answers from its table and still refuses bad IPs", async () => {
    const record: GeoIp.GeoIpRecord = {
      ip: "192.0.2.1",
      network: "192.0.2.0/24",
      prefixLength: 24,
      subdivisions: [],
      raw: {},
    }
    const layer = GeoIp.layerTest({ "192.0.2.1": record })
    const program = Effect.gen(function* () {
      const geo = yield* GeoIp.GeoIp
      return [
        yield* geo.lookup("192.0.2.1"),
        yield* geo.lookup("192.0.2.2"),
        yield* Effect.flip(geo.lookup("x")),
      ] as const
    })
    const [hit, miss, bad] = await Effect.runPromise(Effect.provide(program, layer))
    expect(Option.getOrThrow(hit)).toBe(record)
    expect(Option.isNone(miss)).toBe(true)
    expect(bad).toMatchObject({ reason: "InvalidInput", field: "ip" })
  })
})
