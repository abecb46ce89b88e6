import { Ping } from "@netwark/tools"
import { Duration, Either } from "effect"
import {
  ipVersionFlag,
  keyValueTable,
  numberFlag,
  parse,
  streamed,
  type Command,
  type FlagValues,
} from "../internal/command.js"
import { apiOptions } from "../internal/remote.js"
import { runTarget, targetFlags, targetHelp } from "../internal/target.js"

const usage = `Usage:
  netwark ping TARGET [--count N] [--interval S] [--size N] [--timeout S] [--deadline S]
                      [--ttl N] [-4|-6] [--interface IF] [--json]
  netwark ping - [options]          one target per line on stdin, JSON lines out
  netwark ping TARGET --server URL [--queue Q ...] [options]
                                   run by the workers of a Netwark server, live

Pings TARGET (an IP address or host name) with iputils ping, printing each reply as it arrives,
then a summary.

Options:
  -c, --count N       probes to send, 1–100 (default 3)
  -i, --interval S    seconds between probes, 0.2–60 (root: from 0.01; default 1)
  -s, --size N        payload bytes, 0–65507 (default 56)
  -W, --timeout S     seconds to wait for each reply, 0.1–60
  -w, --deadline S    stop after S seconds whatever happens, 1–3600
  -t, --ttl N         IP time to live, 1–255
  -4, -6              force IPv4 or IPv6
  -I, --interface IF  send from this interface
${targetHelp}
Exit status: 0 when ping ran and produced a result, including 100% loss (read "status":
ok, partial-loss, total-loss), 1 for an unknown host, a missing ping binary or a ping failure,
2 for bad input.
`

const flags = {
  count: { type: "string", short: "c" },
  interval: { type: "string", short: "i" },
  size: { type: "string", short: "s" },
  timeout: { type: "string", short: "W" },
  deadline: { type: "string", short: "w" },
  ttl: { type: "string", short: "t" },
  interface: { type: "string", short: "I" },
  ...targetFlags,
} as const

const seconds = (name: string, text: string | undefined) => {
  const n = numberFlag(name, text)
  return n === undefined ? undefined : Duration.millis(Math.round(n * 1000))
}

const toOptions = (v: FlagValues<typeof flags>): Ping.PingOptions => {
  const ipVersion = ipVersionFlag(v)
  const count = numberFlag("count", v.count)
  const size = numberFlag("size", v.size)
  const ttl = numberFlag("ttl", v.ttl)
  const interval = seconds("interval", v.interval)
  const timeout = seconds("timeout", v.timeout)
  const deadline = seconds("deadline", v.deadline)
  return {
    ...(count !== undefined ? { count } : {}),
    ...(interval !== undefined ? { interval } : {}),
    ...(size !== undefined ? { size } : {}),
    ...(timeout !== undefined ? { timeout } : {}),
    ...(deadline !== undefined ? { deadline } : {}),
    ...(ttl !== undefined ? { ttl } : {}),
    ...ipVersion,
    ...(v.interface !== undefined ? { interface: v.interface } : {}),
  }
}

const eventLine = (e: Ping.PingEvent): string => {
  switch (e.type) {
    case "reply":
      return `${e.bytes} bytes from ${e.fromName !== undefined ? `${e.fromName} (${e.from})` : e.from}: seq=${e.sequence} ttl=${e.ttl}${e.rttMs !== undefined ? ` time=${e.rttMs} ms` : ""}${e.duplicate ? " (DUP!)" : ""}\n`
    case "timeout":
      return `no answer yet for seq=${e.sequence}\n`
    case "error":
      return `From ${e.from} seq=${e.sequence}: ${e.message}\n`
    case "unparsed":
      return `${e.line}\n`
  }
}

const ms = (n: number | undefined) => (n === undefined ? undefined : `${n} ms`)

const summaryTable = (r: Ping.PingResult): string => {
  const s = r.summary
  return keyValueTable([
    ["Target", r.destination],
    ["Address", r.resolvedAddress],
    ["Status", r.status],
    ["Sent", s?.transmitted],
    ["Received", s?.received ?? r.replies.length],
    ["Loss", s === undefined ? undefined : `${s.lossPercent}%`],
    ["Duplicates", s?.duplicates || undefined],
    ["Errors", s?.errors || undefined],
    ["Missing seq", r.missing.length > 0 ? r.missing.join(", ") : undefined],
    ["RTT min", ms(s?.rtt?.minMs)],
    ["RTT avg", ms(s?.rtt?.avgMs)],
    ["RTT max", ms(s?.rtt?.maxMs)],
    ["RTT mdev", ms(s?.rtt?.mdevMs)],
  ])
}

/**
 * The summary of a run stopped by Ctrl-C, from the events printed so far (ping's own statistics
 * never come: it is killed), as iputils prints it on Ctrl-C.
 */
const interruptedSummary = (target: string, events: ReadonlyArray<Ping.PingEvent>): string => {
  const probes = events.flatMap((e) => (e.type === "unparsed" ? [] : [e.sequence]))
  const sent = probes.length === 0 ? 0 : Math.max(...probes)
  const replies = events.filter(
    (e): e is Extract<Ping.PingEvent, { type: "reply" }> => e.type === "reply" && !e.duplicate,
  )
  const received = new Set(replies.map((e) => e.sequence)).size
  const rtts = replies.flatMap((e) => (e.rttMs === undefined ? [] : [e.rttMs]))
  const round = (n: number) => Math.round(n * 1000) / 1000
  return keyValueTable([
    ["Target", target],
    ["Status", "interrupted"],
    ["Sent", sent],
    ["Received", received],
    ["Loss", sent === 0 ? undefined : `${round(((sent - received) / sent) * 100)}%`],
    ["RTT min", rtts.length === 0 ? undefined : `${Math.min(...rtts)} ms`],
    [
      "RTT avg",
      rtts.length === 0 ? undefined : `${round(rtts.reduce((a, b) => a + b, 0) / rtts.length)} ms`,
    ],
    ["RTT max", rtts.length === 0 ? undefined : `${Math.max(...rtts)} ms`],
  ])
}

/** `netwark ping`: iputils ping with live replies, a summary table, JSON, or a batch. */
export const ping: Command = {
  name: "ping",
  summary: "ping a host (IPv4/IPv6), replies as they arrive, then loss and RTT",
  usage,
  run: (argv, io) =>
    runTarget(io, parse(argv, flags), {
      command: "ping",
      options: toOptions,
      apiOptions: apiOptions.ping,
      render: {
        progress: (d) => {
          const p = d as { type?: string; event?: Ping.PingEvent }
          return p.type === "ping" && p.event !== undefined ? eventLine(p.event) : undefined
        },
        result: (r) => summaryTable(r as Ping.PingResult),
        replay: (r) => (r as Ping.PingResult).events.map(eventLine),
      },
      validate: Ping.validate,
      run: Ping.run,
      batchLine: (result, target) => ({ target, ...result }),
      live: async (target, options) => {
        io.stdout(`PING ${target}\n`)
        const events: Array<Ping.PingEvent> = []
        const r = await streamed(io, Ping.stream(target, options), (p) => {
          events.push(p.event)
          return eventLine(p.event)
        }).catch((e: unknown) => {
          if (io.signal?.aborted === true) io.stdout(`\n${interruptedSummary(target, events)}`)
          throw e
        })
        if (Either.isRight(r) && r.right !== undefined) io.stdout(`\n${summaryTable(r.right)}`)
        return r
      },
    }),
}
