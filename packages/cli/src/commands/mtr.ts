import { Mtr } from "@netwark/tools"
import { Either } from "effect"
import {
  ipVersionFlag,
  numberFlag,
  parse,
  table,
  streamed,
  type Command,
  type FlagValues,
} from "../internal/command.js"
import { apiOptions, type Render } from "../internal/remote.js"
import { runTarget, targetFlags, targetHelp } from "../internal/target.js"

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
${targetHelp}
Exit status: 0 when mtr produced a result (loss included), 1 when it failed (unknown host,
mtr missing, timeout), 2 for bad input.
`

const flags = {
  cycles: { type: "string", short: "c" },
  size: { type: "string", short: "s" },
  protocol: { type: "string" },
  port: { type: "string", short: "P" },
  "max-hops": { type: "string", short: "m" },
  interval: { type: "string", short: "i" },
  dns: { type: "boolean" },
  ...targetFlags,
} as const

const toOptions = (v: FlagValues<typeof flags>): Mtr.Options => {
  const ipVersion = ipVersionFlag(v)
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
    ...ipVersion,
    ...(maxHops !== undefined ? { maxHops } : {}),
    ...(interval !== undefined ? { interval: `${Math.round(interval * 1000)} millis` } : {}),
    ...(v.dns === true ? { noDns: false } : {}),
  }
}

// the tool's option names that differ from this command's flags
const flagNames = { packetSize: "--size", maxHops: "--max-hops" }

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

// Each record is every hop so far: print, as locally, an address the first time it answers at
// a hop (it printed nothing until the table at the end).
const remoteRender = (): Render => {
  const seen = new Map<string, Set<string>>()
  return {
    progress: (d, run) => {
      const p = d as { type?: string; hops?: ReadonlyArray<Mtr.Hop> }
      if (p.type !== "mtr" || p.hops === undefined) return undefined
      const hosts = seen.get(run) ?? new Set<string>()
      seen.set(run, hosts)
      const lines = p.hops.flatMap((h) => newHosts(h, hosts))
      return lines.length === 0 ? undefined : lines.join("")
    },
    result: (r) => hopTable((r as Mtr.Result).hops),
  }
}

/** `netwark mtr`: mtr with hops printed as they answer, then a table, JSON, or a batch. */
export const mtr: Command = {
  name: "mtr",
  summary: "trace the path to a host with mtr: every address per hop, loss and RTT",
  usage,
  run: (argv, io) =>
    runTarget(io, parse(argv, flags), {
      command: "mtr",
      flagNames,
      options: toOptions,
      apiOptions: apiOptions.mtr,
      render: remoteRender(),
      validate: (_target, options) => Mtr.validate(options),
      run: Mtr.run,
      batchLine: (result, target) => ({ ...result, target }),
      live: async (target, options) => {
        const seen = new Set<string>()
        // Live: a line the first time an address answers at a hop.
        const r = await streamed(io, Mtr.stream(target, options), (p) =>
          newHosts(p.hop, seen).join(""),
        )
        if (Either.isRight(r) && r.right !== undefined) io.stdout(`\n${hopTable(r.right.hops)}`)
        return r
      },
    }),
}
