import { execFile } from "node:child_process"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const scripts = path.join(path.dirname(fileURLToPath(import.meta.url)), "..")

/** Runs `examples/scripts/src/remote-ping.ts` as its doc comment says, with the server URL. */
const remotePing = (target: string, url: string) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "src/remote-ping.ts", target, url],
      { cwd: scripts, timeout: 30_000 },
      (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : (error.code as number), stdout, stderr }),
    )
  })

const listen = async (s: Server) => {
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve))
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`
}

describe("examples/scripts remote-ping", () => {
  it("prints the server's refusal with its field and exits 2", async () => {
    const s = createServer((_, res) => {
      res.writeHead(400, { "content-type": "application/problem+json" })
      res.end(
        JSON.stringify({
          type: "about:blank",
          title: "Bad Request",
          status: 400,
          detail: 'invalid target "a b": contains whitespace',
          reason: "InvalidTarget",
          field: "target",
        }),
      )
    })
    try {
      const run = await remotePing("a b", await listen(s))
      expect(run.code).toBe(2)
      expect(run.stderr.trim()).toBe('400 target: invalid target "a b": contains whitespace')
    } finally {
      s.close()
    }
  }, 40_000)

  it("says why the server could not be reached and exits 1", async () => {
    const s = createServer()
    const url = await listen(s)
    await new Promise<void>((resolve) => s.close(() => resolve()))
    const run = await remotePing("127.0.0.1", url)
    expect(run.code).toBe(1)
    expect(run.stderr).toContain("ECONNREFUSED")
    expect(run.stderr).not.toMatch(/^0 /)
  }, 40_000)
})
