import { execFileSync } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { createServer, type AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import path from "node:path"
import { createApp, fromEnv, type Server } from "@netwark/server"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { main } from "../src/cli.js"
import type { Io } from "../src/internal/command.js"

const has = (tool: string) => {
  try {
    execFileSync("sh", ["-c", `command -v ${tool}`])
    return true
  } catch {
    return false
  }
}

/**
 * Runs the CLI in process, noting when each stdout chunk came (to tell live from batched);
 * `onStdout` sees the output so far (and may abort `signal`, as Ctrl-C would).
 */
const cli = async (
  argv: ReadonlyArray<string>,
  signal?: AbortSignal,
  onStdout?: (stdout: string) => void,
) => {
  const chunks: Array<{ at: number; text: string }> = []
  let stderr = ""
  const io: Io = {
    stdout: (text) => {
      chunks.push({ at: Date.now(), text })
      onStdout?.(chunks.map((c) => c.text).join(""))
    },
    stderr: (t) => void (stderr += t),
    stdin: async function* () {},
    env: {},
    ...(signal === undefined ? {} : { signal }),
  }
  const code = await main(argv, io)
  return { code, stdout: chunks.map((c) => c.text).join(""), chunks, stderr }
}

const closedPort = async (): Promise<number> => {
  const s = createServer()
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve))
  const port = (s.address() as AddressInfo).port
  await new Promise<void>((resolve) => s.close(() => resolve()))
  return port
}

const tools = has("ping") && has("traceroute")
const dig = has("dig")

interface DnsServer {
  readonly port: number
  readonly close: () => Promise<void>
}

describe.skipIf(!tools)(
  `netwark … --server against an embedded server with its local worker${tools ? "" : " (skipped: ping or traceroute is not installed)"}`,
  () => {
    let server: Server
    let url: string
    let dir: string
    let dnsServer: DnsServer | undefined
    beforeAll(async () => {
      if (dig) {
        // The loopback DNS server lives with the tools tests; loaded by path, as in dns.test.ts.
        const { startDnsServer } = (await import(
          new URL("../../tools/test/support/dnsServer.ts", import.meta.url).href
        )) as { startDnsServer: () => Promise<DnsServer> }
        dnsServer = await startDnsServer()
      }
      dir = mkdtempSync(path.join(tmpdir(), "netwark-cli-remote-"))
      const config = fromEnv(
        { NETWARK_PORT: "0", NETWARK_DATA_DIR: path.join(dir, "data"), NETWARK_WEB_DIR: dir },
        dir,
      )
      server = await createApp(config, { logger: false })
      url = await server.listen()
      // The local worker announces itself shortly after the start.
      for (let i = 0; i < 200; i++) {
        const w = (await (await fetch(`${url}/api/v1/workers`)).json()) as { total: number }
        if (w.total >= 1) break
        await new Promise((r) => setTimeout(r, 100))
      }
    })
    afterAll(async () => {
      await server?.close()
      await dnsServer?.close()
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
    })

    it("ping: prints each worker's replies as they arrive, then its summary and the status", async () => {
      const r = await cli([
        "ping",
        "127.0.0.1",
        "--server",
        url,
        "--count",
        "4",
        "--interval",
        "0.3",
      ])
      expect(r.stderr).toBe("")
      expect(r.code).toBe(0)
      const lines = r.stdout.split("\n")
      expect(lines[0]).toMatch(
        new RegExp(`^PING 127\\.0\\.0\\.1 via ${url} \\(operation [0-9a-f-]{36}, queues: .+\\)$`),
      )
      const replies = lines.filter((l) =>
        /^\[local-[^\]]+\] 64 bytes from 127\.0\.0\.1: seq=\d/.test(l),
      )
      // Every reply once: those sent before the event stream opened come from the result.
      expect(replies.map((l) => /seq=(\d+)/.exec(l)?.[1]).sort()).toEqual(["1", "2", "3", "4"])
      expect(r.stdout).toMatch(/^== local-\S+ \(.+\): ok in [\d.]+ s ==$/m)
      expect(r.stdout).toMatch(/^Loss\s+0%$/m)
      expect(lines.filter((l) => l !== "").at(-1)).toBe("Status: done (1 of 1 worker answered)")
      // Live: the first reply shown was printed well before the summary (4 probes, 0.3 s apart).
      const first = r.chunks.find((c) => c.text.includes(" 64 bytes from "))!
      const summary = r.chunks.find((c) => c.text.includes("== local-"))!
      expect(summary.at - first.at).toBeGreaterThan(500)
    })

    it("ping: a worker that finished before the event stream opened is printed once", async () => {
      // The stream replays the operation's recent progress after its snapshot, which already
      // holds the result: those replies were printed a second time, after the summary.
      const realFetch = globalThis.fetch
      globalThis.fetch = async (input, init) => {
        const target = input instanceof Request ? input.url : String(input)
        if (target.endsWith("/events")) await new Promise((r) => setTimeout(r, 1500))
        return realFetch(input, init)
      }
      let r
      try {
        r = await cli(["ping", "127.0.0.1", "--server", url, "--count", "2", "--interval", "0.2"])
      } finally {
        globalThis.fetch = realFetch
      }
      expect(r.code).toBe(0)
      const replies = r.stdout.split("\n").filter((l) => / 64 bytes from /.test(l))
      expect(replies.map((l) => /seq=(\d+)/.exec(l)?.[1])).toEqual(["1", "2"])
      // the replies come before the worker's summary, and nothing of theirs after it
      expect(r.stdout.indexOf("seq=2")).toBeLessThan(r.stdout.indexOf("== local-"))
    })

    it("ping: Ctrl-C stops watching, names the operation that goes on, exits 130", async () => {
      const stop = new AbortController()
      const r = await cli(
        ["ping", "127.0.0.1", "--server", url, "--count", "3", "--interval", "1"],
        stop.signal,
        (out) => {
          if (/ 64 bytes from /.test(out)) stop.abort("SIGINT")
        },
      )
      expect(r.code).toBe(130)
      expect(r.stderr).toMatch(
        /^netwark ping: interrupted \(operation [0-9a-f-]{36} goes on on the server\)\n$/,
      )
      expect(r.stdout).not.toContain("Status:")
    })

    it("ping on two queues one worker serves: each run's lines name its queue", async () => {
      const r = await cli([
        "ping",
        "127.0.0.1",
        "--server",
        url,
        "--queue",
        "netwark",
        "--queue",
        "netwark.broadcast",
        "-c",
        "2",
        "-i",
        "0.2",
      ])
      expect(r.code).toBe(0)
      const replies = (queue: string) =>
        r.stdout
          .split("\n")
          .filter((l) => l.startsWith(`[local-`) && l.includes(` ${queue}] 64 bytes from`))
          .map((l) => /seq=(\d+)/.exec(l)?.[1])
          .sort()
      // two runs of the same worker read as one ("[local-x] … seq=1" twice) before
      expect(replies("netwark")).toEqual(["1", "2"])
      expect(replies("netwark.broadcast")).toEqual(["1", "2"])
      expect(r.stdout).toMatch(/^== local-\S+ netwark \(.+\): ok in /m)
      expect(r.stdout).toMatch(/^== local-\S+ netwark\.broadcast \(.+\): ok in /m)
      expect(r.stdout).toContain("Status: done (2 of 2 workers answered)")
    })

    it("ping --json: prints the stored operation with its result", async () => {
      const r = await cli(["ping", "127.0.0.1", "--server", url, "--count", "1", "--json"])
      expect(r.code).toBe(0)
      const op = JSON.parse(r.stdout) as {
        status: string
        type: string
        results: Array<{ status: string; result: { status: string } }>
      }
      expect(op).toMatchObject({ status: "done", type: "ping", target: "127.0.0.1" })
      expect(op.results[0]).toMatchObject({ status: "ok", result: { status: "ok" } })
    })

    it("mtr: prints each hop as it first answers, live, then the hop table", async () => {
      const r = await cli(["mtr", "127.0.0.1", "--server", url, "-c", "3", "-i", "0.3"])
      expect(r.stderr).toBe("")
      expect(r.code).toBe(0)
      // it printed nothing until the table
      const live = r.stdout
        .split("\n")
        .filter((l) => /^\[local-[^\]]+\] {2}1\. 127\.0\.0\.1 /.test(l))
      expect(live).toHaveLength(1)
      expect(r.stdout.indexOf(live[0]!)).toBeLessThan(r.stdout.indexOf("== local-"))
      expect(r.stdout).toMatch(/^1\. +127\.0\.0\.1 +0\.0% +3 /m)
    })

    it("traceroute: prints the path table of each worker", async () => {
      const r = await cli([
        "traceroute",
        "127.0.0.1",
        "--server",
        url,
        "--max-hops",
        "3",
        "--queries",
        "1",
      ])
      expect(r.stderr).toBe("")
      expect(r.code).toBe(0)
      expect(r.stdout).toMatch(/^1\.\s+127\.0\.0\.1\s/m)
      expect(r.stdout).toContain("destination reached")
      expect(r.stdout).toMatch(/Status: done/)
    })

    it("exit 2 with the server's reason for input it refuses", async () => {
      const count = await cli(["ping", "127.0.0.1", "--server", url, "--count", "0"])
      expect(count.code).toBe(2)
      expect(count.stderr).toMatch(/^netwark ping: .*count/)
      const queue = await cli(["ping", "127.0.0.1", "--server", url, "--queue", "no-such-queue"])
      expect(queue.code).toBe(2)
      expect(queue.stderr).toMatch(/^netwark ping: .*no-such-queue/)
      const hops = await cli(["traceroute", "127.0.0.1", "--server", url, "--max-hops", "65"])
      expect(hops.code).toBe(2)
      expect(hops.stderr).toBe(
        "netwark traceroute: --max-hops must be an integer from 1 to 64 (got 65)\n",
      )
      const target = await cli(["traceroute", "-rf", "--server", url])
      expect(target.code).toBe(2)
    })

    it("exit 2 for flags that are not numbers or a server that is not a URL", async () => {
      expect((await cli(["mtr", "127.0.0.1", "--server", url, "--cycles", "many"])).code).toBe(2)
      expect((await cli(["ping", "127.0.0.1", "--server", "localhost:6543"])).code).toBe(2)
      expect((await cli(["ping", "-", "--server", url])).code).toBe(2)
    })

    it("exit 1 when the server cannot be reached", async () => {
      const r = await cli([
        "ping",
        "127.0.0.1",
        "--server",
        `http://127.0.0.1:${await closedPort()}`,
      ])
      expect(r.code).toBe(1)
      expect(r.stderr).toMatch(/^netwark ping: cannot reach the server/)
    })
    it.skipIf(!dig)(
      `dns: asks the given resolver through the server's worker${dig ? "" : " (skipped: dig is not installed)"}`,
      async () => {
        const r = await cli([
          "dns",
          "www.netwark.test",
          "A",
          "--server",
          url,
          "--resolver",
          `127.0.0.1:${dnsServer!.port}`,
          "--timeout",
          "1",
          "--tries",
          "1",
        ])
        expect(r.stderr).toBe("")
        expect(r.code).toBe(0)
        expect(r.stdout).toMatch(/^www\.netwark\.test\. +60 +IN +A +192\.0\.2\.10$/m)
        expect(r.stdout).toMatch(/Status: done/)
      },
    )

    it("dns: exit 1 when the workers' resolver did not answer, as locally", async () => {
      const r = await cli([
        "dns",
        "www.netwark.test",
        "--server",
        url,
        "--resolver",
        `127.0.0.1:${await closedPort()}`,
        "--timeout",
        "1",
        "--tries",
        "1",
      ])
      expect(r.stdout).toMatch(/^Status\s+(connection-refused|timeout|no-servers)/m)
      expect(r.stdout).toContain("Status: done (0 of 1 worker answered)")
      expect(r.code).toBe(1)
    })

    it("dns: --resolver without a server URL is a usage error", async () => {
      expect((await cli(["dns", "www.netwark.test", "--resolver", "127.0.0.1"])).code).toBe(2)
    })
  },
)
