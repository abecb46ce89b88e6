import { existsSync, readFileSync } from "node:fs"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { Duration, Effect, Either, Stream } from "effect"
import { describe, expect, it, vi } from "vitest"
import * as Exec from "../src/internal/exec/Exec.js"
import * as Mtr from "../src/Mtr.js"
import * as Target from "../src/Target.js"
import { failureWithoutPath, refusedBeforeSpawn } from "./support/refusals.js"

const here = path.dirname(fileURLToPath(import.meta.url))
const dir = path.join(here, "fixtures/mtr")
const read = (p: string) => readFileSync(path.join(dir, p), "utf8")
const shared = path.resolve(here, "../../../../shared/fixtures/netcmd/rich-traceroute")
const hasShared = existsSync(shared)

interface GlobalpingHop {
  stats: {
    total: number
    rcv: number
    loss: number
    min: number | null
    max: number | null
    avg: number | null
  }
  timings: ReadonlyArray<{ rtt: number }>
  resolvedAddress?: string | null
}

const ip = (s: string) => Either.getOrThrow(Target.parse(s))

describe("Mtr.parse on Globalping's mtr --raw recordings (ISC)", () => {
  // ASN and hostnames in Globalping's JSON come from mocked lookups: only RTT, loss, hop fields.
  it.each([
    "globalping-mtr-success-raw",
    "globalping-mtr-success-raw-helper-final",
    "globalping-ipv6-mtr-success-raw",
    "globalping-ipv6-mtr-success-ip",
  ])("%s: every hop's probes, loss and RTT figures match", (name) => {
    const expected = (
      JSON.parse(read(`${name}.json`)) as { result: { hops: Array<GlobalpingHop> } }
    ).result.hops
    const r = Mtr.parse(read(`${name}.txt`))
    expect(r.format).toBe("raw")
    expect(r.status).toBe("ok")
    expect(r.hops.map((h) => h.hop)).toEqual(expected.map((_, i) => i + 1))
    r.hops.forEach((h, i) => {
      const e = expected[i]!
      expect(h.sent).toBe(e.stats.total)
      expect(h.received).toBe(e.stats.rcv)
      expect(h.lossPercent).toBe(e.stats.loss)
      expect(h.best).toBe(e.stats.min)
      expect(h.worst).toBe(e.stats.max)
      expect(h.avg === null ? null : Math.round(h.avg * 10) / 10).toBe(e.stats.avg)
      expect(h.hosts[0]?.address ?? null).toBe(e.resolvedAddress ?? null)
      expect(h.hosts.flatMap((x) => x.rtts)).toEqual(e.timings.map((t) => t.rtt))
    })
  })

  it("keeps the upstream capture artifact line as unparsed instead of failing", () => {
    const r = Mtr.parse(read("globalping-ipv6-mtr-success-ip.txt"))
    expect(r.unparsedLines).toEqual(["8::200f"])
  })

  it("stops at the first hop where the destination answered (mtr probes a few TTLs past it)", () => {
    const r = Mtr.parse(read("globalping-mtr-success-raw.txt"))
    expect(r.hops).toHaveLength(9)
    expect(r.hops.at(-1)?.hosts[0]?.address).toBe("142.250.179.238")
    // The reverse-DNS name came on a later position's `d` line; names belong to addresses.
    expect(r.hops.at(-1)?.hosts[0]?.hostname).toBe("lhr25s31-in-f14.1e100.net")
  })

  it("computes stdev over n-1 like mtr (3.8 and 9.1 ms report StDev 3.7)", () => {
    const raw = "x 0 1\nh 0 10.0.0.1\np 0 3800 1\nx 0 2\np 0 9100 2\n"
    expect(Mtr.parse(raw).hops[0]?.stdev).toBeCloseTo(3.748, 3)
  })
})

describe("Mtr.parse on equal-cost paths and odd input", () => {
  const ecmp = [
    "x 0 1",
    "h 0 10.0.0.1",
    "p 0 1000 1",
    "x 1 2",
    "h 1 10.0.1.1",
    "p 1 2000 2",
    "x 2 3",
    "h 2 192.0.2.9",
    "p 2 3000 3",
    "x 0 4",
    "p 0 1100 4",
    "x 1 5",
    "h 1 10.0.1.2",
    "p 1 2500 5",
    "x 2 6",
    "p 2 3100 6",
    "x 1 7",
    "h 1 10.0.1.1",
    "p 1 2100 7",
    "x 1 8",
    "m 1 16001 0 1 254",
    "",
  ].join("\n")

  it("splits an ECMP hop into one host per address, each with its own replies", () => {
    const r = Mtr.parse(ecmp)
    const hop2 = r.hops[1]!
    expect(hop2.hosts.map((h) => [h.address, h.rtts])).toEqual([
      ["10.0.1.1", [2, 2.1]],
      ["10.0.1.2", [2.5]],
    ])
    expect(hop2.sent).toBe(4)
    expect(hop2.received).toBe(3)
    expect(hop2.lossPercent).toBe(25)
    expect(hop2.hosts[0]?.mpls).toEqual(["16001 0 1 254"])
  })

  it("never throws on garbage, and says what it was", () => {
    for (const junk of ["", "\u0000\u0001", "p", "x x x", "{not json", "h -1 1.2.3.4", "x 999 1"]) {
      const r = Mtr.parse(junk)
      expect(r.raw).toBe(junk)
      expect(["empty", "unparseable"]).toContain(r.status)
    }
    expect(Mtr.parse(undefined as never).status).toBe("empty")
  })
})

describe("Mtr.parse on this machine's mtr 0.95 recordings", () => {
  it("reads --raw to 127.0.0.1: one hop, no loss", () => {
    const r = Mtr.parse(read("local-raw-127.0.0.1.txt"))
    expect(r.hops).toHaveLength(1)
    expect(r.hops[0]).toMatchObject({ hop: 1, sent: 5, received: 5, lossPercent: 0 })
    expect(r.hops[0]?.hosts.map((h) => h.address)).toEqual(["127.0.0.1"])
  })

  it("reads --raw over IPv6 and TCP", () => {
    expect(Mtr.parse(read("local-raw-ipv6-loopback.txt")).hops[0]?.hosts[0]?.address).toBe("::1")
    expect(Mtr.parse(read("local-raw-tcp-127.0.0.1.txt")).hops[0]?.received).toBe(3)
  })

  it("reads --json (numbers as numbers, as mtr 0.95 writes them) and --report", () => {
    const j = Mtr.parse(read("local-json-127.0.0.1.json"))
    expect(j.format).toBe("json")
    expect(j.destination).toBe("127.0.0.1")
    expect(j.hops[0]).toMatchObject({ hop: 1, sent: 3, received: 3, lossPercent: 0 })
    const rep = Mtr.parse(read("local-report-127.0.0.1.txt"))
    expect(rep.format).toBe("report")
    expect(rep.hops[0]).toMatchObject({ hop: 1, sent: 3, lossPercent: 0 })
  })
})

describe("Mtr.parse on recordings through this machine's network namespaces", () => {
  it("two hops through a router (raw and report agree on the path)", () => {
    const raw = Mtr.parse(read("netns-raw-two-hops.txt"))
    expect(raw.hops.map((h) => [h.hosts.map((x) => x.address), h.sent, h.lossPercent])).toEqual([
      [["198.19.26.10"], 4, 0],
      [["198.19.175.178"], 4, 0],
    ])
    const report = Mtr.parse(read("netns-report-two-hops.txt"))
    expect(report.hops.map((h) => h.hosts[0]?.address)).toEqual(["198.19.26.10", "198.19.175.178"])
  })

  it("a route change mid-run: hop 1 has both routers, each with its own replies", () => {
    const r = Mtr.parse(read("netns-raw-route-change.txt"))
    const hop1 = r.hops[0]!
    expect(hop1.hosts.map((h) => h.address)).toEqual(["198.19.123.50", "198.19.135.178"])
    expect(hop1.hosts.reduce((n, h) => n + h.received, 0)).toBe(hop1.received)
    expect(hop1.hosts.every((h) => h.received > 0)).toBe(true)
    expect(r.hops.map((h) => h.hop)).toEqual([1, 2])
    expect(r.hops[1]?.hosts[0]?.address).toBe("198.19.58.130")
  })

  it("a host that drops ICMP echo: every probe lost, no host", () => {
    const r = Mtr.parse(read("netns-raw-dropped.txt"))
    expect(r.hops.map((h) => [h.hosts.length, h.sent, h.lossPercent])).toEqual([
      [0, 3, 100],
      [0, 3, 100],
    ])
  })
})

interface RichHop {
  host: string
  loss: number | null
  avg_rtt: number
  min_rtt: number
  max_rtt: number
}

describe.skipIf(!hasShared)(
  "Mtr.parse on rich-traceroute's mtr --report/--json (GPL, read from ../shared; skipped when the shared folder is absent)",
  () => {
    it.each(["mtr_1.txt", "mtr_2.txt", "mtr_json_1.json", "mtr_json_2.json"])(
      "%s matches the expected hops",
      (file) => {
        const expected = (
          JSON.parse(
            readFileSync(
              path.join(shared, file.replace(/\.(txt|json)$/, ".expected.json")),
              "utf8",
            ),
          ) as { hops: Record<string, Array<RichHop>> }
        ).hops
        const r = Mtr.parse(readFileSync(path.join(shared, file), "utf8"))
        expect(r.status).toBe("ok")
        for (const [n, hosts] of Object.entries(expected)) {
          const hop = r.hops.find((h) => h.hop === Number(n))!
          const e = hosts[0]
          if (e === undefined || e.host === "???" || e.loss === 100) {
            expect(hop.hosts).toEqual([])
            expect(hop.lossPercent).toBe(100)
            continue
          }
          const h = hop.hosts[0]!
          expect(h.address ?? h.hostname).toBe(e.host)
          expect(hop.lossPercent).toBe(e.loss)
          expect([h.avg, h.best, h.worst]).toEqual([e.avg_rtt, e.min_rtt, e.max_rtt])
        }
      },
    )
  },
)

describe("Mtr.argv", () => {
  it("runs --raw without DNS by default, the target after --", () => {
    expect(Either.getOrThrow(Mtr.argv(ip("192.0.2.1")))).toEqual([
      "--raw",
      "-c",
      "10",
      "-i",
      "1",
      "-G",
      "2",
      "-m",
      "30",
      "-4",
      "-n",
      "--",
      "192.0.2.1",
    ])
  })

  it("maps protocol, port, size, hops, and switches to --json -z for AS lookups", () => {
    const args = Either.getOrThrow(
      Mtr.argv(ip("2001:db8::1"), {
        protocol: "tcp",
        port: 443,
        packetSize: 100,
        maxHops: 12,
        cycles: 3,
        asLookup: true,
        noDns: false,
        interval: "200 millis",
      }),
    )
    expect(args).toEqual([
      "--json",
      "-z",
      "-c",
      "3",
      "-i",
      "0.2",
      "-G",
      "2",
      "-m",
      "12",
      "-s",
      "100",
      "-T",
      "-P",
      "443",
      "-6",
      "--",
      "2001:db8::1",
    ])
  })
})

describe("Mtr hostile inputs: a clear error and no process spawned", () => {
  const cases: ReadonlyArray<[string, string, Mtr.Options, string, string]> = [
    ["option injection", "-z", {}, "target", "could be read as an option"],
    ["long option", "--report-wide", {}, "target", "could be read as an option"],
    ["shell metacharacters", "a;reboot", {}, "target", "invalid target"],
    ["command substitution", "$(id)", {}, "target", "invalid target"],
    ["newline", "localhost\n-r", {}, "target", "control character"],
    ["overlong name", `${"a".repeat(63)}.`.repeat(5), {}, "target", "253"],
    ["cycles too high", "127.0.0.1", { cycles: 101 }, "cycles", "from 1 to 100 (got 101)"],
    ["cycles zero", "127.0.0.1", { cycles: 0 }, "cycles", "from 1 to 100"],
    ["fractional cycles", "127.0.0.1", { cycles: 1.5 }, "cycles", "integer"],
    ["size too small", "127.0.0.1", { packetSize: 10 }, "packetSize", "from 28 to 9000"],
    ["bad port", "127.0.0.1", { protocol: "tcp", port: 70000 }, "port", "from 1 to 65535"],
    ["port with icmp", "127.0.0.1", { port: 80 }, "port", "needs protocol udp or tcp"],
    ["bad protocol", "127.0.0.1", { protocol: "sctp" as never }, "protocol", "icmp, udp, tcp"],
    ["max hops", "127.0.0.1", { maxHops: 300 }, "maxHops", "from 1 to 64"],
    ["interval too short", "127.0.0.1", { interval: "1 millis" }, "interval", "0.1 s"],
    ["version mismatch", "127.0.0.1", { ipVersion: 6 }, "ipVersion", "does not match"],
    ["string number", "127.0.0.1", { cycles: "5; rm" as never }, "cycles", "integer"],
  ]

  it.each(cases)("%s", async (_name, target, options, field, message) => {
    const e = await refusedBeforeSpawn(Mtr.run(target, options))
    expect(e.field).toBe(field)
    expect(e.reason).toBe(field === "target" ? "InvalidTarget" : "InvalidInput")
    expect(e.message).toContain(message)
  })
})

describe("Mtr.check", () => {
  it("refuses exactly what argv refuses, with the same field, and resolves the timeout", () => {
    const target = Either.getOrThrow(Target.parse("127.0.0.1"))
    for (const options of [{ cycles: 101 }, { ipVersion: 6 as const }, { port: 80 }, {}]) {
      const checked = Mtr.check(target, options)
      const built = Mtr.argv(target, options)
      expect(Either.isLeft(checked)).toBe(Either.isLeft(built))
      if (Either.isLeft(checked) && Either.isLeft(built))
        expect(checked.left.field).toBe(built.left.field)
    }
    // 10 cycles of 1 s, a 2 s grace period and 15 s of margin
    const resolved = Either.getOrThrow(Mtr.check(target, {}))
    expect(resolved.timeout).toEqual(Duration.seconds(27))
  })
})

describe("Mtr target policy", () => {
  it("refuses a denied address before spawning", async () => {
    const e = await refusedBeforeSpawn(Mtr.run("127.0.0.1", { policy: { deny: ["127.0.0.0/8"] } }))
    expect(e.reason).toBe("PolicyDenied")
  })

  it("probes the checked address, not the name (no second resolution)", async () => {
    // Exec is stubbed: this checks the argv handed to it, without running mtr.
    const spy = vi.spyOn(Exec, "stream").mockImplementation(() => Stream.empty)
    await Effect.runPromise(
      Effect.either(
        Mtr.run("router.example", {
          policy: { allow: ["127.0.0.0/8"] },
          resolve: async () => [{ address: "127.0.0.1", family: 4 }],
        }),
      ),
    )
    expect(spy.mock.calls[0]?.[0].args.at(-1)).toBe("127.0.0.1")
    spy.mockRestore()
  })

  it("reads AS numbers from --json -z output", () => {
    const r = Mtr.parse(
      JSON.stringify({
        report: {
          mtr: { dst: "192.0.2.1" },
          hubs: [
            {
              count: 1,
              host: "192.0.2.1",
              ASN: "AS64500",
              "Loss%": 0,
              Snt: 2,
              Last: 1,
              Avg: 1,
              Best: 1,
              Wrst: 1,
              StDev: 0,
            },
          ],
        },
      }),
    )
    expect(r.hops[0]?.hosts[0]?.asn).toBe(64500)
  })

  it("reads the extra addresses of a load-balanced hop in --report", () => {
    const r = Mtr.parse(
      [
        "HOST: vm                          Loss%   Snt   Last   Avg  Best  Wrst StDev",
        "  1.|-- 10.0.0.1                   0.0%     4    1.0   1.0   1.0   1.0   0.0",
        "    |  `|-- 10.0.0.2",
        "  2.|-- 192.0.2.1                  0.0%     4    2.0   2.0   2.0   2.0   0.0",
      ].join("\n"),
    )
    expect(r.hops[0]?.hosts.map((h) => h.address)).toEqual(["10.0.0.1", "10.0.0.2"])
  })
})

describe("Mtr without its binary", () => {
  it("fails with NotInstalled naming the Debian package", async () => {
    const e = await failureWithoutPath(Mtr.run("127.0.0.1", { cycles: 1 }))
    expect(e.reason).toBe("NotInstalled")
    expect(e.message).toContain("mtr-tiny")
  })
})
