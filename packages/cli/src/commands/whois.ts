import { GeoIp, Rdap, Whois, type ToolError as TE } from "@netwark/tools"
import { Duration, Effect, Either, Option } from "effect"
import {
  Exit,
  UsageError,
  batch,
  json,
  keyValueTable,
  parse,
  type Command,
  type Io,
  errorJson,
  exitCodeOf,
  runEffect,
} from "../internal/command.js"

const usage = `Usage:
  netwark whois <domain|ip|asn> [--json] [--raw] [--no-rdap] [--server host[:port]] [--timeout 10s]
  netwark whois - [options]          one query per line on stdin, JSON lines out
  netwark whois update-bootstrap --rdap-data DIR [--base-url URL] [--json]

Looks a domain, IP address or AS number up: RDAP where the IANA bootstrap names a server, WHOIS
(port 43, from whois.iana.org or the RIR, following referrals) otherwise or when RDAP fails.

Options:
  --json              machine-readable output (the normalized record, raw answer and server chain)
  --raw               print the raw answer (WHOIS text or RDAP JSON) instead of the table
  --no-rdap           WHOIS only
  --server HOST[:PORT]  ask this WHOIS server first (skips IANA, the RIR choice and RDAP)
  --timeout DURATION  per-server deadline, e.g. 10s, 500ms, 1m (default 10s)
  --rdap-data DIR     RDAP bootstrap dir written by Rdap.updateBootstrap (env NETWARK_RDAP_DATA)
  --geoip-city PATH   enrich IP results from a City database (env NETWARK_GEOIP_CITY)
  --geoip-asn PATH    enrich IP results from an ASN database (env NETWARK_GEOIP_ASN)
  --base-url URL      update-bootstrap: where dns/ipv4/ipv6/asn.json live
                      (default https://data.iana.org/rdap/)
`

const options = {
  json: { type: "boolean" },
  raw: { type: "boolean" },
  "no-rdap": { type: "boolean" },
  server: { type: "string" },
  timeout: { type: "string" },
  "rdap-data": { type: "string" },
  "geoip-city": { type: "string" },
  "geoip-asn": { type: "string" },
  "base-url": { type: "string" },
} as const

interface Flags {
  readonly values: {
    readonly json?: boolean
    readonly raw?: boolean
    readonly "no-rdap"?: boolean
    readonly server?: string
    readonly timeout?: string
    readonly "rdap-data"?: string
    readonly "geoip-city"?: string
    readonly "geoip-asn"?: string
    readonly "base-url"?: string
  }
  readonly positionals: ReadonlyArray<string>
}

/** `10s`, `500ms`, `1m`, `2.5s` or bare seconds → milliseconds. */
const parseTimeout = (text: string): number => {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m)?$/.exec(text.trim())
  const ms = m === null ? NaN : Number(m[1]) * (m[2] === "ms" ? 1 : m[2] === "m" ? 60_000 : 1000)
  if (!Number.isFinite(ms) || ms <= 0 || ms > 600_000) {
    throw new UsageError(
      `--timeout "${text}" is not a duration between 1ms and 10m (e.g. 10s, 500ms)`,
    )
  }
  return ms
}

/** GeoIP facts added to IP results. */
interface GeoFacts {
  readonly country?: string | undefined
  readonly city?: string | undefined
  readonly asn?: number | undefined
  readonly asOrganization?: string | undefined
  readonly network?: string | undefined
}

type Geo = (ip: string) => GeoFacts | undefined

const openGeo = async (
  city: string | undefined,
  asn: string | undefined,
): Promise<Either.Either<Geo | undefined, TE.ToolError>> => {
  if ((city ?? "") === "" && (asn ?? "") === "") return Either.right(undefined)
  const opened = await Effect.runPromise(
    Effect.either(
      Effect.all({
        city:
          city === undefined || city === "" ? Effect.succeed(undefined) : GeoIp.openDatabase(city),
        asn: asn === undefined || asn === "" ? Effect.succeed(undefined) : GeoIp.openDatabase(asn),
      }),
    ),
  )
  if (Either.isLeft(opened)) return Either.left(opened.left)
  const dbs = {
    ...(opened.right.city === undefined ? {} : { city: opened.right.city }),
    ...(opened.right.asn === undefined ? {} : { asn: opened.right.asn }),
  }
  return Either.right((ip: string) => {
    const r = GeoIp.lookupIn(dbs, ip)
    if (Either.isLeft(r) || Option.isNone(r.right)) return undefined
    const g = r.right.value
    return {
      country: g.country?.isoCode,
      city: g.city?.name,
      asn: g.asn?.number,
      asOrganization: g.asn?.organization,
      network: g.network,
    }
  })
}

const list = (xs: ReadonlyArray<string>): string | undefined =>
  xs.length === 0 ? undefined : xs.join(", ")

const recordRows = (
  r: Whois.WhoisRecord,
): Array<readonly [string, string | number | boolean | undefined]> => {
  switch (r.kind) {
    case "domain":
      return [
        ["Domain", r.domain],
        ["Available", r.available ? "yes (not registered)" : undefined],
        ["Registrar", r.registrar],
        ["WHOIS server", r.whoisServer],
        ["Created", r.created],
        ["Updated", r.updated],
        ["Expires", r.expires],
        ["Status", list(r.status)],
        ["Name servers", list(r.nameServers)],
        ["DNSSEC", r.dnssec],
        ["Registrant", r.registrant.organization],
        ["Registrant country", r.registrant.country],
        ["Abuse email", r.abuse.email],
        ["Abuse phone", r.abuse.phone],
      ]
    case "ip":
      return [
        ["Range", r.range === undefined ? undefined : `${r.range.start} - ${r.range.end}`],
        ["CIDR", list(r.cidrs)],
        ["Net name", r.netName],
        ["Handle", r.handle],
        ["Organization", r.organization],
        ["Country", r.country],
        ["RIR", r.rir?.toUpperCase()],
        ["Origin AS", r.asn === undefined ? undefined : `AS${r.asn}`],
        ["Parent", r.parent],
        ["Reverse DNS", r.reverseName],
        ["Abuse email", r.abuse.email],
        ["Abuse phone", r.abuse.phone],
      ]
    case "asn":
      return [
        ["AS number", r.asn === undefined ? undefined : `AS${r.asn}`],
        ["Name", r.name],
        ["Organization", r.organization],
        ["Country", r.country],
        ["RIR", r.rir?.toUpperCase()],
        [
          "Routes",
          r.routes.length === 0
            ? undefined
            : `${r.routes.length} (${r.routes.slice(0, 5).join(", ")}${r.routes.length > 5 ? ", …" : ""})`,
        ],
      ]
  }
}

const human = (r: Whois.LookupResult, geo: GeoFacts | undefined): string => {
  const rows = [
    ["Query", r.query === r.normalized ? r.query : `${r.query} (${r.normalized})`] as const,
    ["Source", r.source.toUpperCase()] as const,
    ...recordRows(r.record),
    ...(geo === undefined
      ? []
      : ([
          ["GeoIP country", geo.country],
          ["GeoIP city", geo.city],
          [
            "GeoIP AS",
            geo.asn === undefined
              ? undefined
              : `AS${geo.asn}${geo.asOrganization === undefined ? "" : ` ${geo.asOrganization}`}`,
          ],
        ] as const)),
  ]
  const chain = r.chain
    .map((s, i) => {
      const via = s.address === undefined ? "" : ` via ${s.address}`
      const tail =
        s.error !== undefined
          ? ` failed: ${s.error}`
          : `${s.bytes} bytes${s.referral === undefined ? "" : `, refers to ${s.referral}`}`
      return `  ${i + 1}. ${s.protocol} ${s.server}${via}: ${tail}`
    })
    .join("\n")
  return `${keyValueTable(rows)}\nServers:\n${chain}\n`
}

const toJson = (r: Whois.LookupResult, geo: GeoFacts | undefined, withStepRaw: boolean) => ({
  query: r.query,
  normalized: r.normalized,
  kind: r.kind,
  source: r.source,
  status: r.status,
  record: r.record,
  ...(geo === undefined ? {} : { geoip: geo }),
  chain: r.chain.map(({ raw, ...step }) => (withStepRaw ? { ...step, raw } : step)),
  raw: r.raw,
})

/** `netwark whois`: WHOIS/RDAP lookup of a domain, IP address or AS number. */
export const whois: Command = {
  name: "whois",
  summary: "WHOIS/RDAP lookup of a domain, IP address or AS number",
  usage,
  run: async (argv: ReadonlyArray<string>, io: Io): Promise<number> => {
    const { values, positionals } = parse(argv, options) as Flags
    if (positionals.length !== 1) {
      throw new UsageError(
        positionals.length === 0
          ? "give a domain, IP address or AS number, or - to read them from stdin"
          : "give one query (or - for a batch)",
      )
    }
    const timeoutMs = values.timeout === undefined ? 10_000 : parseTimeout(values.timeout)
    const rdapData = values["rdap-data"] ?? io.env["NETWARK_RDAP_DATA"]
    if (positionals[0] === "update-bootstrap") {
      if (rdapData === undefined || rdapData === "") {
        throw new UsageError("update-bootstrap needs --rdap-data DIR (or NETWARK_RDAP_DATA)")
      }
      const r = await runEffect(
        io,
        Effect.either(
          Rdap.updateBootstrap({
            dataDir: rdapData,
            baseUrl: values["base-url"],
            timeout: Duration.millis(Math.max(timeoutMs, 30_000)),
          }),
        ),
      )
      if (Either.isLeft(r)) {
        io.stderr(`netwark whois: ${r.left.message}\n`)
        return exitCodeOf(r.left)
      }
      io.stdout(
        values.json === true
          ? json({ dataDir: rdapData, publication: r.right })
          : keyValueTable(
              Object.entries(r.right).map(([k, v]) => [`${k}.json`, v ?? "(no publication date)"]),
            ),
      )
      return Exit.Ok
    }
    const lookupOptions: Whois.Options = {
      timeout: Duration.millis(timeoutMs),
      connectTimeout: Duration.millis(Math.min(timeoutMs, 5_000)),
      ...(values.server === undefined ? {} : { server: values.server }),
      rdap:
        values["no-rdap"] === true
          ? false
          : rdapData === undefined || rdapData === ""
            ? true
            : { dataDir: rdapData },
    }
    const geoOpened = await openGeo(
      values["geoip-city"] ?? io.env["NETWARK_GEOIP_CITY"],
      values["geoip-asn"] ?? io.env["NETWARK_GEOIP_ASN"],
    )
    if (Either.isLeft(geoOpened)) {
      io.stderr(`netwark whois: ${geoOpened.left.message}\n`)
      return exitCodeOf(geoOpened.left)
    }
    const geoOf = (r: Whois.LookupResult): GeoFacts | undefined =>
      r.kind === "ip" && geoOpened.right !== undefined ? geoOpened.right(r.normalized) : undefined
    const query = positionals[0] as string
    if (query === "-")
      return batch(
        io,
        "query",
        (q) => Whois.lookup(q, lookupOptions),
        (v) => toJson(v, geoOf(v), values.raw === true),
      )
    const r = await runEffect(io, Effect.either(Whois.lookup(query, lookupOptions)))
    if (Either.isLeft(r)) {
      if (values.json === true) io.stdout(json({ query, error: errorJson(r.left) }))
      io.stderr(`netwark whois: ${r.left.message}\n`)
      return exitCodeOf(r.left)
    }
    const geo = geoOf(r.right)
    if (values.json === true) io.stdout(json(toJson(r.right, geo, values.raw === true)))
    else if (values.raw === true)
      io.stdout(r.right.raw.endsWith("\n") ? r.right.raw : `${r.right.raw}\n`)
    else io.stdout(human(r.right, geo))
    return Exit.Ok
  },
}
