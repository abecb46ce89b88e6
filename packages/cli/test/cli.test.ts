import { describe, expect, it } from "vitest"
import { ping } from "../src/commands/ping.js"
import { runCli } from "./support/cli.js"

const cli = (argv: ReadonlyArray<string>) => runCli(argv)

describe("netwark (the dispatcher)", () => {
  it("lists the commands with no arguments, --help or help", async () => {
    for (const argv of [[], ["--help"], ["-h"], ["help"]]) {
      const r = await cli(argv)
      expect(r.code).toBe(0)
      expect(r.stdout).toMatch(/^Usage: netwark <command> \[options\]\n/)
      expect(r.stdout).toMatch(/^ {2}ping {9}ping a host/m)
    }
  })

  it("`help COMMAND` prints that command's usage, as `COMMAND --help` does", async () => {
    // it printed the command list
    const r = await cli(["help", "ping"])
    expect(r).toEqual({ code: 0, stdout: ping.usage, stderr: "" })
    expect(await cli(["ping", "--help"])).toEqual(r)
  })

  it("an unknown command exits 2 with the list on stderr", async () => {
    const r = await cli(["pong"])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe("")
    expect(r.stderr).toMatch(/^netwark: unknown command "pong"\n\nUsage: netwark/)
    const help = await cli(["help", "pong"])
    expect(help.code).toBe(2)
  })
})
