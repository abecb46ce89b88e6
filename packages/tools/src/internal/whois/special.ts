/**
 * Addresses no registry holds: loopback, private-use, link-local, shared (CGNAT), unique-local…
 * A WHOIS or RDAP query for one would only reach ARIN (or an RIR) for IANA's reservation record;
 * answered here instead, from the IANA special-purpose registries, with no network traffic.
 * Documentation and benchmarking blocks are left to the registries (they stand in for real
 * addresses in examples, and the RIRs answer for them).
 */
import { ToolError } from "../../ToolError.js"
import { parseNet } from "../ipcalc/network.js"
import { type AddressKind, classify } from "../ipcalc/registry.js"
import type { Query } from "./query.js"

const LOCAL: ReadonlySet<AddressKind> = new Set<AddressKind>([
  "unspecified",
  "this-network",
  "private",
  "shared",
  "loopback",
  "link-local",
  "unique-local",
  "site-local",
  "broadcast",
])

/** `NotFound` on field `query` for an address in a block no registry holds; else undefined. */
export const notRegistered = (q: Query): ToolError | undefined => {
  if (q.kind !== "ip") return undefined
  // the address as the subnet calculator reads it: its words, then its registry block
  const net = parseNet(q.value, { e: undefined })
  if (net === undefined) return undefined
  const entry = classify(net.version, net, net)
  if (!LOCAL.has(entry.kind)) return undefined
  return new ToolError({
    reason: "NotFound",
    field: "query",
    message:
      `${q.value} is in ${entry.block}, ${entry.name} (${entry.rfc}, ${entry.registry}): ` +
      `reserved by IANA and allocated to no registry, so no WHOIS or RDAP server holds it`,
  })
}
