/**
 * A two-hop test path built from network namespaces this process creates: us → router → host.
 * Same rule as support/netns.ts: addresses come from 198.18.0.0/15 (benchmarking, never routed) and
 * the only routes added point into our own namespaces; nothing has a default route, so no packet
 * can leave the machine.
 *
 *   root  a0 (P1.1) ── veth ── (P1.2) r0  ROUTER  r1 (P2.1) ── veth ── (P2.2) h0  HOST
 *
 * In the router: P2.4 has an `unreachable` route (ICMP host unreachable, traceroute `!H`) and P2.5
 * a `prohibit` route (ICMP administratively prohibited, `!X`). The router's ICMP rate limit is off
 * (namespace sysctl); errors from `unreachable`/`prohibit` routes stay limited by the kernel.
 */
import { execFile } from "node:child_process"
import { randomBytes, randomInt } from "node:crypto"
import { promisify } from "node:util"

const run = promisify(execFile)

const sh = async (args: ReadonlyArray<string>): Promise<string> => {
  const [command, ...rest] = args
  if (command === undefined) throw new Error("empty command")
  try {
    return (await run(command, rest, { timeout: 10_000 })).stdout
  } catch (e) {
    const err = e as { stderr?: string; message: string }
    throw new Error(`${args.join(" ")} failed: ${err.stderr?.trim() || err.message}`, { cause: e })
  }
}

/** A routed two-hop path; `destroy` removes both namespaces and our veth end (and its routes). */
export interface TwoHopPath {
  readonly router: string
  readonly host: string
  /** The router's address facing us (hop 1). */
  readonly routerAddress: string
  /** The host behind the router (hop 2). */
  readonly hostAddress: string
  /** Routed by the router into an `unreachable` route. */
  readonly unreachableAddress: string
  /** Routed by the router into a `prohibit` route. */
  readonly prohibitedAddress: string
  readonly destroy: () => Promise<void>
}

const base29 = (n: number) => `198.${18 + (n >> 16)}.${(n >> 8) & 0xff}.${n & 0xff}`

/** Builds the path (about 100 ms). */
export const createTwoHopPath = async (): Promise<TwoHopPath> => {
  const tag = randomBytes(3).toString("hex")
  const router = `nwr-${process.pid}-${tag}`
  const host = `nwh-${process.pid}-${tag}`
  const a0 = `nwa${tag}`
  const r0 = `nwr${tag}`
  const r1 = `nws${tag}`
  const h0 = `nwh${tag}`
  const routes = await sh(["ip", "-4", "route", "show", "table", "all"])
  let p1 = 0
  let p2 = 0
  for (let i = 0; i < 50 && (p1 === 0 || p2 === 0); i++) {
    const n = randomInt(1, 1 << 14) * 8
    if (routes.includes(base29(n)) || n === p1) continue
    if (p1 === 0) p1 = n
    else p2 = n
  }
  if (p1 === 0 || p2 === 0) throw new Error("no free test prefixes")
  const a = (p: number, k: number) => base29(p + k)
  const inR = (args: ReadonlyArray<string>) => sh(["ip", "netns", "exec", router, ...args])
  const inH = (args: ReadonlyArray<string>) => sh(["ip", "netns", "exec", host, ...args])
  let destroyed = false
  const destroy = async () => {
    if (destroyed) return
    destroyed = true
    await sh(["ip", "netns", "del", router]).catch(() => undefined)
    await sh(["ip", "netns", "del", host]).catch(() => undefined)
    await sh(["ip", "link", "del", a0]).catch(() => undefined)
  }
  try {
    await sh(["ip", "netns", "add", router])
    await sh(["ip", "netns", "add", host])
    await sh(["ip", "link", "add", a0, "type", "veth", "peer", "name", r0])
    await sh(["ip", "link", "set", r0, "netns", router])
    await sh(["ip", "link", "add", r1, "type", "veth", "peer", "name", h0])
    await sh(["ip", "link", "set", r1, "netns", router])
    await sh(["ip", "link", "set", h0, "netns", host])
    await sh(["ip", "addr", "add", `${a(p1, 1)}/29`, "dev", a0])
    await sh(["ip", "link", "set", a0, "up"])
    await inR(["ip", "link", "set", "lo", "up"])
    await inR(["ip", "addr", "add", `${a(p1, 2)}/29`, "dev", r0])
    await inR(["ip", "addr", "add", `${a(p2, 1)}/29`, "dev", r1])
    await inR(["ip", "link", "set", r0, "up"])
    await inR(["ip", "link", "set", r1, "up"])
    await inR(["sysctl", "-q", "-w", "net.ipv4.ip_forward=1"])
    // Time-exceeded replies are rate-limited per destination (1/s); tests probe faster than that.
    await inR(["sysctl", "-q", "-w", "net.ipv4.icmp_ratelimit=0"])
    await inR(["ip", "route", "add", "unreachable", `${a(p2, 4)}/32`])
    await inR(["ip", "route", "add", "prohibit", `${a(p2, 5)}/32`])
    await inH(["ip", "link", "set", "lo", "up"])
    await inH(["ip", "addr", "add", `${a(p2, 2)}/29`, "dev", h0])
    await inH(["ip", "link", "set", h0, "up"])
    await inH(["ip", "route", "add", `${base29(p1)}/29`, "via", a(p2, 1)])
    await sh(["ip", "route", "add", `${base29(p2)}/29`, "via", a(p1, 2), "dev", a0])
  } catch (e) {
    await destroy()
    throw e
  }
  return {
    router,
    host,
    routerAddress: a(p1, 2),
    hostAddress: a(p2, 2),
    unreachableAddress: a(p2, 4),
    prohibitedAddress: a(p2, 5),
    destroy,
  }
}

/** Two routers in parallel in front of one host; `switchToSecond` moves our route over. */
export interface TwoRouterPath {
  readonly firstRouter: string
  readonly secondRouter: string
  readonly hostAddress: string
  /** Replaces our route to the host: from now on probes go through the second router. */
  readonly switchToSecond: () => Promise<void>
  readonly destroy: () => Promise<void>
}

/**
 * us ─ R1 ─ host and us ─ R2 ─ host (four /29s from 198.18.0.0/15). Our route to the host points at
 * R1 until `switchToSecond`, which is how a path change (or an equal-cost split) looks to mtr.
 */
export const createTwoRouterPath = async (): Promise<TwoRouterPath> => {
  const tag = randomBytes(3).toString("hex")
  const ns = { r1: `nwr1-${tag}`, r2: `nwr2-${tag}`, h: `nwh2-${tag}` }
  const links = { a: `nwa1${tag}`, b: `nwa2${tag}` }
  const routes = await sh(["ip", "-4", "route", "show", "table", "all"])
  const prefixes: Array<number> = []
  for (let i = 0; i < 100 && prefixes.length < 4; i++) {
    const n = randomInt(1, 1 << 14) * 8
    if (!routes.includes(base29(n)) && !prefixes.includes(n)) prefixes.push(n)
  }
  const [p1, p2, p3, p4] = prefixes
  if (p1 === undefined || p2 === undefined || p3 === undefined || p4 === undefined)
    throw new Error("no free test prefixes")
  const a = (p: number, k: number) => base29(p + k)
  const inNs = (name: string, args: ReadonlyArray<string>) =>
    sh(["ip", "netns", "exec", name, ...args])
  let destroyed = false
  const destroy = async () => {
    if (destroyed) return
    destroyed = true
    for (const n of Object.values(ns)) await sh(["ip", "netns", "del", n]).catch(() => undefined)
    for (const l of Object.values(links)) await sh(["ip", "link", "del", l]).catch(() => undefined)
  }
  // One veth between `left` (root when undefined) and `right`, addresses .1 and .2 of `p`.
  const wire = async (
    p: number,
    left: string | undefined,
    leftIf: string,
    right: string,
    rightIf: string,
  ) => {
    await sh(["ip", "link", "add", leftIf, "type", "veth", "peer", "name", rightIf])
    if (left !== undefined) await sh(["ip", "link", "set", leftIf, "netns", left])
    await sh(["ip", "link", "set", rightIf, "netns", right])
    const l = (args: ReadonlyArray<string>) => (left === undefined ? sh(args) : inNs(left, args))
    await l(["ip", "addr", "add", `${a(p, 1)}/29`, "dev", leftIf])
    await l(["ip", "link", "set", leftIf, "up"])
    await inNs(right, ["ip", "addr", "add", `${a(p, 2)}/29`, "dev", rightIf])
    await inNs(right, ["ip", "link", "set", rightIf, "up"])
  }
  try {
    for (const n of Object.values(ns)) {
      await sh(["ip", "netns", "add", n])
      await inNs(n, ["ip", "link", "set", "lo", "up"])
    }
    await wire(p1, undefined, links.a, ns.r1, `r1a${tag}`)
    await wire(p3, undefined, links.b, ns.r2, `r2a${tag}`)
    await wire(p2, ns.r1, `r1h${tag}`, ns.h, `h1${tag}`)
    await wire(p4, ns.r2, `r2h${tag}`, ns.h, `h2${tag}`)
    for (const r of [ns.r1, ns.r2]) {
      await inNs(r, ["sysctl", "-q", "-w", "net.ipv4.ip_forward=1"])
      await inNs(r, ["sysctl", "-q", "-w", "net.ipv4.icmp_ratelimit=0"])
    }
    // R2 reaches the host's address (on the R1 link) through the host's R2-side address.
    await inNs(ns.r2, ["ip", "route", "add", `${base29(p2)}/29`, "via", a(p4, 2)])
    // mtr picks its source address once, so after the switch R2 still answers our R1-side address.
    await inNs(ns.r2, ["ip", "route", "add", `${base29(p1)}/29`, "via", a(p3, 1)])
    await inNs(ns.h, ["ip", "route", "add", `${base29(p1)}/29`, "via", a(p2, 1)])
    await inNs(ns.h, ["ip", "route", "add", `${base29(p3)}/29`, "via", a(p4, 1)])
    // The host answers on the R2 link for an address of the R1 link: turn off reverse-path filtering.
    await inNs(ns.h, ["sysctl", "-q", "-w", "net.ipv4.conf.all.rp_filter=0"])
    await sh(["ip", "route", "add", `${a(p2, 2)}/32`, "via", a(p1, 2), "dev", links.a])
  } catch (e) {
    await destroy()
    throw e
  }
  return {
    firstRouter: a(p1, 2),
    secondRouter: a(p3, 2),
    hostAddress: a(p2, 2),
    switchToSecond: async () => {
      await sh(["ip", "route", "replace", `${a(p2, 2)}/32`, "via", a(p3, 2), "dev", links.b])
    },
    destroy,
  }
}
