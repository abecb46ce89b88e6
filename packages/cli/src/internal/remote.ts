/**
 * `--server URL`: run ping/mtr/traceroute/dns through a Netwark server instead of locally. The
 * operation is posted to `/api/v1/operations`, its workers' progress and results are printed as
 * the server streams them (Server-Sent Events), and `--json` prints the stored operation at the
 * end. Each command keeps its own output format: it passes how to render its tool's records.
 */
import {
  ClientError,
  createClient,
  type CreateOperation,
  type Operation,
  type OperationDetail,
  type WorkerResult,
} from "@netwark/client"
import {
  Exit,
  UsageError,
  interruptedExit,
  ipVersionOf,
  json,
  withFlagNames,
  type Io,
} from "./command.js"

/** The flags every remote-capable command adds (`dns` already has `--server`: it adds `queue`). */
export const remoteFlags = {
  server: { type: "string" },
  queue: { type: "string", multiple: true },
} as const

/** Whether `--server` names a Netwark server (an http(s) URL) rather than, for dns, a resolver. */
export const isServerUrl = (text: string | undefined): text is string =>
  text !== undefined && /^https?:\/\/[^\s/]/i.test(text.trim())

/** How a command prints its tool's records. */
export interface Render {
  /**
   * One progress record of one worker (as the worker sent it), or nothing to print; `run` names
   * the worker's job, for a render that prints what is new since that job's last record.
   */
  readonly progress: (data: unknown, run: string) => string | undefined
  /** The parsed result of one worker that succeeded. */
  readonly result: (result: unknown) => string
  /**
   * The progress lines a result holds (ping's replies), so that lines sent before the event
   * stream opened are printed too: the server replays only the progress it still buffers.
   */
  readonly replay?: (result: unknown) => ReadonlyArray<string>
  /**
   * Whether a worker's result counts as an answer for the exit code (dns: a server answered);
   * default: every result the worker ran to the end.
   */
  readonly answered?: (result: unknown) => boolean
}

/** One remote run. */
export interface RemoteRun {
  /** The command name, for messages (`netwark ping: …`). */
  readonly command: string
  readonly type: CreateOperation["type"]
  readonly target: string
  /** Options as the API takes them (durations in seconds). */
  readonly options: Readonly<Record<string, unknown>>
  readonly server: string
  readonly queues: ReadonlyArray<string>
  readonly json: boolean
  readonly render: Render
  /** The API's option names that differ from the command's flags (see `withFlagNames`). */
  readonly flagNames?: Readonly<Record<string, string>>
  /** The `fetch` to use (tests); default the global one. */
  readonly fetch?: typeof globalThis.fetch
}

type Flags = Readonly<Record<string, string | boolean | ReadonlyArray<string> | undefined>>

const str = (v: Flags, name: string): string | undefined => {
  const x = v[name]
  return typeof x === "string" ? x : undefined
}

const num = (v: Flags, name: string, integer: boolean): number | undefined => {
  const text = str(v, name)
  if (text === undefined) return undefined
  if (!(integer ? /^\d+$/ : /^\d+(?:\.\d+)?$/).test(text))
    throw new UsageError(
      `--${name} must be ${integer ? "a whole number" : "a number"} (got ${JSON.stringify(text)})`,
    )
  return Number(text)
}

const defined = (o: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined))

/** The API options of each tool from the command's own flags (same names and units as locally). */
export const apiOptions = {
  ping: (v: Flags) =>
    defined({
      count: num(v, "count", true),
      interval: num(v, "interval", false),
      size: num(v, "size", true),
      timeout: num(v, "timeout", false),
      deadline: num(v, "deadline", false),
      ttl: num(v, "ttl", true),
      ...ipVersionOf(v),
      interface: str(v, "interface"),
    }),
  mtr: (v: Flags) =>
    defined({
      cycles: num(v, "cycles", true),
      packetSize: num(v, "size", true),
      protocol: str(v, "protocol"),
      port: num(v, "port", true),
      ...ipVersionOf(v),
      maxHops: num(v, "max-hops", true),
      interval: num(v, "interval", false),
      noDns: v["dns"] === true ? false : undefined,
    }),
  traceroute: (v: Flags) =>
    defined({
      protocol: str(v, "protocol"),
      port: num(v, "port", true),
      queries: num(v, "queries", true),
      maxHops: num(v, "max-hops", true),
      firstHop: num(v, "first-hop", true),
      wait: num(v, "wait", false),
      ...ipVersionOf(v),
      noDns: v["dns"] === true ? false : undefined,
    }),
  dns: (v: Flags, type: string | undefined) =>
    defined({
      type: type?.toUpperCase(),
      reverse: v["x"] !== undefined ? true : undefined,
      port: num(v, "port", true),
      class: str(v, "class")?.toUpperCase(),
      tcp: v["tcp"] === true ? true : undefined,
      trace: v["trace"] === true ? true : undefined,
      dnssec: v["dnssec"] === true ? true : undefined,
      tryTimeout: num(v, "timeout", false),
      tries: num(v, "tries", true),
      ...ipVersionOf(v),
    }),
}

const problemText = (e: ClientError): string => {
  const p = e.problem
  const detail = p.detail ?? p.title ?? e.message
  return e.reason === "Http" ? detail : `cannot reach the server: ${detail}`
}

const prefixed = (who: string, text: string): string =>
  text
    .replace(/\n$/, "")
    .split("\n")
    .map((line) => `[${who}] ${line}`)
    .join("\n") + "\n"

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`

const resultBlock = (r: WorkerResult, who: string, render: Render): string => {
  const where = [r.hostname, r.location ?? r.queue].filter((x) => x !== null && x !== "").join(", ")
  const head = `\n== ${who}${where === "" ? "" : ` (${where})`}: ${r.status} in ${seconds(r.durationMs)} ==\n`
  if (r.status !== "ok") return `${head}${r.error ?? r.status}\n`
  return head + render.result(r.result)
}

/** Runs one operation through the server, printing it live; returns the exit code. */
export const runRemote = async (run: RemoteRun, io: Io): Promise<number> => {
  const client = createClient({
    baseUrl: run.server,
    ...(run.fetch === undefined ? {} : { fetch: run.fetch }),
  })
  const signal = io.signal
  const call = signal === undefined ? {} : { signal }
  const fail = (e: unknown): number => {
    if (signal?.aborted === true) return interrupted()
    if (e instanceof ClientError) {
      io.stderr(`netwark ${run.command}: ${withFlagNames(problemText(e), run.flagNames ?? {})}\n`)
      return e.status === 400 || e.status === 403 || e.status === 413 ? Exit.BadInput : Exit.Failed
    }
    throw e
  }
  let operation: Operation | undefined
  // Stopping the command (Ctrl-C) stops watching; the workers still run the operation.
  const interrupted = (): number => {
    io.stderr(
      `netwark ${run.command}: interrupted${operation === undefined ? "" : ` (operation ${operation.id} goes on on the server)`}\n`,
    )
    return signal === undefined ? Exit.Interrupted : interruptedExit(signal)
  }
  try {
    operation = await client.createOperation(
      {
        type: run.type,
        target: run.target,
        options: run.options,
        ...(run.queues.length === 0 ? {} : { queues: [...run.queues] }),
      } as CreateOperation,
      call,
    )
  } catch (e) {
    return fail(e)
  }
  if (!run.json) {
    const queues = operation.queues.length > 0 ? operation.queues.join(", ") : "default"
    io.stdout(
      `${run.type.toUpperCase()} ${run.target} via ${run.server} (operation ${operation.id}, queues: ${queues})\n`,
    )
  }
  // A result can come twice (in the snapshot and as an event): print each worker's once.
  const printed = new Set<string>()
  const shown = new Map<string, Set<string>>()
  const keyOf = (jobId: string, workerId: string) => `${jobId}\u0000${workerId}`
  // A worker that serves several of the operation's queues runs one job per queue: its lines
  // name the queue too (a job id is `<operation>/<queue>`), or two runs read as one.
  const severalQueues = operation.queues.length > 1
  const who = (jobId: string, workerId: string) =>
    severalQueues ? `${workerId} ${jobId.slice(jobId.indexOf("/") + 1)}` : workerId
  const show = (r: WorkerResult) => {
    const key = keyOf(r.jobId, r.workerId)
    if (run.json || printed.has(key)) return
    printed.add(key)
    const seen = shown.get(key) ?? new Set<string>()
    const missed =
      r.status === "ok" && run.render.replay !== undefined
        ? run.render.replay(r.result).filter((line) => !seen.has(line))
        : []
    const name = who(r.jobId, r.workerId)
    io.stdout(
      missed.map((line) => prefixed(name, line)).join("") + resultBlock(r, name, run.render),
    )
  }
  try {
    for await (const event of client.operationEvents(operation.id, call)) {
      switch (event.type) {
        case "snapshot":
          for (const r of event.data.results) show(r)
          break
        case "progress": {
          // The stream replays recent progress after its snapshot: a worker whose result is
          // already printed has nothing more to show.
          const key = keyOf(event.data.jobId, event.data.workerId)
          if (run.json || printed.has(key)) break
          const line = run.render.progress(event.data.data, key)
          if (line === undefined) break
          shown.set(key, (shown.get(key) ?? new Set<string>()).add(line))
          io.stdout(prefixed(who(event.data.jobId, event.data.workerId), line))
          break
        }
        case "result":
          show(event.data)
          break
        case "status":
          break
      }
    }
  } catch (e) {
    return fail(e)
  }
  if (signal?.aborted === true) return interrupted()
  let detail: OperationDetail
  try {
    detail = await client.getOperation(operation.id, call)
  } catch (e) {
    return fail(e)
  }
  const answered = run.render.answered ?? (() => true)
  // a dns run that no resolver answered did not answer either (it said "1 of 1 answered")
  const ok = detail.results.filter((r) => r.status === "ok" && answered(r.result)).length
  if (run.json) io.stdout(json(detail))
  else {
    const expected = detail.expected ?? detail.results.length
    io.stdout(
      `\nStatus: ${detail.status} (${ok} of ${expected} worker${expected === 1 ? "" : "s"} answered)${detail.error === null ? "" : `: ${detail.error}`}\n`,
    )
  }
  return ok > 0 ? Exit.Ok : Exit.Failed
}
