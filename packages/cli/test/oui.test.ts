import { mkdtemp, readdir, readFile, rm } from "node:fs/promises"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { existsSync } from "node:fs"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { rows, runCli } from "./support/cli.js"

const here = path.dirname(fileURLToPath(import.meta.url))
const subset = path.resolve(here, "../../tools/test/fixtures/oui/ieee-csv-2026-06-06-subset")
const sharedCsv = path.resolve(here, "../../..", "../shared/fixtures/oui/ieee-csv-2026-06-06")

let noUpdate = ""
beforeAll(async () => {
  // An empty data directory, so lookups use the bundled snapshot whatever the machine has installed.
  noUpdate = await mkdtemp(path.join(tmpdir(), "netwark-oui-cli-"))
})
afterAll(async () => {
  await rm(noUpdate, { recursive: true, force: true })
})

const cli = (argv: ReadonlyArray<string>, stdin = "", env: Record<string, string> = {}) =>
  runCli(["oui", ...argv], { stdin, env: { NETWARK_OUI_DIR: noUpdate, ...env } })

describe("netwark oui <mac|prefix>", () => {
  it("prints the vendor as a key/value table", async () => {
    const r = await cli(["8c1f.6447.7a09"])
    expect(r).toMatchObject({ code: 0, stderr: "" })
    expect(rows(r.stdout)).toEqual({
      MAC: "8c:1f:64:47:7a:09",
      Vendor: "Blaucomm Ltd",
      Address: "Unit 11 Mercian Park Tamworth Staffordshire GB B77 4DP",
      Registry: "MA-S 8C1F64477/36",
      "Locally administered": "no",
      Multicast: "no",
    })
  })

  it("prints JSON with --json, and says why a randomized MAC has no vendor", async () => {
    const r = await cli(["DA-A1-19-0C-2F-00", "--json"])
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual({
      input: "DA-A1-19-0C-2F-00",
      mac: "da:a1:19:0c:2f:00",
      bits: 48,
      locallyAdministered: true,
      multicast: false,
      vendor: null,
      note: "locally administered address (U/L bit set, e.g. a randomized MAC): it has no registered vendor",
    })
  })

  it("takes a prefix and notes a subdivided block", async () => {
    const r = await cli(["8C:1F:64"])
    expect(r.code).toBe(0)
    expect(rows(r.stdout)).toMatchObject({
      MAC: "8c:1f:64 (24-bit prefix)",
      Vendor: "IEEE Registration Authority",
      Registry: "MA-L 8C1F64/24",
    })
    expect(rows(r.stdout)["Note"]).toMatch(/subdivided/)
  })

  it("exits 2 with the reason on stderr for a bad MAC", async () => {
    expect(await cli(["aa:bb:gg"])).toEqual({
      code: 2,
      stdout: "",
      stderr: "netwark oui: g is not a hex digit in 'aa:bb:gg'\n",
    })
    expect((await cli(["aabb"])).stderr).toBe(
      "netwark oui: a MAC prefix needs at least 6 hex digits, got 4 in 'aabb'\n",
    )
    expect((await cli([])).code).toBe(2)
    expect((await cli(["--bogus"])).code).toBe(2)
  })

  it("batch mode: one MAC per line in, JSON lines out, bad lines reported in the stream", async () => {
    const r = await cli(["-"], "00:1b:63:00:00:01\n# a comment\n\n8c1f64ea2f86\nnope\n")
    const out = r.stdout
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(out).toHaveLength(3)
    expect(out[0]).toMatchObject({
      mac: "00:1b:63:00:00:01",
      vendor: { organization: "Apple, Inc.", registry: "MA-L" },
    })
    expect(out[1]).toMatchObject({
      vendor: { registry: "MA-L", prefix: "8C1F64", organization: "IEEE Registration Authority" },
    })
    expect(out[2]).toEqual({
      input: "nope",
      error: { reason: "InvalidInput", message: "n is not a hex digit in 'nope'" },
    })
    expect(r.code).toBe(2)
  })
})

describe("netwark oui search", () => {
  it("lists matching organizations as a table with paging hints", async () => {
    const r = await cli(["search", "blaucomm"])
    expect(r.code).toBe(0)
    expect(r.stdout.split("\n")[0]).toMatch(/^PREFIX\s+REGISTRY\s+ORGANIZATION\s+ADDRESS$/)
    expect(r.stdout).toMatch(/8C1F64477\/36\s+MA-S\s+Blaucomm Ltd\s+Unit 11 Mercian Park/)
    expect(r.stdout.trimEnd().split("\n").at(-1)).toBe("1-1 of 1")
  })

  it("pages with --offset/--limit and prints JSON with --json", async () => {
    const r = await cli(["search", "Apple", "--offset", "2", "--limit", "3", "--json"])
    const page = JSON.parse(r.stdout) as {
      total: number
      offset: number
      limit: number
      items: Array<{ organization: string }>
    }
    expect(page).toMatchObject({ query: "Apple", offset: 2, limit: 3 })
    expect(page.items).toHaveLength(3)
    expect(page.total).toBeGreaterThan(100)
    const human = await cli(["search", "Apple", "--limit", "3"])
    expect(human.stdout).toMatch(
      new RegExp(`1-3 of ${page.total} \\(next: --offset 3 --limit 3\\)`),
    )
  })

  it("exits 2 on a bad page number", async () => {
    expect(await cli(["search", "x", "--limit", "ten"])).toMatchObject({
      code: 2,
      stderr: "netwark oui: --limit needs a whole number, got 'ten'\n",
    })
    expect((await cli(["search", "x", "--limit", "0"])).code).toBe(2)
  })
})

describe("netwark oui update", () => {
  let server: Server
  let baseUrl = ""
  let served: Record<string, Buffer> = {}
  beforeAll(async () => {
    served = {
      "/oui/oui.csv": await readFile(path.join(subset, "oui.csv")),
      "/oui28/mam.csv": await readFile(path.join(subset, "mam.csv")),
      "/oui36/oui36.csv": await readFile(path.join(subset, "oui36.csv")),
    }
    server = createServer((req, res) => {
      const body = served[req.url ?? ""]
      if (body === undefined) res.writeHead(404).end()
      else res.writeHead(200).end(body)
    })
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
  })
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })

  it("refuses a registry far smaller than the real one, exit 1, and installs nothing", async () => {
    const dir = path.join(noUpdate, "refused")
    const r = await cli(["update", "--base-url", baseUrl, "--dir", dir])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(
      /^netwark oui: refusing the downloaded registry, previous data kept: oui.csv has 694 rows, fewer than the 30000/,
    )
    await expect(readdir(dir)).rejects.toThrow()
  })

  it("exits 1 when the server answers 404", async () => {
    const r = await cli([
      "update",
      "--base-url",
      `${baseUrl}missing/`,
      "--dir",
      path.join(noUpdate, "x"),
    ])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/HTTP 404/)
  })

  it.skipIf(!existsSync(sharedCsv))(
    "installs the full IEEE CSVs, then lookups and info use them (skipped when ../shared/fixtures is absent)",
    async () => {
      const full = {
        "/full/oui/oui.csv": await readFile(path.join(sharedCsv, "oui.csv")),
        "/full/oui28/mam.csv": await readFile(path.join(sharedCsv, "mam.csv")),
        "/full/oui36/oui36.csv": await readFile(path.join(sharedCsv, "oui36.csv")),
      }
      served = { ...served, ...full }
      const dir = path.join(noUpdate, "installed")
      const r = await cli(["update", "--base-url", `${baseUrl}full/`, "--dir", dir])
      expect(r).toMatchObject({ code: 0, stderr: "" })
      expect(rows(r.stdout)).toMatchObject({
        Installed: path.join(dir, "oui.snapshot"),
        Source: `${baseUrl}full/`,
        Assignments: "MA-L 39493, MA-M 6425, MA-S 7033",
      })
      expect((await readdir(dir)).sort()).toEqual([
        "mam.csv",
        "oui.csv",
        "oui.snapshot",
        "oui36.csv",
      ])
      const info = JSON.parse(
        (await cli(["info", "--json"], "", { NETWARK_OUI_DIR: dir })).stdout,
      ) as Record<string, unknown>
      expect(info).toMatchObject({
        source: `${baseUrl}full/`,
        bundled: false,
        file: path.join(dir, "oui.snapshot"),
      })
      const hit = await cli(["8c1f64477a09", "--dir", dir, "--json"])
      expect(JSON.parse(hit.stdout)).toMatchObject({ vendor: { organization: "Blaucomm Ltd" } })
    },
  )

  it("info names the bundled snapshot when nothing is installed", async () => {
    const r = await cli(["info"])
    expect(rows(r.stdout)).toMatchObject({
      Date: "2026-06-06",
      "MA-L": "39493",
      "MA-M": "6425",
      "MA-S": "7033",
    })
    expect(rows(r.stdout)["Data"]).toMatch(/data\/oui\/oui\.snapshot \(bundled\)$/)
  })

  it("exits 2 on a bad --timeout", async () => {
    expect((await cli(["update", "--timeout", "soon"])).code).toBe(2)
  })
})
