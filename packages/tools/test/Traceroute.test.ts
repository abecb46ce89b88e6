import { existsSync, readdirSync, readFileSync } from "node:fs"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { Either } from "effect"
import { describe, expect, it } from "vitest"
import * as Target from "../src/Target.js"
import * as Traceroute from "../src/Traceroute.js"
import { failureWithoutPath, refusedBeforeSpawn } from "./support/refusals.js"

const here = path.dirname(fileURLToPath(import.meta.url))
const dir = path.join(here, "fixtures/traceroute")
const read = (p: string) => readFileSync(path.join(dir, p), "utf8")
const shared = path.resolve(here, "../../../../shared/fixtures/netcmd/rich-traceroute")
const hasShared = existsSync(shared)
const ip = (s: string) => Either.getOrThrow(Target.parse(s))

interface JcProbe {
  annotation: string | null
  asn: number | null
  ip: string | null
  name: string | null
  rtt: number | null
}
interface JcTrace {
  destination_ip: string
  destination_name: string
  hops: Array<{ hop: number; probes: Array<JcProbe> }>
}

const jcFiles = readdirSync(dir).filter((f) => f.startsWith("jc-") && f.endsWith(".out"))

describe("Traceroute.parse on jc's traceroute fixtures (MIT)", () => {
  it("covers every fixture", () => expect(jcFiles.length).toBe(12))

  it.each(jcFiles)("%s matches jc's hops, probes, names, ASNs and annotations", (file) => {
    const expected = JSON.parse(read(file.replace(/\.out$/, ".json"))) as JcTrace
    const r = Traceroute.parse(read(file))
    expect(r.status).toBe("ok")
    expect(r.header?.destinationAddress).toBe(expected.destination_ip)
    expect(r.header?.destinationName).toBe(expected.destination_name)
    expect(r.hops.map((h) => h.hop)).toEqual(expected.hops.map((h) => h.hop))
    r.hops.forEach((h, i) => {
      const e = expected.hops[i]!
      // jc leaves `*` out of its probes; we keep them as timeouts.
      const answered = h.probes.filter((p) => p.rtt !== null)
      expect(answered.map((p) => p.rtt)).toEqual(e.probes.map((p) => p.rtt))
      expect(answered.map((p) => p.annotation ?? null)).toEqual(e.probes.map((p) => p.annotation))
      expect(answered.map((p) => p.asn ?? null)).toEqual(e.probes.map((p) => p.asn))
      answered.forEach((p, k) => {
        const ep = e.probes[k]!
        // jc sets ip null when the parenthesised text is not an address ("Internal (Internal)").
        if (ep.ip !== null) expect(p.address).toBe(ep.ip)
        // jc's name is null with -n and equals the address when traceroute printed "a (a)".
        expect(p.hostname ?? (ep.name === null ? null : p.address)).toBe(ep.name ?? null)
      })
      expect(h.timeouts).toBe(h.probes.length - answered.length)
    })
  })

  it("groups load-balanced probes by responder", () => {
    const hop4 = Traceroute.parse(read("jc-generic-traceroute-n-ipv4.out")).hops[3]!
    expect(hop4.responders.map((r) => [r.address, r.rtts])).toEqual([
      ["192.171.61.61", [23.072]],
      ["206.248.155.109", [17.073]],
      ["192.171.63.17", [23.308]],
    ])
  })

  it("continues a hop on indented lines (one line per responder)", () => {
    const hop8 = Traceroute.parse(read("jc-generic-traceroute7.out")).hops[7]!
    expect(hop8.responders.map((r) => r.address)).toEqual(["181.40.42.30", "5.53.0.155"])
    expect(hop8.probes).toHaveLength(3)
  })
})

describe("Traceroute.parse on Globalping's recordings (ISC)", () => {
  it.each(["trace-success-linux", "ipv6-trace-success", "ipv6-trace-success-ip"])(
    "%s: addresses and RTTs match",
    (name) => {
      const expected = (
        JSON.parse(read(`globalping-${name}.json`)) as {
          result: {
            resolvedAddress: string
            hops: Array<{ resolvedAddress: string | null; timings: Array<{ rtt: number }> }>
          }
        }
      ).result
      const r = Traceroute.parse(read(`globalping-${name}.txt`))
      expect(r.header?.destinationAddress).toBe(expected.resolvedAddress)
      expect(
        r.hops.map((h) => [
          // Globalping drops the zone id of link-local addresses (fe80::%eth0); we keep it.
          h.responders[0]?.address.replace(/%.*$/, "") ?? null,
          h.probes.filter((p) => p.rtt !== null).map((p) => p.rtt),
        ]),
      ).toEqual(expected.hops.map((h) => [h.resolvedAddress, h.timings.map((t) => t.rtt)]))
    },
  )

  it("knows when the destination answered", () => {
    expect(Traceroute.parse(read("globalping-ipv6-trace-success.txt")).reached).toBe(true)
    expect(Traceroute.parse(read("globalping-trace-success-linux.txt")).reached).toBe(false)
  })
})

describe("Traceroute.parse on annotations, errors and junk", () => {
  it("reads every annotation form traceroute 2.1 prints", () => {
    const r = Traceroute.parse(
      [
        "traceroute to 192.0.2.9 (192.0.2.9), 30 hops max, 60 byte packets",
        " 1  192.0.2.1  0.5 ms !H  0.6 ms !N  0.7 ms !P",
        " 2  192.0.2.2  1.0 ms !X  1.1 ms !S  1.2 ms !F-1480",
        " 3  192.0.2.3  2.0 ms !<10>  2.1 ms !Z  *",
        " 4  192.0.2.9  3.0 ms  3.1 ms  3.2 ms",
      ].join("\n"),
    )
    expect(r.hops.flatMap((h) => h.probes.map((p) => p.annotation ?? "-"))).toEqual([
      "!H",
      "!N",
      "!P",
      "!X",
      "!S",
      "!F-1480",
      "!<10>",
      "!Z",
      "-",
      "-",
      "-",
      "-",
    ])
    expect(r.hops[0]?.responders[0]?.annotations).toEqual(["!H", "!N", "!P"])
    expect(r.hops[2]?.timeouts).toBe(1)
    expect(r.reached).toBe(true)
  })

  it("keeps ICMP extensions (-e) with their probe", () => {
    const r = Traceroute.parse(
      " 3  192.0.2.3  2.0 ms <MPLS:L=16001,E=0,S=1,T=1>  2.1 ms <MPLS:L=16001,E=0,S=1,T=1>  *\n",
    )
    expect(r.hops[0]?.probes.map((p) => p.extensions ?? [])).toEqual([
      ["<MPLS:L=16001,E=0,S=1,T=1>"],
      ["<MPLS:L=16001,E=0,S=1,T=1>"],
      [],
    ])
    expect(r.hops[0]?.responders[0]?.rtts).toEqual([2, 2.1])
  })

  it("reports traceroute's own error lines", () => {
    const r = Traceroute.parse(
      'nosuch.example: Name or service not known\nCannot handle "host" cmdline arg `nosuch.example\' on position 1 (argc 1)\n',
    )
    expect(r.status).toBe("error")
    expect(r.errors).toHaveLength(2)
  })

  it("never throws on garbage", () => {
    for (const junk of ["", "\u0000", "1", " 1  (", " 1  foo bar", "traceroute to"]) {
      const r = Traceroute.parse(junk)
      expect(r.raw).toBe(junk)
      expect(["empty", "unparseable", "ok", "error"]).toContain(r.status)
    }
  })
})

describe("Traceroute.parse on this machine's traceroute 2.1 recordings", () => {
  it.each([
    ["local-udp-127.0.0.1.txt", "127.0.0.1", 3],
    ["local-icmp-ipv6-loopback.txt", "::1", 3],
    ["local-tcp-127.0.0.1.txt", "127.0.0.1", 2],
  ])("%s", (file, address, probes) => {
    const r = Traceroute.parse(read(file))
    expect(r.reached).toBe(true)
    expect(r.hops).toHaveLength(1)
    expect(r.hops[0]?.responders[0]?.address).toBe(address)
    expect(r.hops[0]?.responders[0]?.rtts).toHaveLength(probes)
  })
})

describe("Traceroute.parse on recordings through this machine's network namespaces", () => {
  it("two hops: the router, then the host", () => {
    const r = Traceroute.parse(read("netns-two-hops.txt"))
    expect(r.hops.map((h) => [h.hop, h.responders.map((x) => x.address), h.probes.length])).toEqual(
      [
        [1, ["198.19.26.10"], 3],
        [2, ["198.19.175.178"], 3],
      ],
    )
    expect(r.reached).toBe(true)
  })

  it("the router's ICMP errors: !H for an unreachable route, !X for a prohibit route", () => {
    const one = (f: string) => Traceroute.parse(read(f)).hops[0]?.probes[0]
    expect(one("netns-unreachable-route.txt")).toMatchObject({
      address: "198.19.26.10",
      annotation: "!H",
    })
    expect(one("netns-prohibit-route.txt")).toMatchObject({
      address: "198.19.26.10",
      annotation: "!X",
    })
  })

  it("a host that drops ICMP echo: only timeouts", () => {
    const r = Traceroute.parse(read("netns-icmp-dropped.txt"))
    expect(r.hops.map((h) => [h.timeouts, h.responders.length])).toEqual([
      [2, 0],
      [2, 0],
      [2, 0],
    ])
    expect(r.reached).toBe(false)
  })
})

interface RichHop {
  host: string
  avg_rtt: number
  min_rtt: number
  max_rtt: number
}

describe.skipIf(!hasShared)(
  "Traceroute.parse on rich-traceroute's Linux outputs (GPL, read from ../shared; skipped when the shared folder is absent)",
  () => {
    it.each([1, 2, 3, 4, 5])("linux_%i: responders and RTT range match", (n) => {
      const expected = (
        JSON.parse(readFileSync(path.join(shared, `linux_${n}.expected.json`), "utf8")) as {
          hops: Record<string, Array<RichHop>>
        }
      ).hops
      const r = Traceroute.parse(readFileSync(path.join(shared, `linux_${n}.txt`), "utf8"))
      for (const [hop, hosts] of Object.entries(expected)) {
        const h = r.hops.find((x) => x.hop === Number(hop))!
        expect(
          h.responders.map((x) => [
            x.address.replace(/(^|:)0+(?=[0-9a-f])/g, "$1"),
            Math.min(...x.rtts),
            Math.max(...x.rtts),
          ]),
        ).toEqual(
          hosts.map((e) => [e.host.replace(/(^|:)0+(?=[0-9a-f])/g, "$1"), e.min_rtt, e.max_rtt]),
        )
      }
    })
  },
)

describe("Traceroute.argv", () => {
  it("defaults: UDP, 3 queries, 30 hops, 5 s wait, no DNS, target after --", () => {
    expect(Either.getOrThrow(Traceroute.argv(ip("127.0.0.1")))).toEqual([
      "-4",
      "-q",
      "3",
      "-m",
      "30",
      "-f",
      "1",
      "-w",
      "5",
      "-n",
      "--",
      "127.0.0.1",
    ])
  })

  it("maps TCP + port, ICMP, first hop, wait and DNS", () => {
    expect(
      Either.getOrThrow(
        Traceroute.argv(ip("::1"), {
          protocol: "tcp",
          port: 443,
          queries: 1,
          maxHops: 5,
          firstHop: 2,
          wait: "500 millis",
          noDns: false,
        }),
      ),
    ).toEqual(["-6", "-T", "-p", "443", "-q", "1", "-m", "5", "-f", "2", "-w", "0.5", "--", "::1"])
    expect(Either.getOrThrow(Traceroute.argv(ip("::1"), { protocol: "icmp" }))).toContain("-I")
  })
})

describe("Traceroute hostile inputs: a clear error and no process spawned", () => {
  const cases: ReadonlyArray<[string, string, Traceroute.Options, string, string]> = [
    ["option injection", "-I", {}, "target", "could be read as an option"],
    ["module injection", "--module=evil", {}, "target", "could be read as an option"],
    ["shell metacharacters", "x|sh", {}, "target", "invalid target"],
    ["backticks", "`id`", {}, "target", "invalid target"],
    ["tab", "a\tb", {}, "target", "control character"],
    ["overlong label", `${"a".repeat(64)}.example`, {}, "target", "63"],
    ["queries", "127.0.0.1", { queries: 11 }, "queries", "from 1 to 10"],
    ["max hops", "127.0.0.1", { maxHops: 0 }, "maxHops", "from 1 to 64"],
    ["first hop past max", "127.0.0.1", { maxHops: 3, firstHop: 5 }, "firstHop", "maxHops 3"],
    ["bad port", "127.0.0.1", { protocol: "udp", port: 0 }, "port", "from 1 to 65535"],
    ["port with icmp", "127.0.0.1", { protocol: "icmp", port: 1 }, "port", "needs protocol"],
    ["wait too long", "127.0.0.1", { wait: "1 minute" }, "wait", "10 s"],
    ["bad protocol", "127.0.0.1", { protocol: "gre" as never }, "protocol", "udp, icmp, tcp"],
    ["version mismatch", "::1", { ipVersion: 4 }, "ipVersion", "does not match"],
  ]

  it.each(cases)("%s", async (_name, target, options, field, message) => {
    const e = await refusedBeforeSpawn(Traceroute.run(target, options))
    expect(e.field).toBe(field)
    expect(e.reason).toBe(field === "target" ? "InvalidTarget" : "InvalidInput")
    expect(e.message).toContain(message)
  })
})

describe("Traceroute.check", () => {
  it("refuses exactly what argv refuses, with the same field, and resolves the options", () => {
    const target = Either.getOrThrow(Target.parse("::1"))
    for (const options of [
      { queries: 11 },
      { ipVersion: 4 as const },
      { maxHops: 3, firstHop: 5 },
      {},
    ]) {
      const checked = Traceroute.check(target, options)
      const built = Traceroute.argv(target, options)
      expect(Either.isLeft(checked)).toBe(Either.isLeft(built))
      if (Either.isLeft(checked) && Either.isLeft(built))
        expect(checked.left.field).toBe(built.left.field)
    }
    expect(Either.getOrThrow(Traceroute.check(target, { maxHops: 5 })).maxHops).toBe(5)
  })
})

describe("Traceroute target policy", () => {
  it("refuses a denied host name after resolving it, before spawning", async () => {
    const e = await refusedBeforeSpawn(
      Traceroute.run("db.example", {
        policy: { deny: ["10.0.0.0/8"] },
        resolve: async () => [{ address: "10.1.2.3", family: 4 }],
      }),
    )
    expect(e.reason).toBe("PolicyDenied")
  })
})

describe("Traceroute without its binary", () => {
  it("fails with NotInstalled naming the Debian package", async () => {
    const e = await failureWithoutPath(Traceroute.run("127.0.0.1"))
    expect(e.reason).toBe("NotInstalled")
    expect(e.message).toContain("traceroute")
  })
})
