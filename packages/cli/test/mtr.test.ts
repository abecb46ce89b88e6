import { describe, expect, it } from "vitest"
import { runCli } from "./support/cli.js"

const cli = (argv: ReadonlyArray<string>, stdin = "") => runCli(["mtr", ...argv], { stdin })

const fast = ["--cycles", "2", "--interval", "0.1"]

describe("netwark mtr", () => {
  it("prints hops as they answer, then the table", async () => {
    const r = await cli(["127.0.0.1", ...fast])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^ 1\. 127\.0\.0\.1 {2}\d+\.\d ms$/m)
    expect(r.stdout).toMatch(/^Hop +Host +Loss% +Snt +Last +Avg +Best +Wrst +StDev$/m)
    expect(r.stdout).toMatch(/^1\. +127\.0\.0\.1 +0\.0% +2 /m)
  })

  it("takes mtr's short flags: -c -i -s -m", async () => {
    const r = await cli(["-c", "2", "-i", "0.1", "-s", "64", "-m", "5", "127.0.0.1"])
    expect(r.stderr).toBe("")
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^1\. +127\.0\.0\.1 +0\.0% +2 /m)
  })

  it("--json prints the parsed result", async () => {
    const r = await cli(["::1", ...fast, "--json"])
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout) as {
      format: string
      hops: Array<{ hosts: Array<{ address: string }> }>
    }
    expect(out.format).toBe("raw")
    expect(out.hops[0]?.hosts[0]?.address).toBe("::1")
  })

  it("batch: one JSON line per target, errors included", async () => {
    const r = await cli(["-", ...fast], "127.0.0.1\n$(id)\n")
    expect(r.code).toBe(0)
    const rows = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { target: string; error?: { reason: string } })
    expect(rows.map((x) => [x.target, x.error?.reason])).toEqual([
      ["127.0.0.1", undefined],
      ["$(id)", "InvalidTarget"],
    ])
  })

  it.each([
    [["127.0.0.1", "--cycles", "500"], "cycles must be an integer from 1 to 100 (got 500)"],
    [["127.0.0.1", "--protocol", "sctp"], "protocol must be one of icmp, udp, tcp"],
    [["127.0.0.1", "--port", "80"], "port needs protocol udp or tcp"],
    [["127.0.0.1", "--cycles", "ten"], "--cycles must be a number"],
    // the message names the flags, not the tool's option names (packetSize, maxHops)
    [
      ["127.0.0.1", "--size", "5"],
      "netwark mtr: --size must be an integer from 28 to 9000 (got 5)",
    ],
    [["127.0.0.1", "--max-hops", "0"], "netwark mtr: --max-hops must be an integer from 1 to 64"],
    [["a;b"], "invalid target"],
    [["--", "-rf"], "could be read as an option"],
    [["127.0.0.1", "-4", "-6"], "exclude each other"],
    [[], "missing TARGET"],
  ])("bad input %j exits 2", async (argv, message) => {
    const r = await cli(argv)
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(message)
    expect(r.stdout).toBe("")
  })
})
