import { Effect, Either, Option } from "effect"
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { createRequire } from "node:module"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { parseCsv } from "../src/internal/oui/csv.js"
import * as Oui from "../src/Oui.js"
import type { ToolError } from "../src/ToolError.js"

const here = path.dirname(fileURLToPath(import.meta.url))
const repoRoot = path.resolve(here, "../../..")
const fixtures = path.join(here, "fixtures/oui")
const subsetDir = path.join(fixtures, "ieee-csv-2026-06-06-subset")
const shared = path.resolve(repoRoot, "../shared/fixtures/oui")
const sharedCsv = path.join(shared, "ieee-csv-2026-06-06")
const debian = path.join(shared, "debian-ieee-data-20220827.1")

interface Vector {
  readonly kind: string
  readonly mac12: string
  readonly input: string
  readonly expected: {
    registry: string
    assignment: string
    organization: string
    address: string
  } | null
  readonly oui_data_2_1_9_agrees: boolean
}

const vectors: ReadonlyArray<Vector> = readFileSync(
  path.join(fixtures, "derived-lookup-vectors.jsonl"),
  "utf8",
)
  .trim()
  .split("\n")
  .map((line) => JSON.parse(line) as Vector)

const bundled = (): Oui.Registry => Either.getOrThrow(Oui.bundledSync())

const answer = (registry: Oui.Registry, mac: string) => {
  const found = Option.getOrNull(Either.getOrThrow(Oui.lookup(registry, mac)).assignment)
  return found === null
    ? null
    : {
        registry: found.registry,
        assignment: found.prefix,
        organization: found.organization,
        address: found.address,
      }
}

/** Runs every vector and returns the ones that disagree (empty when all pass). */
const mismatches = (registry: Oui.Registry) =>
  vectors.flatMap((v) => {
    const got = answer(registry, v.input)
    return JSON.stringify(got) === JSON.stringify(v.expected)
      ? []
      : [{ input: v.input, kind: v.kind, expected: v.expected, got }]
  })

const error = (e: Either.Either<unknown, ToolError>): ToolError => {
  if (Either.isRight(e)) throw new Error("expected an error")
  return e.left
}

describe("Oui lookup vectors (IEEE 2026-06-06, 1,070 cases)", () => {
  it("covers the kinds the manifest lists", () => {
    const kinds = new Map<string, number>()
    for (const v of vectors) kinds.set(v.kind, (kinds.get(v.kind) ?? 0) + 1)
    expect(vectors).toHaveLength(1070)
    expect(kinds.get("MA-L assignment")).toBe(250)
    expect(kinds.get("MA-M assignment")).toBe(200)
    expect(kinds.get("MA-S assignment")).toBe(200)
    expect(kinds.get("subdivided MA-L, unassigned sub-block (falls back to MA-L)")).toBe(390)
    expect(kinds.get("unassigned (expect no match)")).toBe(30)
  })

  it("all pass against the bundled snapshot", () => {
    const registry = bundled()
    expect(registry.meta.date).toBe("2026-06-06")
    expect(registry.meta.counts).toEqual({ "MA-L": 39493, "MA-M": 6425, "MA-S": 7033 })
    expect(mismatches(registry)).toEqual([])
  })

  it("all pass against the CSV loader on the committed subset of the same CSVs", async () => {
    const registry = await Effect.runPromise(
      Oui.loadCsvDirectory(subsetDir, { date: "2026-06-06" }),
    )
    expect(registry.meta.counts).toEqual({ "MA-L": 694, "MA-M": 221, "MA-S": 232 })
    expect(mismatches(registry)).toEqual([])
  })

  it("agree with npm oui-data 2.1.9 except the 3 registry changes of June-August 2026", () => {
    const require = createRequire(import.meta.url)
    const ouiData = require("oui-data") as Record<string, string>
    const registry = bundled()
    const differ: Array<string> = []
    for (const v of vectors) {
      const hex = v.mac12
      const theirs =
        ouiData[hex.slice(0, 9)] ?? ouiData[hex.slice(0, 7)] ?? ouiData[hex.slice(0, 6)]
      const ours = Option.getOrNull(Either.getOrThrow(Oui.lookup(registry, v.input)).assignment)
      // oui-data collapses runs of spaces in names, so compare with runs collapsed.
      const same =
        theirs === undefined
          ? ours === null
          : ours !== null &&
            theirs.split("\n")[0]?.trim() === ours.organization.replace(/\s+/g, " ").trim()
      if (!same) differ.push(hex)
      expect(same).toBe(v.oui_data_2_1_9_agrees)
    }
    // 7CA4F7: the MA-L row changed holder; 8C1F64477 was assigned; 8C1F64EA2 stopped falling back.
    expect(differ).toEqual(["7CA4F7D707CF", "8C1F64477A09", "8C1F64EA2F86"])
  })
})

describe.skipIf(!existsSync(sharedCsv))(
  "Oui CSV loader on the full IEEE 2026-06-06 CSVs (skipped when ../shared/fixtures is absent)",
  () => {
    it("passes every vector and encodes to exactly the bundled snapshot's assignments", async () => {
      const registry = await Effect.runPromise(
        Oui.loadCsvDirectory(sharedCsv, { date: "2026-06-06" }),
      )
      expect(registry.meta.counts).toEqual({ "MA-L": 39493, "MA-M": 6425, "MA-S": 7033 })
      expect(mismatches(registry)).toEqual([])
      for (const block of ["MA-L", "MA-M", "MA-S"] as const) {
        expect(Oui.assignments(registry, block)).toEqual(Oui.assignments(bundled(), block))
      }
    })

    it("rebuilds the committed snapshot byte for byte (the build script has not drifted)", async () => {
      const { date, source } = bundled().meta
      const registry = await Effect.runPromise(Oui.loadCsvDirectory(sharedCsv, { date, source }))
      const rebuilt = Buffer.from(Oui.toSnapshot(registry))
      expect(rebuilt.equals(readFileSync(Oui.bundledSnapshotPath()))).toBe(true)
    })
  },
)

describe.skipIf(!existsSync(debian))(
  "Oui CSV parser vs Debian ieee-data 2022 TXT (skipped when ../shared/fixtures is absent)",
  () => {
    it("reads the same assignments and organizations from the CSV as the TXT of the same day lists", async () => {
      const registry = await Effect.runPromise(Oui.loadCsvDirectory(debian, { date: "2022-08-27" }))
      for (const [block, file] of [
        ["MA-L", "oui.txt"],
        ["MA-M", "mam.txt"],
        ["MA-S", "oui36.txt"],
      ] as const) {
        const fromTxt = new Map<string, string>()
        let base = ""
        for (const line of readFileSync(path.join(debian, file), "latin1").split("\r\n")) {
          const hex = /^([0-9A-F]{2})-([0-9A-F]{2})-([0-9A-F]{2})\s+\(hex\)/.exec(line)
          if (hex) base = `${hex[1]}${hex[2]}${hex[3]}`
          const b16 = /^([0-9A-F]{6})(?:-[0-9A-F]{6})?\s+\(base 16\)\t\t(.*)$/.exec(line)
          if (b16) {
            const prefix =
              block === "MA-L"
                ? (b16[1] as string)
                : base + (b16[1] as string).slice(0, block === "MA-M" ? 1 : 3)
            if (!fromTxt.has(prefix)) fromTxt.set(prefix, (b16[2] as string).trim())
          }
        }
        const fromCsv = Oui.assignments(registry, block)
        expect(new Set(fromCsv.map((a) => a.prefix))).toEqual(new Set(fromTxt.keys()))
        // The TXT mangles non-ASCII names and drops double quotes, so compare ASCII names without quotes.
        const ascii = fromCsv.filter((a) => /^[\x20-\x7e]*$/.test(a.organization))
        const differ = ascii.filter(
          (a) =>
            fromTxt.get(a.prefix) !== a.organization.replaceAll('"', "").trim() &&
            !fromCsv.some((b) => b !== a && b.prefix === a.prefix),
        )
        expect(ascii.length).toBeGreaterThan(fromCsv.length * 0.95)
        expect(differ).toEqual([])
      }
    })
  },
)

describe("Oui.lookup", () => {
  const registry = bundled()
  const hit = (mac: string) => Either.getOrThrow(Oui.lookup(registry, mac))

  it("reads every common spelling, case-insensitively, to the same answer", () => {
    const spellings = [
      "8c:1f:64:47:7a:09",
      "8C:1F:64:47:7A:09",
      "8c-1f-64-47-7a-09",
      "8c1f.6447.7a09",
      "8C1F64477A09",
      "  8c1f64477a09 ",
    ]
    for (const s of spellings) {
      const m = hit(s)
      expect(m.mac).toBe("8c:1f:64:47:7a:09")
      expect(m.bits).toBe(48)
      expect(Option.getOrThrow(m.assignment)).toEqual({
        registry: "MA-S",
        prefix: "8C1F64477",
        bits: 36,
        organization: "Blaucomm Ltd",
        address: "Unit 11 Mercian Park Tamworth Staffordshire GB B77 4DP",
      })
    }
  })

  it("reads BSD arp spellings with a dropped leading zero", () => {
    expect(hit("0:1b:63:a:b:c").mac).toBe("00:1b:63:0a:0b:0c")
    expect(Option.getOrThrow(hit("0:1b:63:a:b:c").assignment).organization).toBe("Apple, Inc.")
  })

  it("takes prefixes: 24 bits give the MA-L row, with a note when the block is subdivided", () => {
    const large = hit("8c:1f:64")
    expect(large.mac).toBe("8c:1f:64")
    expect(large.bits).toBe(24)
    expect(Option.getOrThrow(large.assignment)).toMatchObject({
      registry: "MA-L",
      prefix: "8C1F64",
      organization: "IEEE Registration Authority",
    })
    expect(large.note).toMatch(/subdivided/)
    // 7 digits reach an MA-M assignment, 9 an MA-S one.
    expect(Option.getOrThrow(hit("08DA336").assignment)).toMatchObject({
      registry: "MA-M",
      prefix: "08DA336",
      bits: 28,
    })
    expect(Option.getOrThrow(hit("8c1f64477").assignment)).toMatchObject({
      registry: "MA-S",
      prefix: "8C1F64477",
    })
    expect(
      Option.getOrThrow(hit("aabbcc").assignment.pipe(Option.orElse(() => Option.some("none")))),
    ).toBe("none")
    expect(hit("00:00:0c").note).toBeUndefined()
    expect(Option.getOrThrow(hit("00000c").assignment).organization).toBe("Cisco Systems, Inc")
  })

  it("lets the longest registered prefix win and falls back to MA-L in an unassigned sub-block", () => {
    expect(Option.getOrThrow(hit("8C1F64EA2F86").assignment)).toMatchObject({
      registry: "MA-L",
      prefix: "8C1F64",
    })
    expect(Option.getOrThrow(hit("8C1F64477A09").assignment)).toMatchObject({ registry: "MA-S" })
  })

  it("flags multicast and locally administered MACs, which have no registered vendor", () => {
    const random = hit("da:a1:19:0c:2f:00")
    expect(random.locallyAdministered).toBe(true)
    expect(random.multicast).toBe(false)
    expect(Option.isNone(random.assignment)).toBe(true)
    expect(random.note).toMatch(/locally administered .* no registered vendor/)
    // A few MA-L rows predate the U/L rule: named in the note, but not claimed as the vendor.
    const historic = hit("02:c0:8c:01:02:03")
    expect(Option.isNone(historic.assignment)).toBe(true)
    expect(historic.note).toMatch(/02C08C \(3COM\)/)
    const ipv4Multicast = hit("01:00:5e:00:00:fb")
    expect(ipv4Multicast.multicast).toBe(true)
    expect(ipv4Multicast.locallyAdministered).toBe(false)
    expect(ipv4Multicast.note).toMatch(/group \(multicast\)/)
    const broadcast = hit("ff:ff:ff:ff:ff:ff")
    expect([broadcast.multicast, broadcast.locallyAdministered]).toEqual([true, true])
    expect(broadcast.note).toMatch(/broadcast/)
    const cisco = hit("00:00:0c:12:34:56")
    expect([cisco.multicast, cisco.locallyAdministered, cisco.note]).toEqual([
      false,
      false,
      undefined,
    ])
  })

  it("keeps the first row of a prefix the IEEE lists twice", () => {
    expect(Option.getOrThrow(hit("08:00:30:00:00:01").assignment).organization).toBe(
      "NETWORK RESEARCH CORPORATION",
    )
  })

  it("parses MACs and prefixes to a 48-bit value and a bit count", () => {
    expect(Either.getOrThrow(Oui.parseMac("8C:1F:64:47:7A:09"))).toEqual({
      value: 0x8c1f64477a09,
      bits: 48,
    })
    expect(Either.getOrThrow(Oui.parseMac("8c1f6447"))).toEqual({ value: 0x8c1f64470000, bits: 32 })
    expect(Either.getOrThrow(Oui.parseMac("ff-ff-ff"))).toEqual({ value: 0xffffff000000, bits: 24 })
    expect(Either.isLeft(Oui.parseMac("ff-ff"))).toBe(true)
    // 32 bits reach past MA-M but not MA-S: inside an MA-S block that is the MA-L row.
    expect(Option.getOrThrow(hit("8c1f6447").assignment)).toMatchObject({
      registry: "MA-L",
      prefix: "8C1F64",
    })
  })

  it("rejects bad input with InvalidInput on field mac and a clear message", () => {
    const cases: ReadonlyArray<readonly [string, string]> = [
      ["aa:bb:gg", "g is not a hex digit in 'aa:bb:gg'"],
      ["aabb", "a MAC prefix needs at least 6 hex digits, got 4 in 'aabb'"],
      ["", "a MAC prefix needs at least 6 hex digits, got 0 in ''"],
      ["aa:bb:cc:dd:ee:ff:00", "a MAC address has at most 6 groups: 'aa:bb:cc:dd:ee:ff:00'"],
      ["aabbccddeeff00", "a MAC address has at most 12 hex digits: 'aabbccddeeff00'"],
      ["aa:bb-cc", "mixed separators ':' and '-' in 'aa:bb-cc'"],
      ["aa::bb:cc", "empty group in 'aa::bb:cc'"],
      ["aab.bccd.deef", "dotted groups have 4 hex digits in 'aab.bccd.deef'"],
      ["aaa:bb:cc", "':'-separated groups have 1 or 2 hex digits in 'aaa:bb:cc'"],
      ["aa bb cc", "a space is not a hex digit in 'aa bb cc'"],
    ]
    for (const [input, message] of cases) {
      const e = error(Oui.lookup(registry, input))
      expect({ reason: e.reason, field: e.field, message: e.message }).toEqual({
        reason: "InvalidInput",
        field: "mac",
        message,
      })
    }
  })

  it("serialises to JSON with the vendor or null", () => {
    expect(JSON.parse(JSON.stringify(hit("00-00-0C-12-34-56")))).toEqual({
      input: "00-00-0C-12-34-56",
      mac: "00:00:0c:12:34:56",
      bits: 48,
      locallyAdministered: false,
      multicast: false,
      vendor: {
        registry: "MA-L",
        prefix: "00000C",
        bits: 24,
        organization: "Cisco Systems, Inc",
        address: "170 WEST TASMAN DRIVE SAN JOSE CA US 95134-1706",
      },
    })
    expect(Oui.toJson(hit("02:00:00:00:00:01")).vendor).toBeNull()
  })
})

describe("Oui.search", () => {
  const registry = bundled()

  it("finds organizations by case-insensitive substring, paginated with a total", () => {
    const first = Either.getOrThrow(Oui.search(registry, "Cisco Systems", { limit: 10 }))
    expect(first.total).toBeGreaterThan(500)
    expect(first.items).toHaveLength(10)
    expect(first.items.every((a) => a.organization.toLowerCase().includes("cisco systems"))).toBe(
      true,
    )
    const upper = Either.getOrThrow(
      Oui.search(registry, "CISCO SYSTEMS", { offset: 10, limit: 10 }),
    )
    expect(upper.total).toBe(first.total)
    expect(upper.items[0]).not.toEqual(first.items[0])
    const all = Either.getOrThrow(Oui.search(registry, "cisco systems", { limit: 10_000 }))
    expect(all.items.slice(10, 20)).toEqual(upper.items)
    const tail = Either.getOrThrow(
      Oui.search(registry, "cisco systems", { offset: first.total - 3, limit: 10 }),
    )
    expect(tail.items).toHaveLength(3)
  })

  it("lists every row of a duplicated prefix and rows of all three registries", () => {
    expect(Either.getOrThrow(Oui.search(registry, "cern")).items.map((a) => a.prefix)).toContain(
      "080030",
    )
    const blocks = new Set(
      Either.getOrThrow(Oui.search(registry, "Private", { limit: 10_000 })).items.map(
        (a) => a.registry,
      ),
    )
    expect(blocks).toEqual(new Set(["MA-L", "MA-M", "MA-S"]))
  })

  it("rejects empty text and bad pages", () => {
    expect(error(Oui.search(registry, "  ")).field).toBe("query")
    expect(error(Oui.search(registry, "x", { offset: -1 })).field).toBe("offset")
    expect(error(Oui.search(registry, "x", { limit: 0 })).field).toBe("limit")
  })
})

describe("Oui snapshot and CSV reading", () => {
  const header = "Registry,Assignment,Organization Name,Organization Address\r\n"
  const csv = (large: string, medium = header, small = header) => ({
    "MA-L": large,
    "MA-M": medium,
    "MA-S": small,
  })
  const meta = { source: "test", date: "2026-01-01" }

  it("parses RFC 4180: quoted commas, doubled quotes, line breaks in quotes, CRLF and LF, a BOM", () => {
    const r = parseCsv('\ufeffa,"b,c","say ""hi"""\r\n"multi\nline",,x\nlast,row,"" \n')
    expect(r.rows.slice(0, 2)).toEqual([
      ["a", "b,c", 'say "hi"'],
      ["multi\nline", "", "x"],
    ])
    expect(r.problems).toEqual([{ line: 4, message: "text after a closing quote" }])
    expect([r.complete, r.finalLineBreak]).toEqual([true, true])
    const cut = parseCsv('a,"b\r\nc,d\r\n')
    expect(cut.complete).toBe(false)
    expect(cut.problems[0]?.message).toMatch(/unterminated/)
    expect(parseCsv("a,b").finalLineBreak).toBe(false)
    expect(parseCsv("a,\r\n").rows).toEqual([["a", ""]])
  })

  it("builds a registry from CSV text and round-trips it through the snapshot format", () => {
    const registry = Either.getOrThrow(
      Oui.fromCsv(
        csv(
          header +
            'MA-L,00000C,"Cisco Systems, Inc","170 WEST TASMAN DRIVE, ""HQ"" SAN JOSE CA US 95134 "\r\nMA-L,8C1F64,IEEE Registration Authority,445 Hoes Lane Piscataway NJ US 08554 \r\n',
          header + 'MA-M,8C1F641,"Multi\r\nline name",x\r\n',
          header + "MA-S,8C1F64477,Blaucomm Ltd,Tamworth \r\n",
        ),
        meta,
      ),
    )
    expect(Either.isLeft(Oui.fromCsv(csv(header + 'MA-L,00000C,"Cisco\r\n'), meta))).toBe(true)
    const back = Either.getOrThrow(Oui.fromSnapshot(Oui.toSnapshot(registry)))
    expect(back.meta).toEqual({ ...meta, counts: { "MA-L": 2, "MA-M": 1, "MA-S": 1 } })
    expect(
      Option.getOrThrow(Either.getOrThrow(Oui.lookup(back, "00000c")).assignment).address,
    ).toBe('170 WEST TASMAN DRIVE, "HQ" SAN JOSE CA US 95134')
    expect(
      Option.getOrThrow(Either.getOrThrow(Oui.lookup(back, "8c1f64477001")).assignment)
        .organization,
    ).toBe("Blaucomm Ltd")
  })

  it("names what is wrong with a bad CSV", () => {
    const problem = (texts: Oui.CsvTexts) => error(Oui.fromCsv(texts, meta))
    expect(problem(csv("")).message).toMatch(/oui.csv is empty \(0 bytes\)/)
    expect(problem(csv("Prefix,Vendor\r\n")).message).toMatch(/does not start with the IEEE header/)
    expect(problem(csv(header + "MA-M,00000C,x,y\r\n")).message).toMatch(
      /registry 'MA-M' instead of 'MA-L'/,
    )
    expect(problem(csv(header + "MA-L,00000,x,y\r\n")).message).toMatch(
      /assignment '00000' is not 6 hex digits/,
    )
    expect(problem(csv(header + "MA-L,00000C,x\r\n")).message).toMatch(/3 fields instead of 4/)
    expect(problem(csv(header + "MA-L,00000C,x,y")).message).toMatch(/looks truncated/)
    expect(problem(csv(header + 'MA-L,00000C,x,"y')).reason).toBe("Unparseable")
  })

  it("names the installed file when it is corrupt", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "netwark-oui-corrupt-"))
    try {
      writeFileSync(path.join(dir, Oui.SNAPSHOT_FILE), "not a snapshot")
      const e = await Effect.runPromise(Effect.flip(Oui.load({ dir })))
      expect(e.reason).toBe("Unparseable")
      expect(e.message).toContain(
        `${path.join(dir, Oui.SNAPSHOT_FILE)}: run \`netwark oui update\` again`,
      )
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it("rejects a corrupt or truncated snapshot as Unparseable", () => {
    expect(error(Oui.fromSnapshot(new Uint8Array([1, 2, 3]))).message).toMatch(/bad magic/)
    const bytes = Oui.toSnapshot(bundled())
    expect(error(Oui.fromSnapshot(bytes.subarray(0, bytes.length / 2))).message).toMatch(
      /truncated/,
    )
  })

  it("loads the bundled snapshot through load() and the layer when no update is installed", async () => {
    const registry = await Effect.runPromise(
      Effect.gen(function* () {
        return yield* Oui.Oui
      }).pipe(Effect.provide(Oui.layer({ dir: path.join(here, "does-not-exist") }))),
    )
    expect(registry).toBe(bundled())
    expect(Oui.dataDir({ NETWARK_OUI_DIR: "/x/oui" })).toBe("/x/oui")
    expect(Oui.dataDir({ XDG_DATA_HOME: "/d", HOME: "/h" })).toBe("/d/netwark/oui")
    expect(Oui.dataDir({ HOME: "/h" })).toBe("/h/.local/share/netwark/oui")
  })
})
