/** The normalized WHOIS/RDAP records shared by the `Whois` and `Rdap` modules. */

/** An abuse contact; either part may be missing. */
export interface AbuseContact {
  readonly email?: string | undefined
  readonly phone?: string | undefined
}

/** A domain registration, normalized. Dates are ISO 8601 UTC (`YYYY-MM-DDTHH:MM:SSZ`). */
export interface DomainRecord {
  readonly kind: "domain"
  readonly domain?: string | undefined
  /** True when the response says the name is not registered. */
  readonly available: boolean
  readonly registrar?: string | undefined
  readonly whoisServer?: string | undefined
  readonly created?: string | undefined
  readonly updated?: string | undefined
  readonly expires?: string | undefined
  readonly status: ReadonlyArray<string>
  /** Lower-cased, without trailing dot, de-duplicated, in response order. */
  readonly nameServers: ReadonlyArray<string>
  readonly dnssec?: "signed" | "unsigned" | undefined
  readonly abuse: AbuseContact
  readonly registrant: {
    readonly organization?: string | undefined
    readonly country?: string | undefined
  }
}

/** An IP network registration, normalized. */
export interface IpRecord {
  readonly kind: "ip"
  readonly range?: { readonly start: string; readonly end: string } | undefined
  readonly cidrs: ReadonlyArray<string>
  readonly netName?: string | undefined
  readonly handle?: string | undefined
  readonly organization?: string | undefined
  readonly country?: string | undefined
  /** `arin`, `ripe`, `apnic`, `afrinic` or `lacnic` when known. */
  readonly rir?: Rir | undefined
  readonly abuse: AbuseContact
  readonly parent?: string | undefined
  /** The reverse-DNS zone name of the queried address (`1.237.239.62.in-addr.arpa`). */
  readonly reverseName?: string | undefined
  /** The origin AS when the response names one (LACNIC, APNIC route objects). */
  readonly asn?: number | undefined
}

/** An autonomous system registration, normalized. */
export interface AsnRecord {
  readonly kind: "asn"
  readonly asn?: number | undefined
  readonly name?: string | undefined
  readonly organization?: string | undefined
  readonly country?: string | undefined
  readonly rir?: Rir | undefined
  /** Route objects originated by the AS (RADB/IRR responses). */
  readonly routes: ReadonlyArray<string>
}

/** A Regional Internet Registry. */
export type Rir = "arin" | "ripe" | "apnic" | "afrinic" | "lacnic"

/** Any normalized record. */
export type WhoisRecord = DomainRecord | IpRecord | AsnRecord

/** How much a parser understood: `ok`, `notFound` (the registry says no such object), `empty`. */
export type ParseStatus = "ok" | "notFound" | "empty" | "partial"

/** A parse result: always the raw text, a status and the record. */
export interface Parsed<R> {
  readonly raw: string
  readonly status: ParseStatus
  readonly record: R
}

/** One server asked during a lookup. */
export interface Step {
  readonly protocol: "whois" | "rdap"
  /** The server as named (by IANA, a referral or the bootstrap): `whois.verisign-grs.com:43` or a URL. */
  readonly server: string
  /** Where the query actually went when an override redirected it (tests, proxies). */
  readonly address?: string | undefined
  /** The exact text sent (WHOIS) or the URL fetched (RDAP). */
  readonly query: string
  readonly bytes: number
  readonly charset?: "utf-8" | "latin1" | undefined
  /** The raw answer (text, or RDAP JSON as text). */
  readonly raw: string
  /** The referral found in this answer, followed or not. */
  readonly referral?: string | undefined
  /** Why this step failed, when it did (later steps may still have answered). */
  readonly error?: string | undefined
}

/** The outcome of a lookup: the normalized record, its raw source and the chain of servers. */
export interface LookupResult {
  readonly query: string
  /** The query as sent: punycode for IDNs, `AS64500` for AS numbers. */
  readonly normalized: string
  readonly kind: "domain" | "ip" | "asn"
  readonly source: "whois" | "rdap"
  readonly status: ParseStatus
  readonly record: WhoisRecord
  /** The answer the record came from (WHOIS text, or the RDAP JSON text). */
  readonly raw: string
  /** The parsed RDAP JSON when the source is RDAP. */
  readonly rdap?: unknown
  readonly chain: ReadonlyArray<Step>
}
