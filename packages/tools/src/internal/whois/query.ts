/** Query validation and classification, server addresses and per-server query syntax. */
import { domainToASCII } from "node:url"
import { Effect, Either } from "effect"
import { invalidInput, type ToolError } from "../../ToolError.js"
import { endsInNumber, parse as parseIp } from "../ip/address.js"
import { notRegistered } from "./special.js"

/** A validated query: a domain (ASCII, punycode), an IP literal or an AS number. */
export type Query =
  | { readonly kind: "domain"; readonly input: string; readonly value: string }
  | { readonly kind: "ip"; readonly input: string; readonly value: string; readonly version: 4 | 6 }
  | { readonly kind: "asn"; readonly input: string; readonly value: string; readonly asn: number }

const MAX_ASN = 4_294_967_295

/** Validates and classifies a WHOIS query; `InvalidInput` on field `query` when unusable. */
export const parseQuery = (input: string): Either.Either<Query, ToolError> => {
  const fail = (message: string) => Either.left(invalidInput("query", message))
  if (/[\u0000-\u001f\u007f]/.test(input))
    return fail("query contains control characters (newline, tab, NUL…)")
  const q = input.trim()
  if (q === "") return fail("query is empty")
  if (q.startsWith("-"))
    return fail(`query "${q}" starts with "-", which a WHOIS server would read as a flag`)
  if (q.length > 255) return fail("query is longer than 255 characters")
  const bare = q.replace(/^\[(.*)\]$/, "$1")
  // A zone id (`fe80::1%eth0`) is accepted but not sent: it names a local interface, not a
  // registry object, and a `%` would corrupt the RDAP URL.
  const ip = parseIp(bare, { zone: true })
  if (ip !== undefined) {
    const value = ip.zone === undefined ? bare : bare.slice(0, bare.indexOf("%"))
    return Either.right({
      kind: "ip",
      input,
      value: ip.version === 6 ? value.toLowerCase() : value,
      version: ip.version,
    })
  }
  // a network (`192.0.2.0/24`): the registries answer for the allocation that holds its address
  const cidr = /^(.+)\/(\d{1,3})$/.exec(bare)
  if (cidr !== null) {
    const net = parseIp(cidr[1]!)
    if (net === undefined || Number(cidr[2]) > (net.version === 4 ? 32 : 128))
      return fail(`query "${q}" is not a network (address/prefix length)`)
    return Either.right({
      kind: "ip",
      input,
      value: net.version === 6 ? cidr[1]!.toLowerCase() : cidr[1]!,
      version: net.version,
    })
  }
  const asn = /^(?:AS)?(\d+)$/i.exec(q)
  if (asn !== null) {
    const n = Number(asn[1])
    if (!Number.isSafeInteger(n) || n > MAX_ASN)
      return fail(`AS number ${asn[1]} is out of range (0–${MAX_ASN})`)
    return Either.right({ kind: "asn", input, value: `AS${n}`, asn: n })
  }
  if (/\s/.test(q)) return fail(`query "${q}" contains spaces`)
  // the URL host parser would stop at these and look the rest up as a name
  if (/[/?#@:\\]/.test(q))
    return fail(`query "${q}" is not a domain name, IP address, network or AS number`)
  const ascii = domainToASCII(q.replace(/\.$/, ""))
  if (
    ascii === "" ||
    !/^(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?)(?:\.[a-z0-9_](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/.test(
      ascii,
    )
  ) {
    return fail(`query "${q}" is not a domain name, IP address or AS number`)
  }
  // the URL host parser stops at '/' and reads `0x7f.1` as an address: a name must be a name
  if (endsInNumber(ascii))
    return fail(
      `query "${q}" is not a domain name (its last label is numeric), IP address or AS number`,
    )
  return Either.right({ kind: "domain", input, value: ascii })
}

/**
 * Refuses a reserved address (`NotFound` on `query`), lazily: the one check of a lookup, shared
 * by `Rdap.lookupQuery` and the WHOIS entry points whatever protocols they then try.
 */
export const registered = (q: Query): Effect.Effect<Query, ToolError> =>
  Effect.suspend(() => {
    const local = notRegistered(q)
    return local !== undefined ? Effect.fail(local) : Effect.succeed(q)
  })

/** A WHOIS server address. */
export interface Server {
  readonly host: string
  readonly port: number
}

/** Parses `host`, `host:port`, `[v6]:port` or `whois://host:port`; `undefined` when malformed. */
export const parseServer = (text: string, defaultPort = 43): Server | undefined => {
  const t = text
    .trim()
    .replace(/^whois:\/\//i, "")
    .replace(/\/.*$/, "")
  const v6 = /^\[([0-9a-fA-F:.]+)\](?::(\d{1,5}))?$/.exec(t)
  if (v6 !== null)
    return portOk({ host: v6[1] ?? "", port: v6[2] === undefined ? defaultPort : Number(v6[2]) })
  if (parseIp(t, { zone: true })?.version === 6) return { host: t, port: defaultPort }
  const m = /^([A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(t)
  if (m === null) return undefined
  return portOk({
    host: (m[1] ?? "").toLowerCase(),
    port: m[2] === undefined ? defaultPort : Number(m[2]),
  })
}

const portOk = (s: Server): Server | undefined =>
  s.port > 0 && s.port < 65536 && s.host !== "" ? s : undefined

/** `host:port` (brackets for IPv6). */
export const serverLabel = (s: Server): string =>
  s.host.includes(":") ? `[${s.host}]:${s.port}` : `${s.host}:${s.port}`

/** The WHOIS server of each RIR. */
export const RIR_WHOIS = {
  arin: "whois.arin.net",
  ripe: "whois.ripe.net",
  apnic: "whois.apnic.net",
  afrinic: "whois.afrinic.net",
  lacnic: "whois.lacnic.net",
} as const

/**
 * The text to send for `q` to the server named `host` (the name before overrides are applied).
 * ARIN needs `n +`/`a +` to pick the record type and show details; DENIC only prints the full
 * record with `-T dn,ace`; JPRS answers in Japanese unless `/e` is appended. RIPE-database RIRs
 * get the plain query: `-B` would lift personal-data filtering (and count against the daily
 * limit), and the default output already carries the abuse contact.
 */
export const queryText = (host: string, q: Query): string => {
  const h = host.toLowerCase()
  if (h === RIR_WHOIS.arin) {
    if (q.kind === "ip") return `n + ${q.value}`
    if (q.kind === "asn") return `a + ${q.asn}`
  }
  if (q.kind === "domain" && h === "whois.denic.de") return `-T dn,ace ${q.value}`
  if (q.kind === "domain" && h === "whois.jprs.jp") return `${q.value}/e`
  return q.value
}
