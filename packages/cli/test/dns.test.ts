import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { runCli } from "./support/cli.js"

// The loopback DNS server lives with the tools tests; loaded by path (outside this package's rootDir).
interface DnsServer {
  readonly port: number
  readonly close: () => Promise<void>
}
const { startDnsServer } = (await import(
  new URL("../../tools/test/support/dnsServer.ts", import.meta.url).href
)) as { startDnsServer: () => Promise<DnsServer> }

const cli = (argv: ReadonlyArray<string>, stdin = "") => runCli(["dns", ...argv], { stdin })

// Every query goes to the loopback test server: the machine's resolver is never asked.
describe("netwark dns", () => {
  let server: DnsServer
  const at = () => ["--server", `127.0.0.1:${server.port}`, "--timeout", "1", "--tries", "1"]
  beforeAll(async () => {
    server = await startDnsServer()
  })
  afterAll(() => server?.close())

  it("prints status, flags and the answer table", async () => {
    const r = await cli(["www.netwark.test", "A", ...at()])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^Status +NOERROR$/m)
    expect(r.stdout).toMatch(/^Flags +qr aa rd ra$/m)
    expect(r.stdout).toMatch(/^www\.netwark\.test\. +60 +IN +A +192\.0\.2\.10$/m)
  })

  it("MX over TCP, reverse with -x, NXDOMAIN is exit 0", async () => {
    const mx = await cli(["netwark.test", "mx", ...at(), "--tcp"])
    expect(mx.stdout).toContain("10 mail.netwark.test.")
    expect(mx.stdout).toContain("(TCP)")
    const ptr = await cli(["-x", "192.0.2.10", ...at()])
    expect(ptr.stdout).toMatch(/PTR +www\.netwark\.test\./)
    const nx = await cli(["nope.netwark.test", ...at()])
    expect(nx.code).toBe(0)
    expect(nx.stdout).toMatch(/^Status +NXDOMAIN$/m)
  })

  it("takes the resolver as dig does, @ADDR[:PORT] anywhere among the arguments", async () => {
    const r = await cli([
      `@127.0.0.1:${server.port}`,
      "www.netwark.test",
      "A",
      "--timeout",
      "1",
      "--tries",
      "1",
    ])
    expect(r.stderr).toBe("")
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^www\.netwark\.test\. +60 +IN +A +192\.0\.2\.10$/m)
    const ptr = await cli(["-x", "192.0.2.10", `@127.0.0.1:${server.port}`, "--timeout", "1"])
    expect(ptr.stdout).toMatch(/PTR +www\.netwark\.test\./)
  })

  it("--trace prints each delegation step", async () => {
    const r = await cli(["www.netwark.test", ...at(), "--trace"])
    expect(r.code).toBe(0)
    expect(r.stdout.match(/ from 127\.0\.0\.\d \(127\.0\.0\.\d\) in \d+ ms/g)).toHaveLength(4)
  })

  it("no answer is exit 1 with status timeout", async () => {
    const r = await cli(["silent.netwark.test", ...at(), "--json"])
    expect(r.code).toBe(1)
    expect((JSON.parse(r.stdout) as { status: string }).status).toBe("timeout")
  })

  it("batch: one JSON line per name", async () => {
    const r = await cli(["-", "AAAA", ...at()], "www.netwark.test\n;id\n")
    const rows = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { status?: string; error?: { reason: string } })
    expect(rows.map((x) => x.status ?? x.error?.reason)).toEqual(["NOERROR", "InvalidTarget"])
  })

  it.each([
    [["example.com", "BOGUS"], "unknown record type"],
    [
      ["example.com", "--timeout", "99"],
      "netwark dns: --timeout must be from 1 s to 30 s (got 99 s)",
    ],
    [["example.com", "@127.0.0.1", "--server", "::1"], "either as @SERVER or with --server"],
    [["example.com", "@127.0.0.1", "@::1"], "give one @SERVER"],
    [["example.com", "@127.0.0.1;id"], "server must be an IPv4 or IPv6 address"],
    [["example.com", "--server", "dns.google"], "server must be an IPv4 or IPv6 address"],
    [["example.com", "--server", "127.0.0.1:99999"], "port must be an integer from 1 to 65535"],
    [["example.com", "--class", "XX"], "class must be one of IN, CH, HS"],
    [["-x", "example.com"], "needs an IP address"],
    [["a.com|sh"], "invalid target"],
    [["example.com", "--tries", "9"], "tries must be an integer from 1 to 5"],
  ])("bad input %j exits 2", async (argv, message) => {
    const r = await cli(argv)
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(message)
  })
})
