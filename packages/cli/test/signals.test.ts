import { execFileSync, spawn } from "node:child_process"
import { existsSync, readFileSync } from "node:fs"
import path from "node:path"
import { describe, expect, it } from "vitest"

const hasPing = (() => {
  try {
    execFileSync("sh", ["-c", "command -v ping"])
    return true
  } catch {
    return false
  }
})()

const bin = path.resolve(import.meta.dirname, "../dist/main.js")

/** The pids of the direct children of `pid` (Linux /proc). */
const childrenOf = (pid: number): Array<number> => {
  const file = `/proc/${pid}/task/${pid}/children`
  return existsSync(file)
    ? readFileSync(file, "utf8")
        .split(" ")
        .filter((s) => s !== "")
        .map(Number)
    : []
}

/** Whether `pid` is still a process that runs (a zombie is over). */
const running = (pid: number): boolean => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"))
  } catch {
    return false
  }
}

/** Starts `netwark ping` with a long interval, waits for its first reply, then sends `signal`. */
const interruptPing = async (signal: NodeJS.Signals) => {
  const child = spawn(process.execPath, [
    bin,
    "ping",
    "127.0.0.1",
    "--count",
    "5",
    "--interval",
    "20",
  ])
  let stdout = ""
  let stderr = ""
  child.stderr.on("data", (d: Buffer) => void (stderr += d.toString()))
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
  await new Promise<void>((resolve) =>
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString()
      if (/bytes from/.test(stdout)) resolve()
    }),
  )
  const pings = childrenOf(child.pid!)
  child.kill(signal)
  const code = await exited
  return { code, stdout, stderr, pings }
}

describe.skipIf(!hasPing || process.platform !== "linux")(
  `netwark stopped by a signal${hasPing ? "" : " (skipped: ping is not installed)"}`,
  () => {
    it("Ctrl-C (SIGINT) kills the running ping and exits 130", async () => {
      const r = await interruptPing("SIGINT")
      expect(r.pings).toHaveLength(1)
      expect(r.code).toBe(130)
      expect(r.stderr).toBe("netwark ping: interrupted\n")
      // before the fix Node exited at once and left ping running for its next 20 s interval
      for (const pid of r.pings) expect(running(pid)).toBe(false)
    })

    it("SIGTERM kills the running ping and exits 143", async () => {
      const r = await interruptPing("SIGTERM")
      expect(r.code).toBe(143)
      for (const pid of r.pings) expect(running(pid)).toBe(false)
    })
  },
)

/** Runs `netwark argv` and closes the read end of its stdout once `until` shows (`| head`). */
const closeStdoutEarly = async (argv: ReadonlyArray<string>, until = /./) => {
  const child = spawn(process.execPath, [bin, ...argv])
  let stderr = ""
  child.stderr.on("data", (d: Buffer) => void (stderr += d.toString()))
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
  let stdout = ""
  await new Promise<void>((resolve) =>
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString()
      if (until.test(stdout)) resolve()
    }),
  )
  const pings = childrenOf(child.pid!)
  child.stdout.destroy()
  return { code: await exited, stderr, pings }
}

describe.skipIf(process.platform !== "linux")("netwark whose reader goes away (| head)", () => {
  it("a long output stops quietly with 141 (it was an EPIPE stack trace)", async () => {
    const r = await closeStdoutEarly(["ipcalc", "--split", "32", "--limit", "65536", "10.0.0.0/8"])
    expect(r.stderr).not.toContain("EPIPE")
    expect(r.code).toBe(141)
  })

  it.skipIf(!hasPing)("a running ping is killed, not left behind", async () => {
    const r = await closeStdoutEarly(
      ["ping", "127.0.0.1", "--count", "20", "--interval", "0.2"],
      /bytes from/,
    )
    expect(r.pings).toHaveLength(1)
    expect(r.stderr).toBe("")
    expect(r.code).toBe(141)
    for (const pid of r.pings) expect(running(pid)).toBe(false)
  })
})

describe.skipIf(process.platform !== "linux")("netwark reading a batch from stdin", () => {
  it("Ctrl-C while it waits for the next line stops at once with 130", async () => {
    const child = spawn(process.execPath, [bin, "ipcalc", "-"])
    let stderr = ""
    child.stderr.on("data", (d: Buffer) => void (stderr += d.toString()))
    const exited = new Promise<number | null>((resolve) =>
      child.on("exit", (code) => resolve(code)),
    )
    child.stdin.write("10.0.0.0/30\n")
    await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()))
    const at = Date.now()
    child.kill("SIGINT")
    expect(await exited).toBe(130)
    // it used to wait for the 2 s grace timeout
    expect(Date.now() - at).toBeLessThan(1000)
    expect(stderr).toBe("netwark ipcalc: interrupted\n")
  })
})
