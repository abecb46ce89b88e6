/**
 * The typed client of the Netwark REST API: one method per endpoint, named after the endpoint's
 * OpenAPI `operationId`, with request and answer types generated from the server's committed
 * `openapi.json`. Works wherever `fetch` does (Node 24, browsers, Deno, Bun).
 *
 * ```ts
 * const api = createClient({ baseUrl: "http://localhost:6543" })
 * const info = await api.ipCalcNetwork("192.168.1.10", "24")
 * ```
 *
 * @module
 */
import type { operations } from "./generated/openapi.js"
import { json, type Request, type Transport } from "./internal/http.js"

/** How to reach the server. */
export interface ClientOptions {
  /** The server's origin, e.g. `http://localhost:6543` (a trailing `/api/v1` is accepted too). */
  readonly baseUrl: string
  /** The `fetch` to use (default: the global one), e.g. to add auth or run in tests. */
  readonly fetch?: typeof globalThis.fetch
  /** Headers sent with every request (e.g. `authorization`). */
  readonly headers?: Readonly<Record<string, string>>
}

/** Per-call options. */
export interface CallOptions {
  /** Aborts the request; the call then fails with a `ClientError` of reason `Aborted`. */
  readonly signal?: AbortSignal
}

/** The generated description of every endpoint, keyed by `operationId`. */
export type Operations = operations

type JsonContent<R> = R extends { content: { "application/json": infer T } } ? T : never

/** The JSON answer of an endpoint for a status code (default 200). */
export type ResponseOf<
  K extends keyof Operations,
  S extends number = 200,
> = Operations[K]["responses"] extends infer Rs
  ? S extends keyof Rs
    ? JsonContent<Rs[S]>
    : never
  : never

/** The query parameters of an endpoint. */
export type QueryOf<K extends keyof Operations> = Operations[K]["parameters"] extends {
  query?: infer Q
}
  ? NonNullable<Q>
  : never

/** The JSON request body of an endpoint. */
export type BodyOf<K extends keyof Operations> = Operations[K] extends {
  requestBody: { content: { "application/json": infer B } }
}
  ? B
  : never

/** `GET /ip-calc/{address}` and `/{address}/{prefix}`: the full report of a network. */
export type IpCalcInfo = ResponseOf<"ipCalcNetwork">
/** `GET /ip-calc/{address}/{prefix}/subnets`: one page of subnets. */
export type IpCalcSubnets = ResponseOf<"ipCalcSubnets">
/** `GET /mac-oui/{mac}`: the holder of a MAC address. */
export type MacOuiMatch = ResponseOf<"macOuiLookup">
/** `GET /mac-oui`: one page of organization search results. */
export type MacOuiPage = ResponseOf<"macOuiSearch">
/** `GET /whois/{resource}`: a WHOIS/RDAP lookup. */
export type WhoisLookup = ResponseOf<"whoisLookup">
/** `GET /geoip/{ip}`: a GeoIP record. */
export type GeoIpRecord = ResponseOf<"geoIpLookup">

/** The API client: one method per endpoint. Every failure is a `ClientError`. */
export interface Client {
  /** `GET /ip-calc/{address}`: report on one address (a /32 or /128 host route). */
  readonly ipCalcAddress: (address: string, options?: CallOptions) => Promise<IpCalcInfo>
  /** `GET /ip-calc/{address}/{prefix}`: report on a network; `prefix` may be a netmask. */
  readonly ipCalcNetwork: (
    address: string,
    prefix: string | number,
    options?: CallOptions,
  ) => Promise<IpCalcInfo>
  /** `GET /ip-calc/{address}/{prefix}/subnets`: one page of the subnets of `newPrefix`. */
  readonly ipCalcSubnets: (
    address: string,
    prefix: string | number,
    query: QueryOf<"ipCalcSubnets">,
    options?: CallOptions,
  ) => Promise<IpCalcSubnets>
  /** `POST /ip-calc/aggregate`: the minimal CIDR blocks covering `networks`. */
  readonly ipCalcAggregate: (
    body: BodyOf<"ipCalcAggregate">,
    options?: CallOptions,
  ) => Promise<ResponseOf<"ipCalcAggregate">>
  /** `POST /ip-calc/contains`: whether `networks` together contain every one of `addresses`. */
  readonly ipCalcContains: (
    body: BodyOf<"ipCalcContains">,
    options?: CallOptions,
  ) => Promise<ResponseOf<"ipCalcContains">>
  /** `GET /ip-calc/range/{start}/{end}`: the fewest CIDR blocks covering the range. */
  readonly ipCalcRange: (
    start: string,
    end: string,
    options?: CallOptions,
  ) => Promise<ResponseOf<"ipCalcRange">>
  /** `GET /mac-oui?search=`: organizations whose name contains the search text. */
  readonly macOuiSearch: (
    query: QueryOf<"macOuiSearch">,
    options?: CallOptions,
  ) => Promise<MacOuiPage>
  /** `GET /mac-oui/{mac}`: the registered holder of a MAC address or prefix. */
  readonly macOuiLookup: (mac: string, options?: CallOptions) => Promise<MacOuiMatch>
  /** `GET /whois/{resource}`: domain, IP or AS registration (RDAP first, WHOIS fallback). */
  readonly whoisLookup: (
    resource: string,
    query?: QueryOf<"whoisLookup">,
    options?: CallOptions,
  ) => Promise<WhoisLookup>
  /** `GET /geoip/{ip}`: country, city, location and AS of an address. */
  readonly geoIpLookup: (ip: string, options?: CallOptions) => Promise<GeoIpRecord>
}

/** Normalizes the base URL: no trailing slash, no trailing API prefix (the paths carry it). */
const origin = (baseUrl: string): string => {
  const u = baseUrl.trim().replace(/\/+$/, "")
  return u.endsWith("/api/v1") ? u.slice(0, -"/api/v1".length) : u
}

/** Builds a client for the server at `options.baseUrl`. */
export const createClient = (options: ClientOptions): Client => {
  const t: Transport = {
    baseUrl: origin(options.baseUrl),
    fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    headers: options.headers ?? {},
  }
  const call = <A>(r: Request, o: CallOptions | undefined): Promise<A> =>
    json<A>(t, o?.signal === undefined ? r : { ...r, signal: o.signal })
  return {
    ipCalcAddress: (address, o) =>
      call({ method: "GET", path: "/api/v1/ip-calc/{address}", params: { address } }, o),
    ipCalcNetwork: (address, prefix, o) =>
      call(
        { method: "GET", path: "/api/v1/ip-calc/{address}/{prefix}", params: { address, prefix } },
        o,
      ),
    ipCalcSubnets: (address, prefix, query, o) =>
      call(
        {
          method: "GET",
          path: "/api/v1/ip-calc/{address}/{prefix}/subnets",
          params: { address, prefix },
          query,
        },
        o,
      ),
    ipCalcAggregate: (body, o) =>
      call({ method: "POST", path: "/api/v1/ip-calc/aggregate", body }, o),
    ipCalcContains: (body, o) =>
      call({ method: "POST", path: "/api/v1/ip-calc/contains", body }, o),
    ipCalcRange: (start, end, o) =>
      call(
        { method: "GET", path: "/api/v1/ip-calc/range/{start}/{end}", params: { start, end } },
        o,
      ),
    macOuiSearch: (query, o) => call({ method: "GET", path: "/api/v1/mac-oui", query }, o),
    macOuiLookup: (mac, o) =>
      call({ method: "GET", path: "/api/v1/mac-oui/{mac}", params: { mac } }, o),
    whoisLookup: (resource, query, o) =>
      call(
        {
          method: "GET",
          path: "/api/v1/whois/{resource}",
          params: { resource },
          ...(query === undefined ? {} : { query }),
        },
        o,
      ),
    geoIpLookup: (ip, o) => call({ method: "GET", path: "/api/v1/geoip/{ip}", params: { ip } }, o),
  }
}
