import { describe, expect, it } from "vitest"
import { runCli } from "./support/cli.js"

const cli = (argv: ReadonlyArray<string>, stdin = "") => runCli(["traceroute", ...argv], { stdin })

describe("netwark traceroute", () => {
  it("prints each hop line, then the responder table", async () => {
    const r = await cli(["127.0.0.1", "--queries", "2", "--wait", "1"])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^ 1 {2}127\.0\.0\.1 {2}[\d.]+ ms {2}[\d.]+ ms$/m)
    expect(r.stdout).toMatch(/^Hop +Responder +Min +Avg +Max +Lost +Notes$/m)
    expect(r.stdout).toContain("destination reached")
  })

  it("takes traceroute's short flags: -m -q -f -w", async () => {
    const r = await cli(["-m", "3", "-q", "1", "-f", "1", "-w", "1", "127.0.0.1"])
    expect(r.stderr).toBe("")
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^ 1 {2}127\.0\.0\.1 {2}[\d.]+ ms$/m)
    const bad = await cli(["-m", "99", "127.0.0.1"])
    expect(bad.stderr).toBe(
      "netwark traceroute: --max-hops must be an integer from 1 to 64 (got 99)\n",
    )
  })

  it("--json and batch", async () => {
    const j = await cli(["::1", "--queries", "1", "--json"])
    expect(j.code).toBe(0)
    expect((JSON.parse(j.stdout) as { reached: boolean }).reached).toBe(true)
    const b = await cli(["-", "--queries", "1"], "127.0.0.1\n-I\n")
    const rows = b.stdout
      .trim()
      .split("\n")
      .map(
        (l) => JSON.parse(l) as { target: string; reached?: boolean; error?: { reason: string } },
      )
    expect(rows.map((x) => [x.target, x.reached, x.error?.reason])).toEqual([
      ["127.0.0.1", true, undefined],
      ["-I", undefined, "InvalidTarget"],
    ])
  })

  it.each([
    [["127.0.0.1", "--queries", "11"], "queries must be an integer from 1 to 10 (got 11)"],
    // the message names the flags, not the tool's option names (firstHop, maxHops)
    [
      ["127.0.0.1", "--max-hops", "3", "--first-hop", "5"],
      "netwark traceroute: --first-hop must be from 1 to --max-hops 3 (got 5)\n",
    ],
    [
      ["127.0.0.1", "--max-hops", "65"],
      "netwark traceroute: --max-hops must be an integer from 1 to 64 (got 65)\n",
    ],
    [
      ["127.0.0.1", "--protocol", "tcp", "--port", "99999"],
      "port must be an integer from 1 to 65535",
    ],
    [["127.0.0.1", "--wait", "60"], "wait must be from 0.1 s to 10 s"],
    [["`reboot`"], "invalid target"],
    [["127.0.0.1", "--bogus"], "Unknown option"],
  ])("bad input %j exits 2", async (argv, message) => {
    const r = await cli(argv)
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(message)
  })
})
