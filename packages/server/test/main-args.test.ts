import { execFile } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { afterAll, describe, expect, it } from "vitest"

const run = promisify(execFile)
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const { version } = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as {
  version: string
}
// were the arguments ignored, the server would start here (port 0, a scratch folder) and the
// timeout end it
const scratch = mkdtempSync(path.join(tmpdir(), "netwark-server-args-"))

/** `netwark-server ARGS` as an operator runs it (the bin is dist/main.js; here its source). */
const server = (...args: ReadonlyArray<string>) =>
  run(process.execPath, ["--import", "tsx", "src/main.ts", ...args], {
    cwd: root,
    env: {
      ...process.env,
      NETWARK_PORT: "0",
      NETWARK_DATA_DIR: path.join(scratch, "data"),
      NETWARK_DATABASE_URL: "",
      NETWARK_BROKER_URL: "",
      NETWARK_CONFIG: "",
    },
    timeout: 20_000,
  }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  )

describe("netwark-server arguments", () => {
  afterAll(() => rmSync(scratch, { recursive: true, force: true }))

  it("--help prints the usage and exits 0 (it started a server)", async () => {
    const r = await server("--help")
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^Usage: netwark-server \[migrate\]\n/)
    expect(r.stdout).toContain("migrate        apply the database migrations and exit")
  })

  it("--version prints the package's version", async () => {
    expect(await server("--version")).toMatchObject({
      code: 0,
      stdout: `netwark-server ${version}\n`,
    })
  })

  it("an unknown command or extra argument exits 2 with the usage (it started a server)", async () => {
    const typo = await server("migrat")
    expect(typo.code).toBe(2)
    expect(typo.stderr).toMatch(/^netwark-server: unknown command "migrat"\n\nUsage: /)
    const extra = await server("migrate", "now")
    expect(extra.code).toBe(2)
    expect(extra.stderr).toMatch(/^netwark-server: unknown argument "now"\n/)
  })
})
