/** Local test servers on 127.0.0.1, port 0: a WHOIS replay server and an HTTP JSON server. */
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server as HttpServer,
  type ServerResponse,
} from "node:http"
import { createServer, type AddressInfo, type Socket } from "node:net"

/** A running WHOIS replay server. */
export interface Replay {
  readonly port: number
  readonly address: string
  /** Every query received, as sent (without CRLF). */
  readonly queries: Array<string>
  readonly close: () => Promise<void>
}

/** How to answer: text/bytes for a query, `undefined` for "no answer" (keeps the socket open). */
export type Answerer = (query: string) => string | Buffer | undefined

/** Starts a port-43 style server that replays recorded answers keyed by query. */
export const replayServer = async (answer: Answerer): Promise<Replay> => {
  const queries: Array<string> = []
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on("close", () => sockets.delete(socket))
    socket.on("error", () => undefined)
    let buf = ""
    socket.on("data", (d) => {
      buf += d.toString("latin1")
      const nl = buf.indexOf("\r\n")
      if (nl < 0) return
      const q = buf.slice(0, nl)
      queries.push(q)
      const a = answer(q)
      if (a === undefined) return
      socket.end(a)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const port = (server.address() as AddressInfo).port
  return {
    port,
    address: `127.0.0.1:${port}`,
    queries,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}

/** A running HTTP server. */
export interface Http {
  readonly url: string
  readonly paths: Array<string>
  readonly close: () => Promise<void>
}

/** `server` listening on a free loopback port: its base URL, and how to stop it (connections too). */
const listening = async (
  server: HttpServer,
): Promise<{ readonly url: string; readonly close: () => Promise<void> }> => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** Starts an HTTP server: `route(path)` returns `[status, body]` or `undefined` for 404. */
export const httpServer = async (
  route: (path: string) => readonly [number, string] | undefined,
): Promise<Http> => {
  const paths: Array<string> = []
  const server = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname)
    paths.push(path)
    const r = route(path)
    const [status, body] = r ?? [404, JSON.stringify({ errorCode: 404, title: "Not Found" })]
    res.writeHead(status, { "content-type": "application/rdap+json" })
    res.end(body)
  })
  return { ...(await listening(server)), paths }
}

/** An HTTP server whose every answer streams without a length until the client leaves. */
export interface Endless {
  readonly url: string
  /** Bytes written to sockets so far, over all answers. */
  readonly sent: () => number
  readonly close: () => Promise<void>
}

/**
 * Answers 200, chunked, 64 KB at a time as fast as the client reads, and stops when the client
 * goes away or after `limit` bytes (so that a client that never stops reading still ends).
 */
export const endlessServer = async (limit = 512 * 1024 * 1024): Promise<Endless> => {
  let sent = 0
  const chunk = Buffer.alloc(64 * 1024, 0x20)
  const server = createHttpServer((_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, { "content-type": "application/json" })
    let written = 0
    const pump = (): void => {
      while (!res.destroyed && written < limit) {
        written += chunk.length
        sent += chunk.length
        if (!res.write(chunk)) return void res.once("drain", pump)
      }
      if (!res.destroyed) res.end()
    }
    pump()
  })
  return { ...(await listening(server)), sent: () => sent }
}
