/**
 * Addresses no registry holds: loopback, private-use, link-local, shared (CGNAT), unique-local…
 * A WHOIS or RDAP query for one would only reach ARIN (or an RIR) for IANA's reservation record;
 * answered here instead, from the IANA special-purpose registries, with no network traffic.
 * Documentation and benchmarking blocks are left to the registries (they stand in for real
 * addresses in examples, and the RIRs answer for them).
 */
import { ToolError } from "../../ToolError.js"
import { parse } from "../ip/address.js"
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

const word = (b: Uint8Array, i: number): number =>
  ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0

/** `NotFound` on field `query` for an address in a block no registry holds; else undefined. */
export const notRegistered = (q: Query): ToolError | undefined => {
  if (q.kind !== "ip") return undefined
  const ip = parse(q.value)
  if (ip === undefined) return undefined
  const w =
    ip.version === 4
      ? { w0: 0, w1: 0, w2: 0, w3: word(ip.bytes, 0) }
      : {
          w0: word(ip.bytes, 0),
          w1: word(ip.bytes, 4),
          w2: word(ip.bytes, 8),
          w3: word(ip.bytes, 12),
        }
  const entry = classify(ip.version, w, w)
  if (!LOCAL.has(entry.kind)) return undefined
  return new ToolError({
    reason: "NotFound",
    field: "query",
    message:
      `${q.value} is in ${entry.block}, ${entry.name} (${entry.rfc}, ${entry.registry}): ` +
      `reserved by IANA and allocated to no registry, so no WHOIS or RDAP server holds it`,
  })
}
