import { execFile } from "node:child_process"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const scripts = path.join(path.dirname(fileURLToPath(import.meta.url)), "..")

/** Runs `src/subnet-plan.ts` as its doc comment says. */
const plan = (...args: Array<string>) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "src/subnet-plan.ts", ...args],
      { cwd: scripts, timeout: 30_000 },
      (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : (error.code as number), stdout, stderr }),
    )
  })

describe("examples/scripts subnet-plan", () => {
  it("splits the block and names the vendors", async () => {
    const run = await plan("10.20.0.0/24", "26")
    expect(run.code).toBe(0)
    expect(run.stdout).toContain("10.20.0.0/24 in /26: 4 subnets")
    expect(run.stdout).toContain("00:1b:63:84:45:e6: Apple, Inc. (MA-L 001B63)")
  })

  it("says what is wrong with a prefix that is not a number", async () => {
    for (const bad of ["abc", ""]) {
      const run = await plan("10.20.0.0/24", bad)
      expect(run.code).toBe(2)
      expect(run.stderr.trim()).toBe(`prefix must be a prefix length such as 26, got "${bad}"`)
    }
  })
})
