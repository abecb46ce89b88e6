import { Dns, type ToolError as TE } from "@netwark/tools"
import { Effect, Either } from "effect"
import {
  Exit,
  UsageError,
  batch,
  json,
  keyValueTable,
  parse,
  table,
  type Command,
  type Io,
  ipVersionFlag,
  ipVersionFlags,
  numberFlag,
  type FlagValues,
  failWith,
  runEffect,
  streamed,
} from "../internal/command.js"
import { apiOptions, isServerUrl, remoteFlags, runRemote } from "../internal/remote.js"

const usage = `Usage:
  netwark dns NAME [TYPE] [@ADDR[:PORT]] [--server ADDR[:PORT]] [--port N] [--class IN|CH|HS]
                          [--tcp] [--trace] [--dnssec] [--timeout S] [--tries N] [-4|-6] [--json]
  netwark dns -x ADDR [options]     reverse lookup (PTR)
  netwark dns - [TYPE] [options]    one name per line on stdin, JSON lines out
  netwark dns NAME [TYPE] --server URL [--queue Q ...] [--resolver ADDR[:PORT]] [options]
                                    run by the workers of a Netwark server, live

Queries DNS with dig and prints the status, flags and every section as a table. TYPE is one of
${Dns.recordTypes.join(", ")} (default A).

Options:
  @ADDR[:PORT]     the resolver, as dig takes it: same as --server ADDR (with a server URL:
                   as --resolver)
  --server ADDR    resolver address, optionally with a port: 127.0.0.1:5353, [::1]:5353;
                   an http(s) URL instead runs the query through that Netwark server, live
  --queue Q        with a server URL: send to queue Q (repeatable); default every worker
  --resolver ADDR  with a server URL: the resolver the workers ask (ADDR[:PORT])
  --port N         resolver port, 1–65535 (default 53)
  --class C        query class (default IN)
  --tcp            query over TCP
  --trace          follow delegations from the root, printing each step as it arrives
  --dnssec         ask for DNSSEC records
  --timeout S      seconds per try, 1–30 (default 5)
  --tries N        tries, 1–5 (default 2)
  -4, -6           use IPv4 or IPv6 transport
  --json           print the parsed result as JSON

Exit status: 0 when a server answered (NXDOMAIN and SERVFAIL included: read the status), 1 when
no answer came back (timeout, connection refused) or dig failed, 2 for bad input.
`

const flags = {
  x: { type: "string", short: "x" },
  server: { type: "string" },
  port: { type: "string" },
  class: { type: "string" },
  tcp: { type: "boolean" },
  trace: { type: "boolean" },
  dnssec: { type: "boolean" },
  timeout: { type: "string" },
  tries: { type: "string" },
  ...ipVersionFlags,
  json: { type: "boolean" },
  queue: remoteFlags.queue,
  resolver: { type: "string" },
} as const

type Values = FlagValues<typeof flags>

/** Splits `ADDR[:PORT]`: `127.0.0.1:53`, `[::1]:53`, a bare IPv6 address has no port. */
export const splitServer = (text: string): { server: string; port?: number } => {
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(text)
  if (bracket)
    return {
      server: bracket[1] ?? "",
      ...(bracket[2] !== undefined ? { port: Number(bracket[2]) } : {}),
    }
  const v4 = /^([^:]+):(\d+)$/.exec(text)
  if (v4) return { server: v4[1] ?? "", port: Number(v4[2]) }
  return { server: text }
}

const toOptions = (v: Values, type: string | undefined): Dns.Options => {
  const ipVersion = ipVersionFlag(v)
  const srv = v.server !== undefined ? splitServer(v.server) : undefined
  const portFlag = numberFlag("port", v.port)
  if (srv?.port !== undefined && portFlag !== undefined)
    throw new UsageError("give the port either in --server or with --port, not both")
  const port = srv?.port ?? portFlag
  const timeout = numberFlag("timeout", v.timeout)
  const tries = numberFlag("tries", v.tries)
  return {
    ...(type !== undefined ? { type: type.toUpperCase() as Dns.RecordType } : {}),
    ...(v.x !== undefined ? { reverse: true } : {}),
    ...(srv !== undefined ? { server: srv.server } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(v.class !== undefined ? { class: v.class.toUpperCase() as Dns.QueryClass } : {}),
    ...(v.tcp === true ? { tcp: true } : {}),
    ...(v.trace === true ? { trace: true } : {}),
    ...(v.dnssec === true ? { dnssec: true } : {}),
    ...(timeout !== undefined ? { tryTimeout: `${Math.round(timeout * 1000)} millis` } : {}),
    ...(tries !== undefined ? { tries } : {}),
    ...ipVersion,
  }
}

// the tool's option names that differ from this command's flags
const flagNames = { tryTimeout: "--timeout" }

const fail = (io: Io, error: TE.ToolError): number => failWith(io, "dns", error, flagNames)

const recordTable = (rs: ReadonlyArray<Dns.Record>): string =>
  table(
    ["Name", "TTL", "Class", "Type", "Data"],
    rs.map((r) => [r.name, r.ttl ?? "", r.class, r.type, r.data]),
  )

const records = (title: string, rs: ReadonlyArray<Dns.Record>): string =>
  rs.length === 0 ? "" : `\n${title}\n${recordTable(rs)}`

const stepText = (s: Dns.TraceStep): string =>
  recordTable(s.records) +
  `  from ${s.fromName ?? s.fromAddress} (${s.fromAddress}) in ${s.timeMs} ms, ${s.bytes} bytes\n\n`

const messageText = (m: Dns.Message): string =>
  keyValueTable([
    ["Status", m.rcode],
    ["Flags", m.flags.join(" ")],
    [
      "Question",
      m.question ? `${m.question.name} ${m.question.class} ${m.question.type}` : undefined,
    ],
    ["Server", m.server],
    ["Query time", m.queryTimeMs !== undefined ? `${m.queryTimeMs} ms` : undefined],
    ["Size", m.messageSize !== undefined ? `${m.messageSize} bytes` : undefined],
    [
      "EDNS",
      m.edns
        ? `version ${m.edns.version ?? "?"}, udp ${m.edns.udp ?? "?"}${m.edns.flags.length ? `, flags ${m.edns.flags.join(" ")}` : ""}`
        : undefined,
    ],
  ]) +
  records("ANSWER", m.answer) +
  records("AUTHORITY", m.authority) +
  records("ADDITIONAL", m.additional)

const answered = (r: Dns.Parsed) => /^[A-Z]/.test(r.status)

/** `netwark dns`: dig with a readable table, `+trace` steps as they arrive, JSON or a batch. */
export const dns: Command = {
  name: "dns",
  summary: "query DNS with dig: status, flags, sections, +trace steps",
  usage,
  run: async (argv, io) => {
    const parsed = parse(argv, flags)
    let values = parsed.values
    // `@ADDR` names the resolver, as in `dig @127.0.0.1 example.com` (it was "unknown record type")
    const isAt = (p: string) => p.startsWith("@") && p.length > 1
    const at = parsed.positionals.filter(isAt)
    const positionals = parsed.positionals.filter((p) => !isAt(p))
    if (at.length > 1) throw new UsageError("give one @SERVER")
    if (at[0] !== undefined) {
      const resolver = at[0].slice(1)
      const remote = isServerUrl(values.server)
      if (remote ? values.resolver !== undefined : values.server !== undefined)
        throw new UsageError(
          `give the resolver either as @SERVER or with ${remote ? "--resolver" : "--server"}, not both`,
        )
      values = remote ? { ...values, resolver } : { ...values, server: resolver }
    }
    const reverse = values.x !== undefined
    const [first, second, ...more] = positionals
    const name = reverse ? values.x : first
    const type = reverse ? first : second
    if (more.length > 0 || (reverse && second !== undefined))
      throw new UsageError("expected NAME [TYPE]")
    if (name === undefined) throw new UsageError("missing NAME")
    if (
      type !== undefined &&
      !(Dns.recordTypes as ReadonlyArray<string>).includes(type.toUpperCase())
    )
      throw new UsageError(
        `unknown record type ${JSON.stringify(type)}: use one of ${Dns.recordTypes.join(", ")}`,
      )
    if (values.resolver !== undefined && !isServerUrl(values.server))
      throw new UsageError(
        "--resolver goes with --server URL; locally, give the resolver as --server",
      )
    if (isServerUrl(values.server)) {
      if (name === "-") throw new UsageError("--server runs one query at a time, not -")
      const resolver = values.resolver === undefined ? undefined : splitServer(values.resolver)
      return runRemote(
        {
          command: "dns",
          flagNames,
          type: "dns",
          target: name,
          options: {
            ...apiOptions.dns(values, type),
            ...(resolver === undefined
              ? {}
              : {
                  server: resolver.server,
                  ...(resolver.port === undefined ? {} : { port: resolver.port }),
                }),
          },
          server: values.server,
          queues: values.queue ?? [],
          json: values.json === true,
          render: {
            progress: (d) => {
              const p = d as { type?: string; step?: Dns.TraceStep }
              return p.type === "dns" && p.step !== undefined ? stepText(p.step) : undefined
            },
            result: (r) => {
              const d = r as Dns.Result
              const text = d.messages.map(messageText).join("")
              return text === "" ? keyValueTable([["Status", d.status]]) : text
            },
            // as locally: exit 1 when no server answered (timeout, connection refused)
            answered: (r) => answered(r as Dns.Result),
          },
        },
        io,
      )
    }
    const options = toOptions(values, type)
    const valid = Dns.validate(options)
    if (Either.isLeft(valid)) return fail(io, valid.left)
    if (name === "-")
      return batch(
        io,
        "query",
        (line) => Dns.run(line, options),
        (result) => result,
      )
    if (values.json === true) {
      const r = await runEffect(io, Effect.either(Dns.run(name, options)))
      if (Either.isLeft(r)) return fail(io, r.left)
      io.stdout(json(r.right))
      return answered(r.right) ? Exit.Ok : Exit.Failed
    }
    const r = await streamed(io, Dns.stream(name, options), (p) => stepText(p.step))
    if (Either.isLeft(r)) return fail(io, r.left)
    const result = r.right
    if (result === undefined) return Exit.Failed
    for (const m of result.messages) io.stdout(messageText(m))
    if (result.messages.length === 0) io.stdout(keyValueTable([["Status", result.status]]))
    for (const e of result.errors) io.stderr(`netwark dns: ${e}\n`)
    return answered(result) ? Exit.Ok : Exit.Failed
  },
}
