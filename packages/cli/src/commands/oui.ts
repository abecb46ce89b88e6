import { Oui, type ToolError as TE } from "@netwark/tools"
import { Effect, Either, Option } from "effect"
import { existsSync } from "node:fs"
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
  runEffect,
} from "../internal/command.js"

const usage = `Usage:
  netwark oui <mac|prefix> [--dir DIR] [--json]
  netwark oui - [--dir DIR]                           one MAC per line on stdin, JSON lines out
  netwark oui search <text> [--offset N] [--limit N] [--dir DIR] [--json]
  netwark oui info [--dir DIR] [--json]               which registry lookups use: source, date, counts
  netwark oui update [--base-url URL] [--dir DIR] [--timeout SECONDS] [--json]

Finds the vendor of a MAC address in the IEEE MA-L, MA-M and MA-S registries. Takes
aa:bb:cc:dd:ee:ff, aa-bb-cc-dd-ee-ff, aabb.ccdd.eeff, aabbccddeeff or a prefix of at least 6 hex
digits; the longest registered prefix (36, 28, then 24 bits) wins. A snapshot of the registry
ships with netwark; \`update\` downloads the current one from the IEEE.

Options:
  --dir DIR          data directory for updated registries (env NETWARK_OUI_DIR, else
                     $XDG_DATA_HOME/netwark/oui); lookups use it when it holds an update
  --json             machine-readable output
  --offset N         search: results to skip (default 0)
  --limit N          search: results to show (default 20)
  --base-url URL     update: where oui/oui.csv, oui28/mam.csv and oui36/oui36.csv are
                     (default https://standards-oui.ieee.org/)
  --timeout SECONDS  update: deadline per file (default 60)
`

/** What `parse` returns for these commands: util.parseArgs' typing loses the option names. */
interface Flags {
  readonly values: {
    readonly dir?: string
    readonly json?: boolean
    readonly offset?: string
    readonly limit?: string
    readonly timeout?: string
    readonly "base-url"?: string
  }
  readonly positionals: ReadonlyArray<string>
}

const fail = (io: Io, error: TE.ToolError): number => failWith(io, "oui", error)

const dirOf = (io: Io, dir: string | undefined): string => dir ?? Oui.dataDir(io.env)

const yesNo = (b: boolean): string => (b ? "yes" : "no")

const human = (m: Oui.Match): string => {
  const a = Option.getOrUndefined(m.assignment)
  return keyValueTable([
    ["MAC", m.bits === 48 ? m.mac : `${m.mac} (${m.bits}-bit prefix)`],
    ["Vendor", a?.organization.trim() ?? "(none)"],
    ["Address", a?.address],
    ["Registry", a && `${a.registry} ${a.prefix}/${a.bits}`],
    ["Locally administered", yesNo(m.locallyAdministered)],
    ["Multicast", yesNo(m.multicast)],
    ["Note", m.note],
  ])
}

const integer = (name: string, text: string | undefined, fallback: number): number => {
  if (text === undefined) return fallback
  if (!/^\d+$/.test(text)) throw new UsageError(`--${name} needs a whole number, got '${text}'`)
  return Number(text)
}

const loadRegistry = (io: Io, dir: string | undefined) =>
  Effect.runPromise(Effect.either(Oui.load({ dir: dirOf(io, dir) })))

const lookupCommand = async (argv: ReadonlyArray<string>, io: Io): Promise<number> => {
  const { values, positionals } = parse(argv, {
    dir: { type: "string" },
    json: { type: "boolean" },
  }) as Flags
  const [query, ...extra] = positionals
  if (query === undefined) throw new UsageError("a MAC address or prefix is required (see --help)")
  if (extra.length > 0)
    throw new UsageError(`one MAC at a time, or '-' for many (got '${extra.join(" ")}' too)`)
  const loaded = await loadRegistry(io, values.dir)
  if (Either.isLeft(loaded)) return fail(io, loaded.left)
  const registry = loaded.right
  if (query === "-") {
    // Bad lines are reported in the stream, not fatal, so one typo does not stop a batch.
    let bad = false
    for await (const line of lines(io)) {
      const r = Oui.lookup(registry, line)
      if (Either.isRight(r)) io.stdout(json(Oui.toJson(r.right), false))
      else {
        bad = true
        io.stdout(
          json({ input: line, error: { reason: r.left.reason, message: r.left.message } }, false),
        )
      }
    }
    return bad ? Exit.BadInput : Exit.Ok
  }
  const r = Oui.lookup(registry, query)
  if (Either.isLeft(r)) return fail(io, r.left)
  io.stdout(values.json === true ? json(Oui.toJson(r.right)) : human(r.right))
  return Exit.Ok
}

const searchCommand = async (argv: ReadonlyArray<string>, io: Io): Promise<number> => {
  const { values, positionals } = parse(argv, {
    offset: { type: "string" },
    limit: { type: "string" },
    dir: { type: "string" },
    json: { type: "boolean" },
  }) as Flags
  if (positionals.length === 0) throw new UsageError("search needs the text to look for")
  const offset = integer("offset", values.offset, 0)
  const limit = integer("limit", values.limit, 20)
  const loaded = await loadRegistry(io, values.dir)
  if (Either.isLeft(loaded)) return fail(io, loaded.left)
  const page = Oui.search(loaded.right, positionals.join(" "), { offset, limit })
  if (Either.isLeft(page)) return fail(io, page.left)
  const p = page.right
  if (values.json === true) {
    io.stdout(json(p))
    return Exit.Ok
  }
  if (p.items.length === 0) {
    io.stdout(
      p.total === 0
        ? `no organization matches '${p.query}'\n`
        : `${p.total} matches; none at offset ${p.offset}\n`,
    )
    return Exit.Ok
  }
  io.stdout(
    table(
      ["PREFIX", "REGISTRY", "ORGANIZATION", "ADDRESS"],
      p.items.map((a) => [`${a.prefix}/${a.bits}`, a.registry, a.organization.trim(), a.address]),
    ),
  )
  const last = p.offset + p.items.length
  io.stdout(
    `${p.offset + 1}-${last} of ${p.total}${last < p.total ? ` (next: --offset ${last} --limit ${p.limit})` : ""}\n`,
  )
  return Exit.Ok
}

const updateCommand = async (argv: ReadonlyArray<string>, io: Io): Promise<number> => {
  const { values, positionals } = parse(argv, {
    "base-url": { type: "string" },
    dir: { type: "string" },
    timeout: { type: "string" },
    json: { type: "boolean" },
  }) as Flags
  if (positionals.length > 0)
    throw new UsageError(`update takes no arguments (got '${positionals.join(" ")}')`)
  const timeout = integer("timeout", values.timeout, 60)
  const dir = dirOf(io, values.dir)
  const r = await runEffect(
    io,
    Effect.either(
      Oui.update({
        dir,
        timeout: `${timeout} seconds`,
        ...(values["base-url"] === undefined ? {} : { baseUrl: values["base-url"] }),
      }),
    ),
  )
  if (Either.isLeft(r)) return fail(io, r.left)
  const { meta, previous } = r.right
  if (values.json === true) {
    io.stdout(json(r.right))
    return Exit.Ok
  }
  const counts = (m: Oui.Meta) =>
    `MA-L ${m.counts["MA-L"]}, MA-M ${m.counts["MA-M"]}, MA-S ${m.counts["MA-S"]}`
  io.stdout(
    keyValueTable([
      ["Installed", r.right.snapshot],
      ["Source", meta.source],
      ["Date", meta.date],
      ["Assignments", counts(meta)],
      ["Before", previous && `${counts(previous)} (${previous.date})`],
    ]),
  )
  return Exit.Ok
}

const infoCommand = async (argv: ReadonlyArray<string>, io: Io): Promise<number> => {
  const { values } = parse(argv, { dir: { type: "string" }, json: { type: "boolean" } }) as Flags
  const dir = dirOf(io, values.dir)
  const loaded = await loadRegistry(io, values.dir)
  if (Either.isLeft(loaded)) return fail(io, loaded.left)
  const { meta } = loaded.right
  const file = Oui.installedSnapshotPath({ dir })
  // `load` reads the installed snapshot exactly when the file exists.
  const installed = existsSync(file)
  if (values.json === true) {
    io.stdout(
      json({ ...meta, file: installed ? file : Oui.bundledSnapshotPath(), bundled: !installed }),
    )
    return Exit.Ok
  }
  io.stdout(
    keyValueTable([
      [
        "Data",
        installed ? `${file} (installed by update)` : `${Oui.bundledSnapshotPath()} (bundled)`,
      ],
      ["Source", meta.source],
      ["Date", meta.date],
      ["MA-L", meta.counts["MA-L"]],
      ["MA-M", meta.counts["MA-M"]],
      ["MA-S", meta.counts["MA-S"]],
    ]),
  )
  return Exit.Ok
}

/** `netwark oui`: MAC vendor lookup, vendor search and registry updates. */
export const oui: Command = {
  name: "oui",
  summary: "Vendor of a MAC address (IEEE MA-L/MA-M/MA-S); `search` by name, `update` the registry",
  usage,
  run: async (argv, io) => {
    const [first, ...rest] = argv
    if (first === "search") return searchCommand(rest, io)
    if (first === "update") return updateCommand(rest, io)
    if (first === "info") return infoCommand(rest, io)
    return lookupCommand(argv, io)
  },
}
