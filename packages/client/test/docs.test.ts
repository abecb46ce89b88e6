import { execFile } from "node:child_process"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { describe, expect, it } from "vitest"

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..")
const typedoc = path.join(root, "..", "..", "node_modules", ".bin", "typedoc")

describe("npm run docs", () => {
  it("builds the API reference without a warning (every referenced type documented)", async () => {
    // Source links need a git remote, which a fresh clone may lack: not what this test is about.
    const run = await promisify(execFile)(
      typedoc,
      ["--emit", "none", "--disableSources", "--treatWarningsAsErrors"],
      { cwd: root },
    ).catch((e: { stdout: string; stderr: string }) => e)
    expect(`${run.stdout}${run.stderr}`).not.toMatch(/warning|error/i)
  }, 60_000)
})
