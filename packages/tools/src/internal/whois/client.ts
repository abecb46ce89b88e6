/** One port-43 exchange over `node:net`: connect, send the query, read until the server closes. */
import { connect } from "node:net"
import { Duration, Effect } from "effect"
import { ToolError, reasonFromErrno } from "../../ToolError.js"
import { serverLabel, type Server } from "./query.js"

/** Limits for one exchange. */
export interface ExchangeOptions {
  readonly connectTimeout: Duration.DurationInput
  readonly timeout: Duration.DurationInput
  readonly maxBytes: number
}

/** The decoded answer and how it was decoded. */
export interface Answer {
  readonly text: string
  readonly bytes: number
  readonly charset: "utf-8" | "latin1"
}

/** Decodes UTF-8, falling back to latin1 when the bytes are not valid UTF-8 (older ccTLDs). */
export const decode = (buf: Buffer): { text: string; charset: "utf-8" | "latin1" } => {
  try {
    return { text: new TextDecoder("utf-8", { fatal: true }).decode(buf), charset: "utf-8" }
  } catch {
    return { text: buf.toString("latin1"), charset: "latin1" }
  }
}

/** Sends `query` to `server` and returns the whole answer (fails on timeout, size cap, errors). */
export const exchange = (
  server: Server,
  query: string,
  options: ExchangeOptions,
): Effect.Effect<Answer, ToolError> =>
  Effect.async<Answer, ToolError>((resume) => {
    const label = serverLabel(server)
    const chunks: Array<Buffer> = []
    let size = 0
    let done = false
    const socket = connect({ host: server.host, port: server.port })
    const finish = (r: Effect.Effect<Answer, ToolError>) => {
      if (done) return
      done = true
      clearTimeout(connectTimer)
      clearTimeout(overallTimer)
      socket.destroy()
      resume(r)
    }
    const connectTimer = setTimeout(
      () =>
        finish(
          Effect.fail(
            new ToolError({
              reason: "Timeout",
              message: `connecting to ${label} timed out`,
              field: "server",
            }),
          ),
        ),
      Duration.toMillis(Duration.decode(options.connectTimeout)),
    )
    const overallTimer = setTimeout(
      () =>
        finish(
          Effect.fail(
            new ToolError({ reason: "Timeout", message: `WHOIS query to ${label} timed out` }),
          ),
        ),
      Duration.toMillis(Duration.decode(options.timeout)),
    )
    socket.on("connect", () => {
      clearTimeout(connectTimer)
      socket.write(`${query}\r\n`)
    })
    socket.on("data", (chunk: Buffer) => {
      size += chunk.length
      if (size > options.maxBytes) {
        finish(
          Effect.fail(
            new ToolError({
              reason: "OutputTooLarge",
              message: `answer from ${label} exceeds ${options.maxBytes} bytes`,
            }),
          ),
        )
        return
      }
      chunks.push(chunk)
    })
    socket.on("end", () => {
      const buf = Buffer.concat(chunks)
      finish(Effect.succeed({ ...decode(buf), bytes: buf.length }))
    })
    socket.on("close", () => {
      const buf = Buffer.concat(chunks)
      finish(Effect.succeed({ ...decode(buf), bytes: buf.length }))
    })
    socket.on("error", (e: NodeJS.ErrnoException) =>
      finish(
        Effect.fail(
          new ToolError({
            reason:
              reasonFromErrno(e.code) === "NotInstalled" ? "Network" : reasonFromErrno(e.code),
            message: `WHOIS server ${label}: ${e.message}`,
            cause: e,
          }),
        ),
      ),
    )
    return Effect.sync(() =>
      finish(Effect.fail(new ToolError({ reason: "Aborted", message: "WHOIS query interrupted" }))),
    )
  })
