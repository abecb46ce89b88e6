import { describe, expect, it } from "vitest"
import { rows, runCli } from "./support/cli.js"

const cli = (argv: ReadonlyArray<string>, stdin = "") => runCli(["ipcalc", ...argv], { stdin })

describe("netwark ipcalc <query>", () => {
  it("prints an ipcalc-like key/value table", async () => {
    const r = await cli(["192.168.1.1", "255.255.255.0"])
    expect(r).toMatchObject({ code: 0, stderr: "" })
    expect(rows(r.stdout)).toMatchObject({
      Address: "192.168.1.1",
      Network: "192.168.1.0/24",
      Netmask: "255.255.255.0 = 24",
      Wildcard: "0.0.0.255",
      Broadcast: "192.168.1.255",
      "First host": "192.168.1.1",
      "Last host": "192.168.1.254",
      Addresses: "256",
      "Usable hosts": "254",
      "Host bits set": "yes (the address is not the network address)",
      "Network type": "Private-Use (RFC 1918, 192.168.0.0/16)",
      "Reverse zone": "1.168.192.in-addr.arpa",
      PTR: "1.1.168.192.in-addr.arpa",
    })
  })

  it("shows IPv6 expanded forms and exact counts", async () => {
    const r = await cli(["2001:db8::1/64"])
    expect(r.code).toBe(0)
    expect(rows(r.stdout)).toMatchObject({
      Address: "2001:db8::1",
      Expanded: "2001:0db8:0000:0000:0000:0000:0000:0001",
      Network: "2001:db8::/64",
      "First host": "2001:db8::1",
      "Last host": "2001:db8::ffff:ffff:ffff:ffff",
      Addresses: "18446744073709551616",
      "Usable hosts": "18446744073709551615",
      "Network type": "Documentation (RFC 3849, 2001:db8::/32)",
    })
    expect(r.stdout).not.toContain("Broadcast")
  })

  it("--json writes the full report", async () => {
    const r = await cli(["100.64.1.1/10", "--json"])
    expect(r.code).toBe(0)
    const j = JSON.parse(r.stdout) as Record<string, unknown>
    expect(j).toMatchObject({
      network: "100.64.0.0",
      prefix: 10,
      usableHosts: "4194302",
      hostBitsSet: true,
      type: { kind: "shared", rfc: "RFC 6598" },
    })
  })

  it("exits 2 with the reason on stderr for bad input", async () => {
    expect(await cli(["1.2.3.4/33"])).toEqual({
      code: 2,
      stdout: "",
      stderr: "netwark ipcalc: prefix 33 is out of range for IPv4 (0-32)\n",
    })
    const octet = await cli(["10.0.256.1"])
    expect(octet.code).toBe(2)
    expect(octet.stderr).toBe("netwark ipcalc: octet 256 in 10.0.256.1 is out of range\n")
    const mask = await cli(["10.0.0.1", "255.0.255.0"])
    expect(mask.stderr).toBe("netwark ipcalc: netmask 255.0.255.0 is not contiguous\n")
    expect((await cli(["010.0.0.1"])).stderr).toContain("leading zero")
    expect((await cli([])).code).toBe(2)
    expect((await cli(["--bogus", "1.2.3.4"])).code).toBe(2)
  })
})

describe("netwark ipcalc - (batch)", () => {
  it("writes one JSON line per query, an error object for a bad line, and exits 2", async () => {
    const r = await cli(
      ["-"],
      "10.0.0.1/8\n# comment\n\n10.0.0.300\n2001:db8::/48\n192.168.0.9   255.255.255.248\n",
    )
    expect(r.code).toBe(2)
    const out = r.stdout
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(out).toHaveLength(4)
    expect(out[0]).toMatchObject({ input: "10.0.0.1/8", network: "10.0.0.0", prefix: 8 })
    expect(out[1]).toEqual({
      input: "10.0.0.300",
      error: {
        reason: "InvalidInput",
        field: "address",
        message: "octet 300 in 10.0.0.300 is out of range",
      },
    })
    expect(out[2]).toMatchObject({ network: "2001:db8::", addresses: "1208925819614629174706176" })
    expect(out[3]).toMatchObject({ network: "192.168.0.8", prefix: 29, firstHost: "192.168.0.9" })
  })

  it("exits 0 when every line is good", async () => {
    const r = await cli(["-"], "1.2.3.4\n::1\n")
    expect(r.code).toBe(0)
    expect(r.stdout.trimEnd().split("\n")).toHaveLength(2)
  })
})

describe("netwark ipcalc --split / --aggregate / --range / --contains / --overlaps", () => {
  it("--split pages through the subnets and says how many there are", async () => {
    const r = await cli(["--split", "26", "192.168.5.45/24"])
    expect(r.code).toBe(0)
    expect(r.stdout).toBe("192.168.5.0/26\n192.168.5.64/26\n192.168.5.128/26\n192.168.5.192/26\n")
    expect(r.stderr).toBe("192.168.5.0/24 has 4 /26 subnets; showing 1-4\n")
    const page = await cli([
      "--split",
      "64",
      "--offset",
      "10",
      "--limit",
      "2",
      "2001:db8::/48",
      "--json",
    ])
    expect(JSON.parse(page.stdout)).toEqual({
      network: "2001:db8::/48",
      newPrefix: 64,
      total: "65536",
      offset: 10,
      subnets: ["2001:db8:0:a::/64", "2001:db8:0:b::/64"],
      nextOffset: 12,
    })
    const big = await cli(["--split", "32", "--limit", "100000", "10.0.0.0/8"])
    expect(big.code).toBe(2)
    expect(big.stderr).toContain("limit 100000 must be between 1 and 65536")
    expect((await cli(["--split", "16", "10.0.0.0/24"])).code).toBe(2)
    // past 2^53 an offset is not exact: said as such (was "offset 1e+23 must be a non-negative integer")
    const far = await cli(["--split", "128", "--offset", "99999999999999999999999", "::/0"])
    expect(far).toEqual({
      code: 2,
      stdout: "",
      stderr:
        "netwark ipcalc: --offset must be at most 9007199254740991, got '99999999999999999999999'\n",
    })
  })

  it("--aggregate merges prefixes from the arguments or from stdin", async () => {
    const args = await cli(["--aggregate", "10.0.0.0/25", "10.0.0.128/25", "::1", "::0"])
    expect(args).toEqual({ code: 0, stdout: "10.0.0.0/24\n::/127\n", stderr: "" })
    const stdin = await cli(["--aggregate", "--json"], "0.0.176.0/21\n0.0.184.0/21, 0.0.192.0/24\n")
    expect(JSON.parse(stdin.stdout)).toEqual(["0.0.176.0/20", "0.0.192.0/24"])
    const bad = await cli(["--aggregate", "10.0.0.0/24", "bogus"])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toBe('netwark ipcalc: item 2 ("bogus"): expected 4 octets in bogus\n')
  })

  it("--range takes start-end or start end", async () => {
    const a = await cli(["--range", "192.168.2.7-192.168.2.13"])
    expect(a.stdout).toBe("192.168.2.7/32\n192.168.2.8/30\n192.168.2.12/31\n")
    const b = await cli(["--range", "192.168.2.7", "192.168.2.13", "--json"])
    expect(JSON.parse(b.stdout)).toEqual(["192.168.2.7/32", "192.168.2.8/30", "192.168.2.12/31"])
    const back = await cli(["--range", "10.0.0.9-10.0.0.1"])
    expect(back.code).toBe(2)
    expect(back.stderr).toContain("range start 10.0.0.9 is after its end 10.0.0.1")
  })

  it("--contains and --overlaps answer yes or no", async () => {
    expect((await cli(["--contains", "10.0.0.0/8", "10.20.30.40"])).stdout).toBe("yes\n")
    expect((await cli(["--contains", "10.0.0.0/24", "10.0.0.0/16"])).stdout).toBe("no\n")
    expect((await cli(["--overlaps", "10.0.0.0/25", "10.0.0.128/25"])).stdout).toBe("no\n")
    const j = await cli(["--overlaps", "fe80::/10", "fe80:1::", "--json"])
    expect(JSON.parse(j.stdout)).toEqual({ overlaps: true, a: "fe80::/10", b: "fe80:1::" })
    expect((await cli(["--contains", "10.0.0.0/8"])).code).toBe(2)
    expect((await cli(["--contains", "--overlaps", "a", "b"])).code).toBe(2)
  })
})
