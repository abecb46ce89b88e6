/**
 * Network-namespace test hosts. Rule: only loopback and addresses inside namespaces a test creates
 * may ever receive packets. Each host gets a random /28 from 198.18.0.0/15 (RFC 2544 benchmarking,
 * never routed on real networks) and two random /64s from fd00::/8 (ULA), present only on the veth
 * pair this harness creates; the only routes added point into that namespace. The namespace has no
 * other interface and no default route, so nothing it sends can leave either.
 *
 * Lower /29 (on the veth): .1 is our side (root namespace), .2 the host in the namespace, .3–.6 are
 * "unreachable": on-link but nobody answers ARP, so probes simply go unanswered.
 * Upper /29: routed via the host, which has an `unreachable` route for it, so the host answers
 * with ICMP "Destination Host Unreachable" at once (`rejected4`). IPv6 likewise: ::1 ours, ::2 the
 * host, ::3 unanswered, and a second /64 routed via the host and rejected (`rejected6`).
 *
 * Usage (one namespace per test file, it takes ~50 ms to build):
 *   const support = await canUseNetns()
 *   describe.skipIf(!support.ok)(`... (skipped: ${support.reason})`, () => {
 *     let host: NetnsHost
 *     beforeAll(async () => { host = await createHost() })
 *     afterAll(() => host?.destroy())
 *   })
 */
import { execFile } from "node:child_process"
import { randomBytes, randomInt } from "node:crypto"
import { promisify } from "node:util"

const run = promisify(execFile)

/** Runs `ip`/`nft` etc. with an argument array, returning stdout; throws with stderr on failure. */
const sh = async (args: ReadonlyArray<string>): Promise<string> => {
  const [command, ...rest] = args
  if (command === undefined) throw new Error("empty command")
  try {
    const { stdout } = await run(command, rest, { timeout: 10_000 })
    return stdout
  } catch (e) {
    const err = e as { stderr?: string; message: string }
    throw new Error(`${args.join(" ")} failed: ${err.stderr?.trim() || err.message}`, { cause: e })
  }
}

/** Whether this process can create namespaces; `reason` explains why not (for `describe.skipIf`). */
export const canUseNetns = async (): Promise<{ ok: boolean; reason: string }> => {
  if (process.getuid?.() !== 0) return { ok: false, reason: "needs root for ip netns" }
  const name = `nw-probe-${process.pid}-${randomBytes(3).toString("hex")}`
  try {
    await sh(["ip", "netns", "add", name])
    await sh(["ip", "netns", "del", name])
    return { ok: true, reason: "" }
  } catch (e) {
    return { ok: false, reason: `ip netns add failed: ${(e as Error).message}` }
  }
}

/** Options of a test host. */
export interface HostOptions {
  /** Install the drop rule at creation: the host silently drops ICMP echo requests. */
  readonly dropIcmp?: boolean
  /** Extra delay on the host's replies (netem on the namespace side), e.g. "20ms". */
  readonly delay?: string
}

/** A host inside its own namespace, reachable from the test over a veth pair. */
export interface NetnsHost {
  readonly ns: string
  /** The veth end in the root namespace (ours). */
  readonly localInterface: string
  readonly localAddress4: string
  readonly localAddress6: string
  readonly hostAddress4: string
  readonly hostAddress6: string
  /** Routed onto the veth, but no one answers. */
  readonly unreachable4: string
  readonly unreachable6: string
  /** Routed via the host, which answers with ICMP destination unreachable. */
  readonly rejected4: string
  readonly rejected6: string
  /** The routed prefixes (everything the harness ever sends to): the /28, and the first /64. */
  readonly prefix4: string
  readonly prefix6: string
  /** The second /64 (routed via the host and rejected there). */
  readonly rejectedPrefix6: string
  /** Runs a command inside the namespace (argument array). */
  readonly exec: (args: ReadonlyArray<string>) => Promise<string>
  /** Makes the host drop ICMP/ICMPv6 echo requests (nftables input rule). */
  readonly addDropRule: () => Promise<void>
  /** Removes the drop rule. */
  readonly removeDropRule: () => Promise<void>
  /** Deletes the namespace (which deletes the veth pair and its routes). Idempotent. */
  readonly destroy: () => Promise<void>
}

const usedPrefixes = async (): Promise<string> =>
  (await sh(["ip", "-4", "route", "show", "table", "all"])) +
  (await sh(["ip", "-6", "route", "show", "table", "all"]))

/** Creates a namespace with a host on a fresh veth pair. */
export const createHost = async (options: HostOptions = {}): Promise<NetnsHost> => {
  const tag = randomBytes(3).toString("hex")
  const ns = `nw-${process.pid}-${tag}`
  const localInterface = `nwv${tag}`
  const peer = `nwp${tag}`
  const routes = await usedPrefixes()
  let base = 0
  let v6 = ""
  let v6b = ""
  for (let i = 0; i < 20; i++) {
    // 198.18.0.0/15 has 2^13 /28s.
    const n = randomInt(1, 1 << 13) * 16
    const b = `198.${18 + (n >> 16)}.${(n >> 8) & 0xff}.`
    // no leading zeros, so the text matches what ip, ping and mtr print (RFC 5952)
    const g = () => randomBytes(2).readUInt16BE(0).toString(16)
    const p6 = `fd${randomBytes(1).toString("hex")}:${g()}:${g()}:${g()}`
    const p6b = `fd${randomBytes(1).toString("hex")}:${g()}:${g()}:${g()}`
    const taken = (p: string) => routes.includes(p) || p.startsWith("fd00:0000:0000:0000")
    const octet = n & 0xff
    if (![0, 8].some((k) => routes.includes(`${b}${octet + k}/`)) && !taken(p6) && !taken(p6b)) {
      base = n
      v6 = p6
      v6b = p6b
      break
    }
  }
  if (base === 0) throw new Error("no free test prefix")
  const a4 = (k: number) => {
    const n = base + k
    return `198.${18 + (n >> 16)}.${(n >> 8) & 0xff}.${n & 0xff}`
  }
  const a6 = (k: number) => `${v6}::${k}`
  const inNs = (args: ReadonlyArray<string>) => sh(["ip", "netns", "exec", ns, ...args])
  let destroyed = false
  const destroy = async () => {
    if (destroyed) return
    destroyed = true
    await sh(["ip", "netns", "del", ns]).catch(() => undefined)
    await sh(["ip", "link", "del", localInterface]).catch(() => undefined)
  }
  try {
    await sh(["ip", "netns", "add", ns])
    await sh(["ip", "link", "add", localInterface, "type", "veth", "peer", "name", peer])
    await sh(["ip", "link", "set", peer, "netns", ns])
    await sh(["ip", "addr", "add", `${a4(1)}/29`, "dev", localInterface])
    await sh(["ip", "-6", "addr", "add", `${a6(1)}/64`, "dev", localInterface, "nodad"])
    await sh(["ip", "link", "set", localInterface, "up"])
    await inNs(["ip", "link", "set", "lo", "up"])
    await inNs(["ip", "addr", "add", `${a4(2)}/29`, "dev", peer])
    await inNs(["ip", "-6", "addr", "add", `${a6(2)}/64`, "dev", peer, "nodad"])
    await inNs(["ip", "link", "set", peer, "up"])
    // The host routes the upper /29 and the second /64 nowhere: it answers ICMP unreachable.
    await inNs(["sysctl", "-qw", "net.ipv4.ip_forward=1"])
    await inNs(["sysctl", "-qw", "net.ipv6.conf.all.forwarding=1"])
    // No ICMP error rate limiting, so every probe gets its error (tests count them).
    await inNs(["sysctl", "-qw", "net.ipv4.icmp_ratelimit=0"])
    await inNs(["sysctl", "-qw", "net.ipv6.icmp.ratelimit=0"])
    await inNs(["ip", "route", "add", "unreachable", `${a4(8)}/29`])
    await inNs(["ip", "-6", "route", "add", "unreachable", `${v6b}::/64`])
    await sh(["ip", "route", "add", `${a4(8)}/29`, "via", a4(2), "dev", localInterface])
    await sh(["ip", "-6", "route", "add", `${v6b}::/64`, "via", a6(2), "dev", localInterface])
    if (options.delay !== undefined)
      await inNs(["tc", "qdisc", "add", "dev", peer, "root", "netem", "delay", options.delay])
  } catch (e) {
    await destroy()
    throw e
  }
  const nftTable = "nwtest"
  const addDropRule = async () => {
    await inNs(["nft", "add", "table", "inet", nftTable])
    await inNs([
      "nft",
      "add chain inet nwtest input { type filter hook input priority 0 ; policy accept ; }",
    ])
    await inNs(["nft", "flush", "chain", "inet", nftTable, "input"])
    await inNs([
      "nft",
      "add",
      "rule",
      "inet",
      nftTable,
      "input",
      "icmp",
      "type",
      "echo-request",
      "drop",
    ])
    await inNs([
      "nft",
      "add",
      "rule",
      "inet",
      nftTable,
      "input",
      "icmpv6",
      "type",
      "echo-request",
      "drop",
    ])
  }
  const removeDropRule = async () => {
    await inNs(["nft", "delete", "table", "inet", nftTable]).catch(() => undefined)
  }
  if (options.dropIcmp === true) await addDropRule()
  return {
    ns,
    localInterface,
    localAddress4: a4(1),
    localAddress6: a6(1),
    hostAddress4: a4(2),
    hostAddress6: a6(2),
    unreachable4: a4(3),
    unreachable6: a6(3),
    rejected4: a4(9),
    rejected6: `${v6b}::9`,
    prefix4: `${a4(0)}/28`,
    prefix6: `${v6}::/64`,
    rejectedPrefix6: `${v6b}::/64`,
    exec: inNs,
    addDropRule,
    removeDropRule,
    destroy,
  }
}
