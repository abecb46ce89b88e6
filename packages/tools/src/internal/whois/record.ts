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
  readonly registrant: { readonly organization?: string | undefined; readonly country?: string | undefined }
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
