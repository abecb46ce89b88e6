import { Mtr, type ToolError as TE } from "@netwark/tools"
import { Effect, Either, Stream } from "effect"
import {
  Exit,
  UsageError,
  json,
  lines,
  parse,
  table,
  type Command,
  type Io,
  numberFlag,
  type FlagValues,
  failWith,
  runEffect,
  errorJson,
} from "../internal/command.js"
import { apiOptions, isServerUrl, remoteFlags, runRemote } from "../internal/remote.js"

const usage = `Usage:
  netwark mtr TARGET [--cycles N] [--size N] [--protocol icmp|udp|tcp] [--port N] [-4|-6]
                     [--max-hops N] [--interval S] [--dns] [--json]
  netwark mtr - [options]          one target per line on stdin, JSON lines out
  netwark mtr TARGET --server URL [--queue Q ...] [options]
                                   run by the workers of a Netwark server, live

Traces the path to TARGET with mtr, printing hops as they answer, then a table with every
responding address per hop (equal-cost paths show several), loss and RTT statistics.

Options:
  -c, --cycles N      probes per hop, 1–100 (default 10)
  -s, --size N        packet size in bytes, 28–9000
  --protocol P        icmp (default), udp or tcp
  -P, --port N        destination port for udp/tcp, 1–65535
  -4, -6              force IPv4 or IPv6
  -m, --max-hops N    maximum TTL, 1–64 (default 30)
  -i, --interval S    seconds between cycles, 0.1–60 (default 1)
  --dns               resolve hop addresses to names (off by default: no DNS traffic)
  --json              print the parsed result as JSON (with --server: the stored operation)
  --server URL        run through the Netwark server at URL (http or https) and print its workers'
                      progress and results as they arrive
  --queue Q           send to queue Q (repeatable); default: every worker (broadcast)

Exit status: 0 when mtr produced a result (loss included), 1 when it failed (unknown host,
mtr missing, timeout), 2 for bad input.
`

const flags = {
  cycles: { type: "string", short: "c" },
  size: { type: "string", short: "s" },
  protocol: { type: "string" },
  port: { type: "string", short: "P" },
  ipv4: { type: "boolean", short: "4" },
  ipv6: { type: "boolean", short: "6" },
  "max-hops": { type: "string", short: "m" },
  interval: { type: "string", short: "i" },
  dns: { type: "boolean" },
  json: { type: "boolean" },
  ...remoteFlags,
} as const

type Values = FlagValues<typeof flags>

const toOptions = (v: Values): Mtr.Options => {
  if (v.ipv4 === true && v.ipv6 === true) throw new UsageError("-4 and -6 exclude each other")
  const cycles = numberFlag("cycles", v.cycles)
  const packetSize = numberFlag("size", v.size)
  const port = numberFlag("port", v.port)
  const maxHops = numberFlag("max-hops", v["max-hops"])
  const interval = numberFlag("interval", v.interval)
  return {
    ...(cycles !== undefined ? { cycles } : {}),
    ...(packetSize !== undefined ? { packetSize } : {}),
    ...(v.protocol !== undefined ? { protocol: v.protocol as Mtr.Protocol } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(v.ipv4 === true
      ? { ipVersion: 4 as const }
      : v.ipv6 === true
        ? { ipVersion: 6 as const }
        : {}),
    ...(maxHops !== undefined ? { maxHops } : {}),
    ...(interval !== undefined ? { interval: `${Math.round(interval * 1000)} millis` } : {}),
    ...(v.dns === true ? { noDns: false } : {}),
  }
}

// the tool's option names that differ from this command's flags
const flagNames = { packetSize: "--size", maxHops: "--max-hops" }

const fail = (io: Io, error: TE.ToolError): number => failWith(io, "mtr", error, flagNames)

const fixed = (n: number | null) => (n === null ? "-" : n.toFixed(1))

const hostText = (h: Mtr.Host) =>
  h.hostname !== undefined ? `${h.hostname} (${h.address ?? "?"})` : (h.address ?? "?")

/** The final table: one row per host, the hop's figures on its first row. */
export const hopTable = (hops: ReadonlyArray<Mtr.Hop>): string =>
  table(
    ["Hop", "Host", "Loss%", "Snt", "Last", "Avg", "Best", "Wrst", "StDev"],
    hops.flatMap((h) => {
      if (h.hosts.length === 0)
        return [
          [`${h.hop}.`, "???", `${h.lossPercent.toFixed(1)}%`, h.sent, "-", "-", "-", "-", "-"],
        ]
      return h.hosts.map((x, i) => [
        i === 0 ? `${h.hop}.` : "",
        hostText(x) + (x.asn !== undefined ? ` AS${x.asn}` : ""),
        i === 0 ? `${h.lossPercent.toFixed(1)}%` : "",
        i === 0 ? h.sent : "",
        fixed(x.last),
        fixed(x.avg),
        fixed(x.best),
        fixed(x.worst),
        fixed(x.stdev),
      ])
    }),
  )

/** A line for each address of `hop` not in `seen` (which it adds), as mtr's hops answer. */
const newHosts = (hop: Mtr.Hop, seen: Set<string>): Array<string> =>
  hop.hosts.flatMap((h) => {
    const key = `${hop.hop} ${h.address ?? h.hostname ?? ""}`
    if (seen.has(key)) return []
    seen.add(key)
    return [`${String(hop.hop).padStart(2)}. ${hostText(h)}  ${fixed(h.last)} ms\n`]
  })

/** `netwark mtr`: mtr with hops printed as they answer, then a table, JSON, or a batch. */
export const mtr: Command = {
  name: "mtr",
  summary: "trace the path to a host with mtr: every address per hop, loss and RTT",
  usage,
  run: async (argv, io) => {
    const parsed = parse(argv, flags)
    // parseArgs loses the value types for some option tables; the shape is the flags table.
    const values = parsed.values as Values
    const positionals = parsed.positionals
    const options = toOptions(values)
    if (positionals.length !== 1)
      throw new UsageError(positionals.length === 0 ? "missing TARGET" : "one TARGET at a time")
    const target = positionals[0]!
    if (isServerUrl(values.server)) {
      if (target === "-") throw new UsageError("--server runs one TARGET at a time, not -")
      const remoteSeen = new Map<string, Set<string>>()
      return runRemote(
        {
          command: "mtr",
          flagNames,
          type: "mtr",
          target,
          options: apiOptions.mtr(values),
          server: values.server,
          queues: values.queue ?? [],
          json: values.json === true,
          // Each record is every hop so far: print, as locally, an address the first time it
          // answers at a hop (it printed nothing until the table at the end).
          render: {
            progress: (d, run) => {
              const p = d as { type?: string; hops?: ReadonlyArray<Mtr.Hop> }
              if (p.type !== "mtr" || p.hops === undefined) return undefined
              const seen = remoteSeen.get(run) ?? new Set<string>()
              remoteSeen.set(run, seen)
              const lines = p.hops.flatMap((h) => newHosts(h, seen))
              return lines.length === 0 ? undefined : lines.join("")
            },
            result: (r) => hopTable((r as Mtr.Result).hops),
          },
        },
        io,
      )
    }
    if (values.server !== undefined) throw new UsageError("--server must be an http(s) URL")
    if (target === "-") {
      for await (const line of lines(io)) {
        const r = await runEffect(io, Effect.either(Mtr.run(line, options)))
        io.stdout(
          json(
            Either.match(r, {
              onLeft: (e) => ({ target: line, error: errorJson(e) }),
              onRight: (result) => ({ ...result, target: line }),
            }),
            false,
          ),
        )
      }
      return Exit.Ok
    }
    const valid = Mtr.validate(options)
    if (Either.isLeft(valid)) return fail(io, valid.left)
    if (values.json === true) {
      const r = await runEffect(io, Effect.either(Mtr.run(target, options)))
      if (Either.isLeft(r)) return fail(io, r.left)
      io.stdout(json(r.right))
      return Exit.Ok
    }
    let result: Mtr.Result | undefined
    const seen = new Set<string>()
    const r = await runEffect(
      io,
      Effect.either(
        Stream.runForEach(Mtr.stream(target, options), (p) =>
          Effect.sync(() => {
            if (p._tag === "Done") {
              result = p.result
              return
            }
            // Live: a line the first time an address answers at a hop.
            for (const line of newHosts(p.hop, seen)) io.stdout(line)
          }),
        ),
      ),
    )
    if (Either.isLeft(r)) return fail(io, r.left)
    if (result !== undefined) io.stdout(`\n${hopTable(result.hops)}`)
    return Exit.Ok
  },
}
