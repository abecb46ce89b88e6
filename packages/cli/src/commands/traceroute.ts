import { Traceroute, type ToolError as TE } from "@netwark/tools"
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
  --json              print the parsed result as JSON (with --server: the stored operation)
  --server URL        run through the Netwark server at URL (http or https) and print its workers'
                      progress and results as they arrive
  --queue Q           send to queue Q (repeatable); default: every worker (broadcast)

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
  ipv4: { type: "boolean", short: "4" },
  ipv6: { type: "boolean", short: "6" },
  dns: { type: "boolean" },
  json: { type: "boolean" },
  ...remoteFlags,
} as const

type Values = FlagValues<typeof flags>

const toOptions = (v: Values): Traceroute.Options => {
  if (v.ipv4 === true && v.ipv6 === true) throw new UsageError("-4 and -6 exclude each other")
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
    ...(v.ipv4 === true
      ? { ipVersion: 4 as const }
      : v.ipv6 === true
        ? { ipVersion: 6 as const }
        : {}),
    ...(v.dns === true ? { noDns: false } : {}),
  }
}

// the tool's option names that differ from this command's flags
const flagNames = { maxHops: "--max-hops", firstHop: "--first-hop" }

const fail = (io: Io, error: TE.ToolError): number => failWith(io, "traceroute", error, flagNames)

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

const summary = (hops: ReadonlyArray<Traceroute.Hop>): string =>
  table(
    ["Hop", "Responder", "Min", "Avg", "Max", "Lost", "Notes"],
    hops.flatMap((h) => {
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
  )

/** `netwark traceroute`: traceroute with hops printed as they complete, a table, JSON or a batch. */
export const traceroute: Command = {
  name: "traceroute",
  summary: "trace the path to a host with traceroute (UDP, ICMP or TCP probes)",
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
      return runRemote(
        {
          command: "traceroute",
          flagNames,
          type: "traceroute",
          target,
          options: apiOptions.traceroute(values),
          server: values.server,
          queues: values.queue ?? [],
          json: values.json === true,
          render: {
            progress: (d) => {
              const p = d as { type?: string; hop?: Traceroute.Hop }
              return p.type === "traceroute" && p.hop !== undefined ? hopLine(p.hop) : undefined
            },
            result: (r) => {
              const t = r as Traceroute.Result
              return `${summary(t.hops)}${t.reached ? "destination reached" : "destination not reached"}\n`
            },
          },
        },
        io,
      )
    }
    if (values.server !== undefined) throw new UsageError("--server must be an http(s) URL")
    if (target === "-") {
      for await (const line of lines(io)) {
        const r = await runEffect(io, Effect.either(Traceroute.run(line, options)))
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
    const valid = Traceroute.validate(options)
    if (Either.isLeft(valid)) return fail(io, valid.left)
    if (values.json === true) {
      const r = await runEffect(io, Effect.either(Traceroute.run(target, options)))
      if (Either.isLeft(r)) return fail(io, r.left)
      io.stdout(json(r.right))
      return Exit.Ok
    }
    let result: Traceroute.Result | undefined
    const r = await runEffect(
      io,
      Effect.either(
        Stream.runForEach(Traceroute.stream(target, options), (p) =>
          Effect.sync(() => {
            if (p._tag === "Hop") io.stdout(hopLine(p.hop))
            else result = p.result
          }),
        ),
      ),
    )
    if (Either.isLeft(r)) return fail(io, r.left)
    if (result !== undefined) {
      io.stdout(`\n${summary(result.hops)}`)
      io.stdout(result.reached ? "destination reached\n" : "destination not reached\n")
    }
    return Exit.Ok
  },
}
