/**
 * Network-namespace test hosts. Rule: only loopback and addresses inside namespaces a test creates
 * may ever receive packets. Each host gets a random /29 from 198.18.0.0/15 (RFC 2544 benchmarking,
 * never routed on real networks) and a random /64 from fd00::/8 (ULA), both present only on the veth
 * pair this harness creates; the only routes added are those connected routes. The namespace has no
 * other interface and no default route, so nothing it sends can leave either.
 *
 * Per /29: .1 is our side (root namespace), .2 the host in the namespace, .3–.6 are "unreachable":
 * routed onto the veth but nobody answers ARP, so ping reports "Destination Host Unreachable".
 * IPv6 likewise: ::1 ours, ::2 the host, ::3 unreachable.
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
  /** The routed prefixes (everything the harness ever sends to). */
  readonly prefix4: string
  readonly prefix6: string
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
  for (let i = 0; i < 20; i++) {
    // 198.18.0.0/15 has 2^14 /29s.
    const n = randomInt(1, 1 << 14) * 8
    const b = `198.${18 + (n >> 16)}.${(n >> 8) & 0xff}.${n & 0xff}`
    const g = () => randomBytes(2).toString("hex")
    const p6 = `fd${randomBytes(1).toString("hex")}:${g()}:${g()}:${g()}`
    if (!routes.includes(b) && !routes.includes(p6) && p6 !== "fd00:0000:0000:0000") {
      base = n
      v6 = p6
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
    prefix4: `${a4(0)}/29`,
    prefix6: `${v6}::/64`,
    exec: inNs,
    addDropRule,
    removeDropRule,
    destroy,
  }
}
