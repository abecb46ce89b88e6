import { execFileSync } from "node:child_process"
import { describe, expect, it } from "vitest"
import { main } from "../src/cli.js"
import type { Io } from "../src/internal/command.js"
import { runCli } from "./support/cli.js"

const hasPing = (() => {
  try {
    execFileSync("sh", ["-c", "command -v ping"])
    return true
  } catch {
    return false
  }
})()

const cli = (argv: ReadonlyArray<string>, stdin = "") => runCli(["ping", ...argv], { stdin })

describe.skipIf(!hasPing)(
  `netwark ping${hasPing ? "" : " (skipped: ping is not installed)"}`,
  () => {
    it("prints each reply, then the summary table", async () => {
      const r = await cli(["127.0.0.1", "--count", "2", "--interval", "0.2"])
      expect(r).toMatchObject({ code: 0, stderr: "" })
      const out = r.stdout.split("\n")
      expect(out[0]).toBe("PING 127.0.0.1")
      expect(out[1]).toMatch(/^64 bytes from 127\.0\.0\.1: seq=1 ttl=64 time=[\d.]+ ms$/)
      expect(out[2]).toMatch(/^64 bytes from 127\.0\.0\.1: seq=2 /)
      expect(r.stdout).toMatch(/^Status\s+ok$/m)
      expect(r.stdout).toMatch(/^Loss\s+0%$/m)
      expect(r.stdout).toMatch(/^RTT avg\s+[\d.]+ ms$/m)
    })

    it("Ctrl-C prints the summary of the replies so far and exits 130", async () => {
      const stop = new AbortController()
      let stdout = ""
      let stderr = ""
      const io: Io = {
        stdout: (t) => {
          stdout += t
          if ((stdout.match(/ bytes from /g) ?? []).length === 2) stop.abort("SIGINT")
        },
        stderr: (t) => void (stderr += t),
        stdin: async function* () {},
        env: {},
        signal: stop.signal,
      }
      const code = await main(["ping", "127.0.0.1", "--count", "10", "--interval", "0.2"], io)
      expect(code).toBe(130)
      expect(stderr).toBe("netwark ping: interrupted\n")
      expect(stdout).toMatch(/^Status\s+interrupted$/m)
      expect(stdout).toMatch(/^Sent\s+2$/m)
      expect(stdout).toMatch(/^Received\s+2$/m)
      expect(stdout).toMatch(/^Loss\s+0%$/m)
      expect(stdout).toMatch(/^RTT avg\s+[\d.]+ ms$/m)
    })

    it("takes iputils ping's short flags: -c -i -s -W -w -t", async () => {
      // a sysadmin's fingers type `ping -c 2 host` ("Unknown option '-c'" before)
      const r = await cli([
        "-c",
        "2",
        "-i",
        "0.2",
        "-s",
        "16",
        "-W",
        "1",
        "-w",
        "5",
        "-t",
        "9",
        "127.0.0.1",
      ])
      expect(r.stderr).toBe("")
      expect(r.code).toBe(0)
      expect(r.stdout).toMatch(/^24 bytes from 127\.0\.0\.1: seq=2 ttl=64/m)
      expect(r.stdout).toMatch(/^Sent\s+2$/m)
      const bad = await cli(["-c", "0", "127.0.0.1"])
      expect(bad.code).toBe(2)
    })

    it("--json prints the parsed result", async () => {
      const r = await cli(["::1", "-6", "--count", "1", "--json"])
      expect(r.code).toBe(0)
      expect(JSON.parse(r.stdout)).toMatchObject({
        status: "ok",
        resolvedAddress: "::1",
        summary: { transmitted: 1, received: 1 },
      })
    })

    it("`-` reads targets from stdin and writes JSON lines, errors included", async () => {
      const r = await cli(["-", "--count", "1"], "127.0.0.1\n# comment\n$(id)\n")
      expect(r.code).toBe(0)
      const rows = r.stdout
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l) as Record<string, unknown>)
      expect(rows).toHaveLength(2)
      expect(rows[0]).toMatchObject({ target: "127.0.0.1", status: "ok" })
      expect(rows[1]).toMatchObject({ target: "$(id)", error: { reason: "InvalidTarget" } })
    })

    it.each([
      [["-f"], "Unknown option '-f'"],
      [["--", "-f"], "could be read as an option"],
      [["--", "-h"], "could be read as an option"],
      [["127.0.0.1", "--count", "500"], "count must be an integer from 1 to 100 (got 500)"],
      [["127.0.0.1", "--count", "abc"], '--count must be a number (got "abc")'],
      [["127.0.0.1", "--interval", "0.001"], "interval must be from"],
      [["127.0.0.1", "--ttl", "0"], "ttl must be an integer from 1 to 255"],
      [["127.0.0.1", "-4", "-6"], "-4 and -6 exclude each other"],
      [["127.0.0.1", "--interface=-x"], "must not start with '-'"],
      [["a;b"], "not allowed in a host name"],
      [[], "missing TARGET"],
    ])("exits 2 for bad input %j", async (argv, message) => {
      const r = await cli(argv)
      expect(r.code).toBe(2)
      expect(r.stdout).toBe("")
      expect(r.stderr).toContain("netwark ping: ")
      expect(r.stderr).toContain(message)
    })

    it("exits 1 when ping is not installed", async () => {
      const path = process.env["PATH"]
      process.env["PATH"] = "/nonexistent"
      try {
        const r = await cli(["127.0.0.1", "--count", "1"])
        expect(r.code).toBe(1)
        expect(r.stderr).toContain("ping is not installed")
      } finally {
        process.env["PATH"] = path
      }
    })
  },
)
