import { Injectable, inject } from "@angular/core"
import { API, toProblem } from "../../../core/api"

/** A normalized WHOIS/RDAP answer (the fields the page shows). */
export interface WhoisLookup {
  readonly query: string
  readonly normalized: string
  readonly kind: "domain" | "ip" | "asn"
  readonly source: "whois" | "rdap"
  readonly status: string
  readonly record: Readonly<Record<string, unknown>>
  readonly raw: string
  readonly chain: ReadonlyArray<{
    readonly protocol: string
    readonly server: string
    readonly query: string
    readonly error?: string
  }>
  readonly geoip?: GeoIpRecord | null
}

/** A GeoIP record. */
export interface GeoIpRecord {
  readonly ip: string
  readonly network: string
  readonly country?: { readonly isoCode?: string; readonly name?: string }
  readonly city?: { readonly name?: string }
  readonly subdivisions?: ReadonlyArray<{ readonly name?: string }>
  readonly location?: {
    readonly latitude?: number
    readonly longitude?: number
    readonly accuracyRadius?: number
  }
  readonly asn?: { readonly number?: number; readonly organization?: string }
  readonly [key: string]: unknown
}

/** A MAC vendor assignment. */
export interface OuiAssignment {
  readonly registry: string
  readonly prefix: string
  readonly bits: number
  readonly organization: string
  readonly address: string
}

/** A MAC lookup answer. */
export interface OuiMatch {
  readonly input: string
  readonly mac: string
  readonly bits: number
  readonly locallyAdministered: boolean
  readonly multicast: boolean
  readonly vendor: OuiAssignment | null
  readonly note?: string
}

/** A page of vendor search results. */
export interface OuiPage {
  readonly query: string
  readonly total: number
  readonly offset: number
  readonly limit: number
  readonly items: ReadonlyArray<OuiAssignment>
}

/** The calculator's report on a network. */
export interface IpCalcInfo {
  readonly input: string
  readonly version: 4 | 6
  readonly address: string
  readonly hostBitsSet: boolean
  readonly cidr: string
  readonly network: string
  readonly prefix: number
  readonly netmask: string
  readonly wildcard: string
  readonly broadcast: string | null
  readonly lastAddress: string
  readonly firstHost: string
  readonly lastHost: string
  readonly addresses: string
  readonly usableHosts: string
  readonly type: {
    readonly kind: string
    readonly name: string
    readonly rfc: string
    readonly block: string
  }
  readonly addressType: {
    readonly kind: string
    readonly name: string
    readonly rfc: string
    readonly block: string
  }
  readonly reverse: { readonly ptr: string; readonly zone: string }
  readonly expanded: { readonly address: string; readonly network: string }
  readonly binary: { readonly address: string; readonly netmask: string; readonly network: string }
  readonly decimal: string
  readonly embeddedIpv4: { readonly kind: string; readonly address: string } | null
}

/** A page of subnets. */
export interface IpCalcSubnets {
  readonly network: string
  readonly newPrefix: number
  readonly total: string
  readonly offset: number
  readonly subnets: ReadonlyArray<string>
  readonly nextOffset: number | null
}

/** The synchronous tools: WHOIS/RDAP with GeoIP, MAC OUI, subnet calculator. */
@Injectable({ providedIn: "root" })
export class ToolsService {
  private readonly api = inject(API)

  /** WHOIS/RDAP for a domain, IP or ASN (IPs come with GeoIP). */
  whois(resource: string, signal?: AbortSignal): Promise<WhoisLookup> {
    return wrap(this.api.whois(resource, signal)) as Promise<WhoisLookup>
  }

  /** Where an address is, from the local GeoIP database; null when it has no record (404). */
  async geoip(ip: string, signal?: AbortSignal): Promise<GeoIpRecord | null> {
    try {
      return (await wrap(this.api.geoip(ip, signal))) as GeoIpRecord
    } catch (e) {
      if ((e as { problem?: { status?: number } }).problem?.status === 404) return null
      throw e
    }
  }

  /** The vendor of a MAC address (or prefix). */
  ouiLookup(mac: string, signal?: AbortSignal): Promise<OuiMatch> {
    return wrap(this.api.ouiLookup(mac, signal)) as Promise<OuiMatch>
  }

  /** Vendors whose name matches. */
  ouiSearch(search: string, offset: number, limit: number, signal?: AbortSignal): Promise<OuiPage> {
    return wrap(this.api.ouiSearch(search, offset, limit, signal)) as Promise<OuiPage>
  }

  /** A network's report; `prefix` may be a length or a netmask, or absent for one address. */
  ipCalc(address: string, prefix: string | undefined, signal?: AbortSignal): Promise<IpCalcInfo> {
    return wrap(this.api.ipCalcNetwork(address, prefix, signal)) as Promise<IpCalcInfo>
  }

  /** One page of a network's subnets. */
  subnets(
    address: string,
    prefix: string,
    newPrefix: number,
    offset: number,
    limit: number,
    signal?: AbortSignal,
  ): Promise<IpCalcSubnets> {
    return wrap(
      this.api.ipCalcSubnets(address, prefix, newPrefix, offset, limit, signal),
    ) as Promise<IpCalcSubnets>
  }

  /** The fewest blocks covering some networks. */
  aggregate(
    networks: ReadonlyArray<string>,
    signal?: AbortSignal,
  ): Promise<{ readonly networks: ReadonlyArray<string> }> {
    return wrap(this.api.ipCalcAggregate(networks, signal))
  }
}

/** Rejects with the API's problem (so pages show the server's own message). */
const wrap = async <A>(p: Promise<A>): Promise<A> => {
  try {
    return await p
  } catch (e) {
    throw Object.assign(new Error(toProblem(e).detail), {
      problem: toProblem(e),
      aborted: isAborted(e),
    })
  }
}

const isAborted = (e: unknown): boolean =>
  (e instanceof Error && e.name === "AbortError") ||
  (typeof e === "object" && e !== null && (e as { reason?: unknown }).reason === "Aborted")
