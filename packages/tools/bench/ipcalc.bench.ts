/**
 * IpCalc throughput against netmask, ip-cidr, cidr-tools and ipaddr.js on one fixed workload:
 * 100k CIDRs (70% IPv4), generated from a fixed seed, host bits set, IPv6 written compressed.
 *
 * Equivalent work per input, in each library's own API: parse, then the network address, the last
 * (broadcast) address, the first and last usable host as strings, and the size. Where a library
 * lacks a step (cidr-tools returns BigInts, ip-cidr has no host range) the step is done with that
 * library's own stack (ip-bigint's `stringifyIp`, ip-address's `fromBigInteger`). Also printed:
 * parse-only figures (cidr-tools' `parseCidr` alone is what its published numbers measure) and the
 * full `IpCalc.info` report, which does much more (registry, reverse DNS, binary, flags).
 */
import { createRequire } from "node:module"
import { Either } from "effect"
import IPCIDR from "ip-cidr"
import ipaddr from "ipaddr.js"
import { parseCidr } from "cidr-tools"
import * as IpCalc from "../src/IpCalc.js"

const require = createRequire(import.meta.url)
const { Netmask } = require("netmask") as typeof import("netmask")
const { stringifyIp } = require("ip-bigint") as {
  stringifyIp: (ip: { number: bigint; version: 4 | 6 }) => string
}

const N = 100_000
const SEED = 0x5eed1234

/** mulberry32: small, fast, deterministic. */
const rng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = seed
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const compress = (g: ReadonlyArray<number>): string => {
  let best = -1
  let bestLen = 1
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && g[j] === 0) j++
    if (j - i > bestLen) {
      best = i
      bestLen = j - i
    }
    i = j
  }
  const hex = g.map((x) => x.toString(16))
  if (best < 0) return hex.join(":")
  return hex.slice(0, best).join(":") + "::" + hex.slice(best + bestLen).join(":")
}

/** The fixed workload. */
export const workload = (n = N, seed = SEED): { all: Array<string>; v4: Array<string> } => {
  const r = rng(seed)
  const all: Array<string> = []
  const v4: Array<string> = []
  for (let i = 0; i < n; i++) {
    if (r() < 0.7) {
      const a = Math.floor(r() * 2 ** 32)
      const p = 8 + Math.floor(r() * 25)
      const s = `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}/${p}`
      all.push(s)
      v4.push(s)
    } else {
      // Real IPv6 addresses have zero groups; give each group a 30% chance of being zero.
      const g = Array.from({ length: 8 }, () => (r() < 0.3 ? 0 : Math.floor(r() * 65536)))
      g[0] = 0x2000 | (g[0]! & 0x1fff)
      const p = 16 + Math.floor(r() * 113)
      all.push(`${compress(g)}/${p}`)
    }
  }
  return { all, v4 }
}

type Work = (cidr: string) => number

const netwarkSummary: Work = (c) => {
  const r = IpCalc.parse(c)
  if (Either.isLeft(r)) return 0
  const s = IpCalc.summary(r.right)
  return (
    s.network.length +
    s.lastAddress.length +
    s.firstHost.length +
    s.lastHost.length +
    s.addresses.length
  )
}

const netwarkParse: Work = (c) => {
  const r = IpCalc.parse(c)
  return Either.isRight(r) ? r.right.prefix : 0
}

const netwarkInfo: Work = (c) => {
  const r = IpCalc.info(c)
  return Either.isRight(r) ? r.right.reverse.ptr.length : 0
}

const netmask: Work = (c) => {
  const m = new Netmask(c)
  return m.base.length + (m.broadcast ?? m.last).length + m.first.length + m.last.length + m.size
}

interface IpCidrInternals {
  readonly address: { readonly v4: boolean }
  readonly addressStart: { bigInteger(): bigint }
  readonly addressEnd: { bigInteger(): bigint }
  readonly ipAddressType: { fromBigInteger(n: bigint): { correctForm(): string } }
  readonly size: bigint
  start(): string
  end(): string
}

const ipCidr: Work = (c) => {
  const x = new IPCIDR(c) as unknown as IpCidrInternals
  const start = BigInt(x.addressStart.bigInteger())
  const end = BigInt(x.addressEnd.bigInteger())
  const v4 = x.address.v4
  const type = x.ipAddressType
  const first = type.fromBigInteger(end - start > 1n ? start + 1n : start).correctForm()
  const last = type.fromBigInteger(v4 && end - start > 1n ? end - 1n : end).correctForm()
  return x.start().length + x.end().length + first.length + last.length + Number(x.size & 0xffn)
}

const cidrTools: Work = (c) => {
  const p = parseCidr(c)
  const v = p.version as 4 | 6
  const wide = p.end - p.start > 1n
  const network = stringifyIp({ number: p.start, version: v })
  const last = stringifyIp({ number: p.end, version: v })
  const first = stringifyIp({ number: wide ? p.start + 1n : p.start, version: v })
  const lastHost = stringifyIp({ number: v === 4 && wide ? p.end - 1n : p.end, version: v })
  const size = (p.end - p.start + 1n).toString()
  return network.length + last.length + first.length + lastHost.length + size.length
}

const cidrToolsParse: Work = (c) => {
  const p = parseCidr(c)
  return Number(p.end & 0xffn)
}

const bump = (bytes: Array<number>, delta: 1 | -1): Array<number> => {
  const out = bytes.slice()
  for (let i = out.length - 1; i >= 0; i--) {
    const v = out[i]! + delta
    out[i] = v & 255
    if (v >= 0 && v <= 255) break
  }
  return out
}

const ipaddrJs: Work = (c) => {
  const [addr, prefix] = ipaddr.parseCIDR(c)
  const kind = addr.kind()
  const Cls = kind === "ipv4" ? ipaddr.IPv4 : ipaddr.IPv6
  const net = Cls.networkAddressFromCIDR(c)
  const last = Cls.broadcastAddressFromCIDR(c)
  const bits = kind === "ipv4" ? 32 : 128
  const wide = bits - prefix > 1
  const nb = net.toByteArray()
  const lb = last.toByteArray()
  const first = wide
    ? Cls === ipaddr.IPv4
      ? new ipaddr.IPv4(bump(nb, 1))
      : ipaddr.fromByteArray(bump(nb, 1))
    : net
  const lastHost = wide && kind === "ipv4" ? new ipaddr.IPv4(bump(lb, -1)) : last
  const size = (1n << BigInt(bits - prefix)).toString()
  return (
    net.toString().length +
    last.toString().length +
    first.toString().length +
    lastHost.toString().length +
    size.length
  )
}

interface Result {
  readonly name: string
  readonly set: string
  readonly opsPerSec: number
}

/**
 * Runs `work` over `inputs` (cycling) for about `ms` of CPU time and returns ops per CPU second.
 * CPU time, not wall time: the bench machine is shared, and a stolen time slice is not ours.
 */
const measure = (work: Work, inputs: ReadonlyArray<string>, ms: number): number => {
  let sink = 0
  const c0 = process.cpuUsage()
  const used = () => {
    const c = process.cpuUsage(c0)
    return (c.user + c.system) / 1000
  }
  let ops = 0
  let i = 0
  for (;;) {
    for (let k = 0; k < 500; k++) {
      sink ^= work(inputs[i]!)
      if (++i === inputs.length) i = 0
    }
    ops += 500
    const t = used()
    if (t >= ms) {
      if (sink === 0.5) console.log("")
      return (ops / t) * 1000
    }
  }
}

/** Network strings of a sample agree between IpCalc and each library (so the work is the same). */
const agreement = (inputs: ReadonlyArray<string>): string => {
  const canon = (s: string) => Either.getOrElse(IpCalc.normalize(s), () => `bad:${s}`)
  const sample = inputs.slice(0, 2000)
  const mine = sample.map((c) => IpCalc.summary(Either.getOrThrow(IpCalc.parse(c))).network)
  const libs: Record<string, (c: string) => string> = {
    netmask: (c) => new Netmask(c).base,
    "ip-cidr": (c) => new IPCIDR(c).start(),
    "cidr-tools": (c) => {
      const p = parseCidr(c)
      return stringifyIp({ number: p.start, version: p.version as 4 | 6 })
    },
    "ipaddr.js": (c) => {
      const [a] = ipaddr.parseCIDR(c)
      return (a.kind() === "ipv4" ? ipaddr.IPv4 : ipaddr.IPv6).networkAddressFromCIDR(c).toString()
    },
  }
  return Object.entries(libs)
    .map(([name, f]) => {
      let same = 0
      sample.forEach((c, i) => {
        if (canon(f(c)) === mine[i]) same++
      })
      return `${name} ${same}/${sample.length}`
    })
    .join(", ")
}

const fmt = (n: number) =>
  n >= 1e6 ? `${(n / 1e6).toFixed(2)} M/s` : `${(n / 1e3).toFixed(0)} k/s`

/** Prints ops/s and ratios for each implementation. */
export const run = async (): Promise<void> => {
  // Round-trip through JSON so the inputs are flat strings, as if read from a file or socket.
  const w = workload()
  const all = JSON.parse(JSON.stringify(w.all)) as Array<string>
  const v4 = JSON.parse(JSON.stringify(w.v4)) as Array<string>
  console.log(`workload: ${all.length} CIDRs (${v4.length} IPv4), seed 0x${SEED.toString(16)}`)
  console.log(`network address agreement on 2000 inputs: ${agreement(all)}`)
  const results: Array<Result> = []
  const jobs: Array<{ name: string; set: string; work: Work; inputs: ReadonlyArray<string> }> = []
  const add = (name: string, set: string, work: Work, inputs: ReadonlyArray<string>) =>
    jobs.push({ name, set, work, inputs })
  for (const [set, inputs] of [
    ["mixed", all],
    ["IPv4", v4],
  ] as const) {
    add("netwark IpCalc.parse + summary", set, netwarkSummary, inputs)
    add("netmask", set, netmask, inputs)
    add("cidr-tools parseCidr + ip-bigint", set, cidrTools, inputs)
    add("ipaddr.js", set, ipaddrJs, inputs)
    add("ip-cidr", set, ipCidr, inputs)
  }
  add("netwark IpCalc.parse", "mixed", netwarkParse, all)
  add("cidr-tools parseCidr (BigInt bounds)", "mixed", cidrToolsParse, all)
  add("netwark IpCalc.info", "mixed", netwarkInfo, all)
  // Warm every implementation, then interleave rounds and keep each one's best round, so a
  // burst of load on the shared machine does not land on one library only.
  for (const j of jobs) measure(j.work, j.inputs, 150)
  const best = new Map<string, number>()
  for (let round = 0; round < 3; round++)
    for (const j of jobs) {
      const key = `${j.name}|${j.set}`
      best.set(key, Math.max(best.get(key) ?? 0, measure(j.work, j.inputs, 400)))
    }
  for (const j of jobs)
    results.push({ name: j.name, set: j.set, opsPerSec: best.get(`${j.name}|${j.set}`)! })
  const show = (title: string, filter: (r: Result) => boolean) => {
    console.log(`\n${title}`)
    for (const r of results.filter(filter))
      console.log(`  ${r.name.padEnd(38)} ${r.set.padEnd(6)} ${fmt(r.opsPerSec).padStart(10)}`)
  }
  const equivalent = new Set([
    "netwark IpCalc.parse + summary",
    "netmask",
    "cidr-tools parseCidr + ip-bigint",
    "ipaddr.js",
    "ip-cidr",
  ])
  show(
    "equivalent work (parse + network, last, first/last host strings + size), ops per CPU second:",
    (r) => equivalent.has(r.name),
  )
  show(
    "parse only:",
    (r) => r.name === "netwark IpCalc.parse" || r.name.startsWith("cidr-tools parseCidr ("),
  )
  show(
    "full report (registry type, flags, reverse DNS, binary, expanded forms):",
    (r) => r.name === "netwark IpCalc.info",
  )

  const get = (name: string, set: string) =>
    results.find((r) => r.name === name && r.set === set)?.opsPerSec ?? NaN
  console.log("\nratios (netwark / alternative):")
  for (const set of ["mixed", "IPv4"]) {
    const ours = get("netwark IpCalc.parse + summary", set)
    const alts = ["netmask", "cidr-tools parseCidr + ip-bigint", "ipaddr.js", "ip-cidr"].map(
      (n) => [n, get(n, set)] as const,
    )
    const fastest = alts.reduce((a, b) => (b[1] > a[1] ? b : a))
    console.log(
      `  ${set.padEnd(6)} ` +
        alts.map(([n, v]) => `${n.split(" ")[0]} ${(ours / v).toFixed(2)}x`).join(", ") +
        `  (fastest alternative: ${fastest[0].split(" ")[0]}, ${(ours / fastest[1]).toFixed(2)}x)`,
    )
  }
  console.log(
    `  parse only: ${(get("netwark IpCalc.parse", "mixed") / get("cidr-tools parseCidr (BigInt bounds)", "mixed")).toFixed(2)}x cidr-tools parseCidr`,
  )
  console.log(
    `  full info vs fastest equivalent-work alternative (mixed): ${(get("netwark IpCalc.info", "mixed") / Math.max(...["netmask", "cidr-tools parseCidr + ip-bigint", "ipaddr.js", "ip-cidr"].map((n) => get(n, "mixed")))).toFixed(2)}x`,
  )
}
