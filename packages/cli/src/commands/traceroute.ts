import { Traceroute } from "@netwark/tools"
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
import { apiOptions } from "../internal/remote.js"
import { runTarget, targetFlags, targetHelp } from "../internal/target.js"

const usage = `Usage:
  netwark traceroute TARGET [--protocol udp|icmp|tcp] [--port N] [--queries N] [--max-hops N]
                            [--first-hop N] [--wait S] [-4|-6] [--dns] [--json]
  netwark traceroute - [options]   one target per line on stdin, JSON lines out
  netwark traceroute TARGET --server URL [--queue Q ...] [options]
                                   run by the workers of a Netwark server, live

Traces the path to TARGET with traceroute, printing each hop as it completes, then a table of
responders with their RTTs and annotations (!H, !N, !X…).

Options:
  --protocol P        udp (default), icmp or tcp (icmp/tcp need root)
  -p, --port N        destination port, 1–65535 (udp base port, or the tcp port; default 80 for tcp)
  -q, --queries N     probes per hop, 1–10 (default 3)
  -m, --max-hops N    maximum TTL, 1–64 (default 30)
  -f, --first-hop N   first TTL, 1–64 (default 1)
  -w, --wait S        seconds to wait for each probe, 0.1–10 (default 5)
  -4, -6              force IPv4 or IPv6
  --dns               resolve hop addresses to names (off by default: no DNS traffic)
${targetHelp}
Exit status: 0 when traceroute produced a result (destination reached or not), 1 when it
failed, 2 for bad input.
`

const flags = {
  protocol: { type: "string" },
  port: { type: "string", short: "p" },
  queries: { type: "string", short: "q" },
  "max-hops": { type: "string", short: "m" },
  "first-hop": { type: "string", short: "f" },
  wait: { type: "string", short: "w" },
  dns: { type: "boolean" },
  ...targetFlags,
} as const

const toOptions = (v: FlagValues<typeof flags>): Traceroute.Options => {
  const ipVersion = ipVersionFlag(v)
  const port = numberFlag("port", v.port)
  const queries = numberFlag("queries", v.queries)
  const maxHops = numberFlag("max-hops", v["max-hops"])
  const firstHop = numberFlag("first-hop", v["first-hop"])
  const wait = numberFlag("wait", v.wait)
  return {
    ...(v.protocol !== undefined ? { protocol: v.protocol as Traceroute.Protocol } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(queries !== undefined ? { queries } : {}),
    ...(maxHops !== undefined ? { maxHops } : {}),
    ...(firstHop !== undefined ? { firstHop } : {}),
    ...(wait !== undefined ? { wait: `${Math.round(wait * 1000)} millis` } : {}),
    ...ipVersion,
    ...(v.dns === true ? { noDns: false } : {}),
  }
}

// the tool's option names that differ from this command's flags
const flagNames = { maxHops: "--max-hops", firstHop: "--first-hop" }

const name = (r: { address: string; hostname?: string }) =>
  r.hostname !== undefined ? `${r.hostname} (${r.address})` : r.address

/** One hop as traceroute would print it: responders, RTTs, `*` and annotations. */
export const hopLine = (h: Traceroute.Hop): string => {
  const parts: Array<string> = []
  let last: string | null = null
  for (const p of h.probes) {
    if (p.address === null || p.rtt === null) {
      parts.push("*")
      continue
    }
    if (p.address !== last)
      parts.push(
        name({ address: p.address, ...(p.hostname !== undefined ? { hostname: p.hostname } : {}) }),
      )
    last = p.address
    parts.push(`${p.rtt} ms${p.annotation !== undefined ? ` ${p.annotation}` : ""}`)
  }
  return `${String(h.hop).padStart(2)}  ${parts.join("  ")}\n`
}

/** The responder table and whether the destination answered, locally as through a server. */
const summary = (result: Traceroute.Result): string =>
  table(
    ["Hop", "Responder", "Min", "Avg", "Max", "Lost", "Notes"],
    result.hops.flatMap((h) => {
      if (h.responders.length === 0) return [[`${h.hop}.`, "*", "-", "-", "-", h.timeouts, ""]]
      return h.responders.map((r, i) => [
        i === 0 ? `${h.hop}.` : "",
        name(r),
        Math.min(...r.rtts).toFixed(3),
        (r.rtts.reduce((a, b) => a + b, 0) / r.rtts.length).toFixed(3),
        Math.max(...r.rtts).toFixed(3),
        i === 0 ? h.timeouts : "",
        r.annotations.join(" "),
      ])
    }),
  ) + (result.reached ? "destination reached\n" : "destination not reached\n")

/** `netwark traceroute`: traceroute with hops printed as they complete, a table, JSON or a batch. */
export const traceroute: Command = {
  name: "traceroute",
  summary: "trace the path to a host with traceroute (UDP, ICMP or TCP probes)",
  usage,
  run: (argv, io) =>
    runTarget(io, parse(argv, flags), {
      command: "traceroute",
      flagNames,
      options: toOptions,
      apiOptions: apiOptions.traceroute,
      render: {
        progress: (d) => {
          const p = d as { type?: string; hop?: Traceroute.Hop }
          return p.type === "traceroute" && p.hop !== undefined ? hopLine(p.hop) : undefined
        },
        result: (r) => summary(r as Traceroute.Result),
      },
      validate: (_target, options) => Traceroute.validate(options),
      run: Traceroute.run,
      batchLine: (result, target) => ({ ...result, target }),
      live: async (target, options) => {
        const r = await streamed(io, Traceroute.stream(target, options), (p) => hopLine(p.hop))
        if (Either.isRight(r) && r.right !== undefined) io.stdout(`\n${summary(r.right)}`)
        return r
      },
    }),
}
