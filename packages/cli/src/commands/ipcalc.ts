import { IpCalc, type ToolError as TE } from "@netwark/tools"
import { Either } from "effect"
import {
  Exit,
  UsageError,
  json,
  keyValueTable,
  lines,
  parse,
  type Command,
  type Io,
  failWith,
} from "../internal/command.js"

const usage = `Usage:
  netwark ipcalc <cidr | addr netmask | addr> [--json]
  netwark ipcalc -                                  one query per line on stdin, JSON lines out
  netwark ipcalc --split <prefix> [--offset N] [--limit N] <cidr> [--json]
  netwark ipcalc --aggregate <cidr>... [--json]     (no prefixes, or '-': read them from stdin)
  netwark ipcalc --range <start-end> [--json]       also: --range <start> <end>
  netwark ipcalc --contains <cidr> <addr|cidr> [--json]
  netwark ipcalc --overlaps <cidr> <cidr> [--json]

IPv4 and IPv6 subnet calculator. A query is addr/prefix, addr/netmask, "addr netmask" (also as two
arguments) or a bare address (a host route, /32 or /128). Host bits may be set: the address is kept
and reported. Usable hosts follow Python's ipaddress hosts(): IPv4 leaves out the network and
broadcast addresses except on /31 and /32; IPv6 leaves out only the Subnet-Router anycast address
(the network address) except on /127 and /128. Counts are exact decimals.

Options:
  --json             machine-readable output
  --split PREFIX     list the subnets of length PREFIX, one page at a time
  --offset N         split: subnets to skip (default 0)
  --limit N          split: subnets to show (default 256, at most ${IpCalc.MAX_SPLIT_LIMIT})
  --aggregate        merge prefixes into the fewest CIDR blocks covering the same addresses
  --range            the fewest CIDR blocks covering an address range
  --contains         whether the first network contains the address or network
  --overlaps         whether two networks share any address
`

/** What `parse` returns here: util.parseArgs' typing loses the option names. */
interface Flags {
  readonly values: {
    readonly json?: boolean
    readonly split?: string
    readonly offset?: string
    readonly limit?: string
    readonly aggregate?: boolean
    readonly range?: boolean
    readonly contains?: boolean
    readonly overlaps?: boolean
  }
  readonly positionals: ReadonlyArray<string>
}

const fail = (io: Io, error: TE.ToolError): number => failWith(io, "ipcalc", error)

const integer = (name: string, text: string | undefined): number | undefined => {
  if (text === undefined) return undefined
  if (!/^\d+$/.test(text)) throw new UsageError(`--${name} needs a whole number, got '${text}'`)
  // past 2^53 a number is no longer exact (it was reported as "offset 1e+23 …")
  if (!Number.isSafeInteger(Number(text)))
    throw new UsageError(`--${name} must be at most ${Number.MAX_SAFE_INTEGER}, got '${text}'`)
  return Number(text)
}

const yesNo = (b: boolean): string => (b ? "yes" : "no")

/** The human report: ipcalc-style key/value rows. */
const human = (r: IpCalc.Info): string => {
  const v6 = r.version === 6
  const type = (t: IpCalc.AddressType) =>
    t.kind === "mixed"
      ? t.name
      : `${t.name} (${[t.rfc, t.block].filter((x) => x !== "").join(", ")})`
  const e = r.embeddedIpv4
  return keyValueTable([
    ["Address", r.address + (r.zone === null ? "" : `%${r.zone}`)],
    ["Expanded", v6 ? r.expanded.address : undefined],
    ["Network", r.cidr],
    ["Netmask", `${r.netmask} = ${r.prefix}`],
    ["Wildcard", r.wildcard],
    ["Broadcast", r.broadcast],
    ["Last address", v6 ? r.lastAddress : undefined],
    ["First host", r.firstHost],
    ["Last host", r.lastHost],
    ["Addresses", r.addresses],
    ["Usable hosts", r.usableHosts],
    ["Host bits set", r.hostBitsSet ? "yes (the address is not the network address)" : "no"],
    ["Network type", type(r.type)],
    ["Address type", r.addressType.block === r.type.block ? undefined : type(r.addressType)],
    [
      "Embedded IPv4",
      e === null
        ? undefined
        : e.kind === "teredo"
          ? `${e.address} port ${e.port} (Teredo, server ${e.server})`
          : `${e.address} (${e.kind})`,
    ],
    ["Global", yesNo(r.flags.address.global)],
    ["Reverse zone", r.reverse.zone],
    ["PTR", r.reverse.ptr],
    ["Binary address", r.binary.address],
    ["Binary netmask", r.binary.netmask],
    ["Decimal", r.decimal],
  ])
}

const errorLine = (input: string, e: TE.ToolError) =>
  json({ input, error: { reason: e.reason, field: e.field, message: e.message } }, false)

/** `-`: one query per line; a bad line is reported in the stream and the batch goes on. */
const batch = async (io: Io): Promise<number> => {
  let bad = false
  for await (const line of lines(io)) {
    const r = IpCalc.info(line.replace(/\s+/g, " "))
    if (Either.isRight(r)) io.stdout(json(r.right, false))
    else {
      bad = true
      io.stdout(errorLine(line, r.left))
    }
  }
  return bad ? Exit.BadInput : Exit.Ok
}

const readAll = async (io: Io): Promise<Array<string>> => {
  const out: Array<string> = []
  for await (const line of lines(io)) out.push(...line.split(/[\s,]+/).filter((x) => x !== ""))
  return out
}

const list = (io: Io, asJson: boolean, items: ReadonlyArray<string>) =>
  io.stdout(asJson ? json(items) : items.map((x) => x + "\n").join(""))

const exactly = (n: number, what: string, positionals: ReadonlyArray<string>) => {
  if (positionals.length !== n)
    throw new UsageError(
      `${what} (got ${positionals.length} argument${positionals.length === 1 ? "" : "s"})`,
    )
}

const run = async (argv: ReadonlyArray<string>, io: Io): Promise<number> => {
  const { values, positionals } = parse(argv, {
    json: { type: "boolean" },
    split: { type: "string" },
    offset: { type: "string" },
    limit: { type: "string" },
    aggregate: { type: "boolean" },
    range: { type: "boolean" },
    contains: { type: "boolean" },
    overlaps: { type: "boolean" },
  }) as Flags
  const asJson = values.json === true
  const modes = [
    values.split !== undefined,
    values.aggregate,
    values.range,
    values.contains,
    values.overlaps,
  ].filter((x) => x === true)
  if (modes.length > 1)
    throw new UsageError("choose one of --split, --aggregate, --range, --contains, --overlaps")
  if ((values.offset !== undefined || values.limit !== undefined) && values.split === undefined)
    throw new UsageError("--offset and --limit go with --split")

  if (values.split !== undefined) {
    exactly(1, "--split takes one network", positionals)
    const prefix = integer("split", values.split.replace(/^\//, ""))!
    const offset = integer("offset", values.offset)
    const limit = integer("limit", values.limit)
    const r = IpCalc.split(positionals[0]!, prefix, {
      ...(offset === undefined ? {} : { offset }),
      ...(limit === undefined ? {} : { limit }),
    })
    if (Either.isLeft(r)) return fail(io, r.left)
    const s = r.right
    if (asJson) io.stdout(json(s))
    else {
      io.stdout(s.subnets.map((x) => x + "\n").join(""))
      const shown =
        s.subnets.length === 0 ? "none" : `${s.offset + 1}-${s.offset + s.subnets.length}`
      const next = s.nextOffset === null ? "" : `; next page: --offset ${s.nextOffset}`
      io.stderr(`${s.network} has ${s.total} /${s.newPrefix} subnets; showing ${shown}${next}\n`)
    }
    return Exit.Ok
  }

  if (values.aggregate === true) {
    const items =
      positionals.length === 0 || (positionals.length === 1 && positionals[0] === "-")
        ? await readAll(io)
        : [...positionals]
    if (items.length === 0)
      throw new UsageError("--aggregate needs prefixes, as arguments or on stdin")
    const r = IpCalc.aggregate(items)
    if (Either.isLeft(r)) return fail(io, r.left)
    list(io, asJson, r.right)
    return Exit.Ok
  }

  if (values.range === true) {
    if (positionals.length < 1 || positionals.length > 2)
      throw new UsageError("--range takes start-end, or start end")
    const r =
      positionals.length === 2
        ? IpCalc.range(positionals[0]!, positionals[1]!)
        : IpCalc.range(positionals[0]!)
    if (Either.isLeft(r)) return fail(io, r.left)
    list(io, asJson, r.right)
    return Exit.Ok
  }

  if (values.contains === true || values.overlaps === true) {
    const name = values.contains === true ? "contains" : "overlaps"
    exactly(2, `--${name} takes two networks`, positionals)
    const [a, b] = positionals as [string, string]
    const r = name === "contains" ? IpCalc.contains(a, b) : IpCalc.overlaps(a, b)
    if (Either.isLeft(r)) return fail(io, r.left)
    io.stdout(asJson ? json({ [name]: r.right, a, b }) : `${yesNo(r.right)}\n`)
    return Exit.Ok
  }

  if (positionals.length === 0)
    throw new UsageError("a network or address is required (see --help)")
  if (positionals[0] === "-") {
    exactly(1, "'-' reads the queries from stdin and takes no other argument", positionals)
    return batch(io)
  }
  if (positionals.length > 2)
    throw new UsageError(`one query at a time, or '-' for many (got '${positionals.join(" ")}')`)
  // "addr netmask" may come as one argument or two.
  const r = IpCalc.info(positionals.join(" "))
  if (Either.isLeft(r)) return fail(io, r.left)
  io.stdout(asJson ? json(r.right) : human(r.right))
  return Exit.Ok
}

/** `netwark ipcalc`: the subnet calculator. */
export const ipcalc: Command = {
  name: "ipcalc",
  summary: "IPv4/IPv6 subnet calculator: ranges, hosts, split, aggregate",
  usage,
  run,
}
