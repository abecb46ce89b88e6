import path from "node:path"
import { GeoIp, type ToolError as TE } from "@netwark/tools"
import { Effect, Either, Option, Redacted, Scope, Exit as EffectExit } from "effect"
import {
  Exit,
  UsageError,
  json,
  keyValueTable,
  lines,
  parse,
  table,
  type Command,
  type Io,
  failWith,
  errorJson,
  runEffect,
} from "../internal/command.js"

const usage = `Usage:
  netwark geoip <ip> [--city PATH] [--asn PATH] [--json]
  netwark geoip - [--city PATH] [--asn PATH]          one IP per line on stdin, JSON lines out
  netwark geoip info [--city PATH] [--asn PATH] [--json]
  netwark geoip update [--license-key KEY] [--account-id ID] [--edition ID]... [--base-url URL] [--dir DIR] [--json]

Looks addresses up in MaxMind DB files (GeoIP2/GeoLite2 City or Country, and ASN).

Options:
  --city PATH         City/Country database (env NETWARK_GEOIP_CITY)
  --asn PATH          ASN database (env NETWARK_GEOIP_ASN)
  --json              machine-readable output
  --license-key KEY   MaxMind licence key (env MAXMIND_LICENSE_KEY; the env keeps it out of ps)
  --account-id ID     MaxMind account id (env MAXMIND_ACCOUNT_ID), for the current download URL
  --edition ID        edition to download, repeatable (default GeoLite2-City and GeoLite2-ASN)
  --base-url URL      download URL template with {edition} (and {licenseKey} for the legacy
                      app/geoip_download scheme), or a bare origin
  --dir DIR           where update installs <edition>.mmdb (env NETWARK_GEOIP_DIR, else the
                      folder of NETWARK_GEOIP_CITY, else the current directory)
`

const lookupOptions = {
  city: { type: "string" },
  asn: { type: "string" },
  json: { type: "boolean" },
} as const

interface LookupFlags {
  readonly values: { readonly city?: string; readonly asn?: string; readonly json?: boolean }
  readonly positionals: ReadonlyArray<string>
}
interface UpdateFlags {
  readonly values: {
    readonly "license-key"?: string
    readonly "account-id"?: string
    readonly edition?: ReadonlyArray<string>
    readonly "base-url"?: string
    readonly dir?: string
    readonly json?: boolean
  }
  readonly positionals: ReadonlyArray<string>
}

const NO_DB =
  "no GeoIP database configured: pass --city PATH and/or --asn PATH, or set NETWARK_GEOIP_CITY / NETWARK_GEOIP_ASN (`netwark geoip update` downloads GeoLite2)"

const fail = (io: Io, error: TE.ToolError): number => failWith(io, "geoip", error)

const place = (code: string | undefined, name: string | undefined): string | undefined =>
  code === undefined ? name : name === undefined ? code : `${code} (${name})`

const human = (r: GeoIp.GeoIpRecord): string =>
  keyValueTable([
    ["IP", r.ip],
    ["Network", r.network],
    ["Country", place(r.country?.isoCode, r.country?.name)],
    [
      "Registered country",
      r.registeredCountry?.isoCode === r.country?.isoCode
        ? undefined
        : place(r.registeredCountry?.isoCode, r.registeredCountry?.name),
    ],
    ["Continent", place(r.continent?.code, r.continent?.name)],
    ["Subdivisions", r.subdivisions.map((s) => place(s.isoCode, s.name)).join(" / ")],
    ["City", r.city?.name],
    ["Postal code", r.postalCode],
    [
      "Location",
      r.location?.latitude === undefined || r.location.longitude === undefined
        ? undefined
        : `${r.location.latitude}, ${r.location.longitude}` +
          (r.location.accuracyRadius === undefined ? "" : ` (±${r.location.accuracyRadius} km)`),
    ],
    ["Time zone", r.location?.timeZone],
    [
      "ASN",
      r.asn &&
        `AS${r.asn.number}${r.asn.organization === undefined ? "" : ` ${r.asn.organization}`}`,
    ],
    ["ASN network", r.asn?.network === r.network ? undefined : r.asn?.network],
  ])

/** Opens the service in a scope the caller closes. */
const openService = async (
  io: Io,
  flags: { city?: string | undefined; asn?: string | undefined },
  watch: boolean,
): Promise<
  Either.Either<readonly [GeoIp.GeoIpService, Scope.CloseableScope], TE.ToolError | "none">
> => {
  const cityPath = flags.city ?? io.env["NETWARK_GEOIP_CITY"]
  const asnPath = flags.asn ?? io.env["NETWARK_GEOIP_ASN"]
  if ((cityPath ?? "") === "" && (asnPath ?? "") === "") return Either.left("none")
  const scope = Effect.runSync(Scope.make())
  const result = await Effect.runPromise(
    Effect.either(
      Scope.extend(
        GeoIp.make({
          ...(cityPath === undefined || cityPath === "" ? {} : { cityPath }),
          ...(asnPath === undefined || asnPath === "" ? {} : { asnPath }),
          watch,
        }),
        scope,
      ),
    ),
  )
  if (Either.isLeft(result)) {
    await Effect.runPromise(Scope.close(scope, EffectExit.void))
    return Either.left(result.left)
  }
  return Either.right([result.right, scope] as const)
}

const withService = async (
  io: Io,
  flags: { city?: string | undefined; asn?: string | undefined },
  watch: boolean,
  body: (geo: GeoIp.GeoIpService) => Promise<number>,
): Promise<number> => {
  const opened = await openService(io, flags, watch)
  if (Either.isLeft(opened)) {
    if (opened.left === "none") {
      io.stderr(`netwark geoip: ${NO_DB}\n`)
      return Exit.BadInput
    }
    return fail(io, opened.left)
  }
  const [geo, scope] = opened.right
  try {
    return await body(geo)
  } finally {
    await Effect.runPromise(Scope.close(scope, EffectExit.void))
  }
}

const lookupCommand = async (argv: ReadonlyArray<string>, io: Io): Promise<number> => {
  const { values, positionals } = parse(argv, lookupOptions) as LookupFlags
  if (positionals.length !== 1) {
    throw new UsageError(
      positionals.length === 0
        ? "give an IP address, or - to read them from stdin"
        : "give one IP address (or - for a batch)",
    )
  }
  const query = positionals[0] as string
  if (query === "-") {
    return withService(io, values, true, async (geo) => {
      for await (const ip of lines(io)) {
        const r = await Effect.runPromise(Effect.either(geo.lookup(ip)))
        io.stdout(
          json(
            Either.match(r, {
              onLeft: (e) => ({ ip, error: errorJson(e) }),
              onRight: Option.match({
                onNone: () => ({ ip, found: false }),
                onSome: (rec) => ({ found: true, ...rec }),
              }),
            }),
            false,
          ),
        )
      }
      return Exit.Ok
    })
  }
  return withService(io, values, false, async (geo) => {
    const r = await Effect.runPromise(Effect.either(geo.lookup(query)))
    if (Either.isLeft(r)) return fail(io, r.left)
    if (Option.isNone(r.right)) {
      if (values.json === true) io.stdout(json({ ip: query, found: false }))
      io.stderr(`netwark geoip: ${query} is not in the configured databases\n`)
      return Exit.Failed
    }
    io.stdout(values.json === true ? json({ found: true, ...r.right.value }) : human(r.right.value))
    return Exit.Ok
  })
}

const infoCommand = async (argv: ReadonlyArray<string>, io: Io): Promise<number> => {
  const { values, positionals } = parse(argv, lookupOptions) as LookupFlags
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`)
  return withService(io, values, false, async (geo) => {
    const status = await Effect.runPromise(geo.status)
    if (values.json === true) {
      io.stdout(json(status))
      return Exit.Ok
    }
    const rows = (["city", "asn"] as const).flatMap((kind) => {
      const s = status[kind]
      return s === undefined
        ? []
        : [
            [
              kind,
              s.metadata.databaseType,
              s.metadata.buildEpoch,
              `IPv${s.metadata.ipVersion}`,
              s.metadata.nodeCount,
              s.path,
            ],
          ]
    })
    io.stdout(table(["DB", "Type", "Built", "IP", "Nodes", "Path"], rows))
    return Exit.Ok
  })
}

const updateCommand = async (argv: ReadonlyArray<string>, io: Io): Promise<number> => {
  const { values, positionals } = parse(argv, {
    "license-key": { type: "string" },
    "account-id": { type: "string" },
    edition: { type: "string", multiple: true },
    "base-url": { type: "string" },
    dir: { type: "string" },
    json: { type: "boolean" },
  }) as UpdateFlags
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`)
  const key = values["license-key"] ?? io.env["MAXMIND_LICENSE_KEY"]
  if (key === undefined || key.trim() === "") {
    throw new UsageError(
      "a MaxMind licence key is needed: --license-key KEY or env MAXMIND_LICENSE_KEY",
    )
  }
  const accountId = values["account-id"] ?? io.env["MAXMIND_ACCOUNT_ID"]
  const city = io.env["NETWARK_GEOIP_CITY"]
  const dir = values.dir ?? io.env["NETWARK_GEOIP_DIR"] ?? (city ? path.dirname(city) : ".")
  const result = await runEffect(
    io,
    Effect.either(
      GeoIp.updateDatabases({
        licenseKey: Redacted.make(key),
        dir,
        ...(accountId === undefined || accountId === "" ? {} : { accountId }),
        ...(values.edition === undefined ? {} : { editionIds: values.edition }),
        ...(values["base-url"] === undefined ? {} : { baseUrl: values["base-url"] }),
      }),
    ),
  )
  if (Either.isLeft(result)) return fail(io, result.left)
  const installed = result.right
  io.stdout(
    values.json === true
      ? json(installed)
      : table(
          ["Edition", "Built", "Nodes", "Path"],
          installed.map((d) => [d.editionId, d.metadata.buildEpoch, d.metadata.nodeCount, d.path]),
        ),
  )
  return Exit.Ok
}

/** `netwark geoip`: GeoIP2/GeoLite2 City and ASN lookups, database info and GeoLite2 updates. */
export const geoip: Command = {
  name: "geoip",
  summary: "Country, city and ASN of an IP from MaxMind DB files; `update` downloads GeoLite2",
  usage,
  run: async (argv, io) => {
    const [first, ...rest] = argv
    if (first === "update") return updateCommand(rest, io)
    if (first === "info") return infoCommand(rest, io)
    return lookupCommand(argv, io)
  },
}
