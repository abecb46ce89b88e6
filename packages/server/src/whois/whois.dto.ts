/**
 * Request and response schemas of the WHOIS/RDAP route.
 *
 * @module
 */
import type { Whois } from "@netwark/tools"
import { Schema } from "effect"
import { Record as GeoIpRecord } from "../geoip/geoip.dto.js"

/** A domain name, an IPv4/IPv6 address or an AS number. */
export const Resource = Schema.String.pipe(
  Schema.minLength(1, { message: () => "a domain, IP address or AS number is required" }),
  Schema.maxLength(255, { message: () => "a resource is at most 255 characters" }),
).annotations({ description: "Domain name, IPv4/IPv6 address or AS number (AS15169 or 15169)" })

/** Query of `GET /whois/{resource}`. */
export const LookupQuery = Schema.Struct({
  source: Schema.optional(
    Schema.Literal("auto", "rdap", "whois").annotations({
      description: "auto: RDAP when a server is known, WHOIS as fallback (default)",
    }),
  ),
})
/** Query of `GET /whois/{resource}`. */
export type LookupQuery = typeof LookupQuery.Type

const Opt = Schema.optional
const Str = Schema.String
const Abuse = Schema.Struct({ email: Opt(Str), phone: Opt(Str) })
const Rir = Schema.Literal("arin", "ripe", "apnic", "afrinic", "lacnic")

const DomainRecord = Schema.Struct({
  kind: Schema.Literal("domain"),
  domain: Opt(Str),
  available: Schema.Boolean,
  registrar: Opt(Str),
  whoisServer: Opt(Str),
  created: Opt(Str),
  updated: Opt(Str),
  expires: Opt(Str),
  status: Schema.Array(Str),
  nameServers: Schema.Array(Str),
  dnssec: Opt(Schema.Literal("signed", "unsigned")),
  abuse: Abuse,
  registrant: Schema.Struct({ organization: Opt(Str), country: Opt(Str) }),
})

const IpRecord = Schema.Struct({
  kind: Schema.Literal("ip"),
  range: Opt(Schema.Struct({ start: Str, end: Str })),
  cidrs: Schema.Array(Str),
  netName: Opt(Str),
  handle: Opt(Str),
  organization: Opt(Str),
  country: Opt(Str),
  rir: Opt(Rir),
  abuse: Abuse,
  parent: Opt(Str),
  reverseName: Opt(Str),
  asn: Opt(Schema.Int),
})

const AsnRecord = Schema.Struct({
  kind: Schema.Literal("asn"),
  asn: Opt(Schema.Int),
  name: Opt(Str),
  organization: Opt(Str),
  country: Opt(Str),
  rir: Opt(Rir),
  routes: Schema.Array(Str),
})

const Step = Schema.Struct({
  protocol: Schema.Literal("whois", "rdap"),
  server: Str,
  address: Opt(Str),
  query: Str,
  bytes: Schema.Int,
  charset: Opt(Schema.Literal("utf-8", "latin1")),
  raw: Str,
  referral: Opt(Str),
  error: Opt(Str),
})

/** The outcome of a lookup, with GeoIP for IP queries. */
export const Lookup = Schema.Struct({
  query: Str,
  normalized: Str.annotations({ description: "As sent: punycode for IDNs, AS64500 for ASNs" }),
  kind: Schema.Literal("domain", "ip", "asn"),
  source: Schema.Literal("whois", "rdap"),
  status: Schema.Literal("ok", "notFound", "empty", "partial"),
  record: Schema.Union(DomainRecord, IpRecord, AsnRecord),
  raw: Str.annotations({
    description: "The answer the record came from (WHOIS text or RDAP JSON)",
  }),
  rdap: Opt(Schema.Unknown),
  chain: Schema.Array(Step).annotations({ description: "Every server asked, in order" }),
  geoip: Opt(
    Schema.NullOr(GeoIpRecord).annotations({
      description: "GeoIP of the address (IP queries; null when no database knows it)",
    }),
  ),
}).annotations({ identifier: "WhoisLookup" })

/** The JSON answer of `GET /whois/{resource}`. */
export type Lookup = typeof Lookup.Type

// Compile-time guard: the library's type must fit the documented schema.
const _lookup: (r: Whois.LookupResult) => Lookup = (r) => r
void _lookup
