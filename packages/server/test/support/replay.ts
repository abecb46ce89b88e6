/** Loopback stand-ins for WHOIS (port 43 style) and RDAP (HTTP) servers that replay recorded answers. */
import { createServer as createHttpServer } from "node:http"
import { createServer, type AddressInfo, type Socket } from "node:net"

/** A running local server. */
export interface Local {
  /** `127.0.0.1:port` (WHOIS) or `http://127.0.0.1:port/` (HTTP). */
  readonly address: string
  /** What was asked: WHOIS query lines, or HTTP paths. */
  readonly seen: Array<string>
  /** Connections open now. */
  readonly open: () => number
  readonly close: () => Promise<void>
}

const closer = (server: { close: (cb: () => void) => void }, sockets: Set<Socket>) => () =>
  new Promise<void>((resolve) => {
    for (const s of sockets) s.destroy()
    server.close(() => resolve())
  })

/** A WHOIS server: one query line in, `answer(query)` out, then close; `undefined`: never answer. */
export const whoisServer = async (
  answer: (query: string) => string | undefined,
): Promise<Local> => {
  const seen: Array<string> = []
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
      seen.push(q)
      const a = answer(q)
      if (a !== undefined) socket.end(a)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const port = (server.address() as AddressInfo).port
  return {
    address: `127.0.0.1:${port}`,
    seen,
    open: () => sockets.size,
    close: closer(server, sockets),
  }
}

/** An HTTP server answering `routes[path]` (`[status, body]`) as RDAP JSON, 404 otherwise. */
export const rdapServer = async (
  routes: Readonly<Record<string, readonly [number, string]>>,
): Promise<Local> => {
  const seen: Array<string> = []
  const sockets = new Set<Socket>()
  const server = createHttpServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname)
    seen.push(path)
    const [status, body] = routes[path] ?? [404, JSON.stringify({ errorCode: 404 })]
    res.writeHead(status, { "content-type": "application/rdap+json" })
    res.end(body)
  })
  server.on("connection", (s) => {
    sockets.add(s)
    s.on("close", () => sockets.delete(s))
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const port = (server.address() as AddressInfo).port
  return {
    address: `http://127.0.0.1:${port}/`,
    seen,
    open: () => sockets.size,
    close: closer(server, sockets),
  }
}

/** A loopback port nothing listens on (bound, then released). */
export const closedPort = async (): Promise<number> => {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const port = (server.address() as AddressInfo).port
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}
