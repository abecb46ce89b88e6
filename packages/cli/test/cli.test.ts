import { describe, expect, it } from "vitest"
import { ping } from "../src/commands/ping.js"
import { lines, type Io } from "../src/internal/command.js"
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

describe("batch input (`-`: one item a line on stdin)", () => {
  const read = async (chunks: ReadonlyArray<string>) => {
    const io: Io = {
      stdout: () => undefined,
      stderr: () => undefined,
      env: {},
      stdin: async function* () {
        yield* chunks
      },
    }
    const out: Array<string> = []
    for await (const line of lines(io)) out.push(line)
    return out
  }

  it("reads lines across chunks, trimmed, without blanks and comments", async () => {
    const text = " a \n# note\n\nb\r\n  c"
    expect(await read([text])).toEqual(["a", "b", "c"])
    for (let size = 1; size <= 4; size++) {
      const chunks: Array<string> = []
      for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size))
      expect(await read(chunks)).toEqual(["a", "b", "c"])
    }
  })

  it("reads a 4 MB line sent in 1 KB chunks (searched from its start at every chunk: over 30 s)", async () => {
    const long = "x".repeat(4 * 1024 * 1024)
    const text = `first\n${long}\nlast\n`
    const chunks: Array<string> = []
    for (let i = 0; i < text.length; i += 1024) chunks.push(text.slice(i, i + 1024))
    const got = await read(chunks)
    expect(got.map((l) => l.length)).toEqual([5, long.length, 4])
    expect(got[1]).toBe(long)
  })
})
