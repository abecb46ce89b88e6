import { execFile } from "node:child_process"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const scripts = path.join(path.dirname(fileURLToPath(import.meta.url)), "..")

/** Runs `src/sweep.ts` as its doc comment says (loopback ranges only). */
const sweep = (...args: Array<string>) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "src/sweep.ts", ...args],
      { cwd: scripts, timeout: 30_000 },
      (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : (error.code as number), stdout, stderr }),
    )
  })

describe("examples/scripts sweep", () => {
  it("lists the loopback hosts that answer", async () => {
    const run = await sweep("127.0.0.1", "127.0.0.3")
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^3 of 3 answered/)
  })

  it("sweeps a range that IpCalc splits into several blocks, each address once", async () => {
    const run = await sweep("127.0.0.254", "127.0.1.1")
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^4 of 4 answered/)
    for (const a of ["127.0.0.254", "127.0.0.255", "127.0.1.0", "127.0.1.1"])
      expect(run.stdout).toContain(`  ${a} `)
  })

  it("refuses an IPv6 range with a message, not a stack trace", async () => {
    const run = await sweep("::1", "::1")
    expect(run.code).toBe(2)
    expect(run.stderr.trim()).toBe("::1-::1: this example sweeps IPv4 ranges only")
  })

  it("refuses a range over 4,096 addresses before expanding it", async () => {
    const run = await sweep("127.0.0.0", "127.0.31.255")
    expect(run.code).toBe(2)
    expect(run.stderr.trim()).toBe(
      "127.0.0.0-127.0.31.255 holds 8192 addresses: sweep at most 4096 at once",
    )
  })
})
