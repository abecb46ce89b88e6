/**
 * What the browser tests run against: the real server in embedded mode (PGlite, in-process
 * transport, its local worker) on a free loopback port serving the built console, loopback
 * WHOIS servers replaying a recorded answer, and Debian's Chromium driven by playwright-core.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { createSocket } from "node:dgram"
import { type AddressInfo, createServer, type Socket } from "node:net"
import { tmpdir } from "node:os"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { type Browser, chromium } from "playwright-core"

/** This package's folder. */
export const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
/** The built console. */
export const distDir = path.join(webDir, "dist")
/** The server's entry point (built by turbo before this package's tests). */
export const serverMain = path.resolve(webDir, "../server/dist/main.js")
/** Debian's Chromium: never a downloaded browser. */
export const chromiumPath = "/usr/bin/chromium"
/** Where the screenshots go (gitignored). */
export const screenshotDir = path.join(webDir, "e2e", "screenshots")

/** A loopback WHOIS server answering every query with `answer`. */
const whoisServer = async (
  answer: string,
): Promise<{ address: string; close: () => Promise<void> }> => {
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on("close", () => sockets.delete(socket))
    socket.on("error", () => undefined)
    socket.once("data", () => socket.end(answer))
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    address: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}

/**
 * A loopback DNS server over UDP: every A question gets 192.0.2.1 (TTL 300), any other type an
 * empty NOERROR answer. Just enough DNS for dig to print an answer section.
 */
export const dnsServer = async (): Promise<{ port: number; close: () => Promise<void> }> => {
  const socket = createSocket("udp4")
  socket.on("message", (query, peer) => {
    if (query.length < 17) return
    let end = 12
    while (end < query.length && query[end] !== 0) end += (query[end] ?? 0) + 1
    const question = query.subarray(12, end + 5)
    const qtype = query.readUInt16BE(end + 1)
    const header = Buffer.alloc(12)
    query.copy(header, 0, 0, 2)
    header.writeUInt16BE(0x8180, 2)
    header.writeUInt16BE(1, 4)
    header.writeUInt16BE(qtype === 1 ? 1 : 0, 6)
    const answer =
      qtype === 1
        ? Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0x01, 0x2c, 0, 4, 192, 0, 2, 1])
        : Buffer.alloc(0)
    socket.send(Buffer.concat([header, question, answer]), peer.port, peer.address)
  })
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve))
  return {
    port: socket.address().port,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  }
}

/** A running server. */
export interface RunningServer {
  readonly url: string
  readonly log: () => string
  readonly stop: () => Promise<void>
}

/** Starts the server in embedded mode on a free port, with a located queue for the map. */
export const startServer = async (): Promise<RunningServer> => {
  if (!existsSync(serverMain))
    throw new Error(
      `the server is not built: ${serverMain} is missing (npm run build -w @netwark/server)`,
    )
  if (!existsSync(path.join(distDir, "index.html")))
    throw new Error(`the console is not built: run npm run build -w @netwark/web`)
  const dataDir = mkdtempSync(path.join(tmpdir(), "netwark-web-e2e-"))
  const iana = await whoisServer("refer:        whois.ripe.net\n")
  const ripe = await whoisServer(
    readFileSync(path.join(webDir, "e2e/fixtures/whois/ripe-62.239.237.1.txt"), "latin1"),
  )
  const rirs = [
    "whois.ripe.net",
    "whois.arin.net",
    "whois.apnic.net",
    "whois.afrinic.net",
    "whois.lacnic.net",
  ]
  const child: ChildProcess = spawn(process.execPath, [serverMain], {
    cwd: dataDir,
    env: {
      PATH: process.env["PATH"] ?? "/usr/bin:/bin",
      HOME: process.env["HOME"] ?? dataDir,
      NETWARK_PORT: "0",
      NETWARK_HOST: "127.0.0.1",
      NETWARK_DATA_DIR: path.join(dataDir, "data"),
      NETWARK_WEB_DIR: distDir,
      NETWARK_QUEUES: JSON.stringify([
        {
          queue: "lab",
          name: "Lab",
          location: "Paris",
          broadcast: false,
          latitude: 48.85,
          longitude: 2.35,
        },
        {
          queue: "lab.all",
          name: "Lab (all)",
          location: "Paris",
          broadcast: true,
          latitude: 48.85,
          longitude: 2.35,
        },
        {
          queue: "tokyo",
          name: "Tokyo",
          location: "Tokyo",
          broadcast: false,
          latitude: 35.68,
          longitude: 139.69,
        },
      ]),
      // Every WHOIS server is the loopback replay; no RDAP (it would need HTTPS to the registries).
      NETWARK_WHOIS_IANA_SERVER: iana.address,
      NETWARK_WHOIS_SERVERS: rirs.map((r) => `${r}=${ripe.address}`).join(","),
      NETWARK_RDAP: "false",
      NETWARK_WHOIS_TIMEOUT_MS: "3000",
      NETWARK_GEOIP_CITY: path.join(webDir, "e2e/fixtures/geoip/GeoLite2-City-Test.mmdb"),
    },
    stdio: ["ignore", "pipe", "pipe"],
  })
  let log = ""
  child.stdout?.on("data", (d: Buffer) => (log += d.toString()))
  child.stderr?.on("data", (d: Buffer) => (log += d.toString()))
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`server did not start in 60 s:\n${log}`)),
      60_000,
    )
    const check = (): void => {
      const m = /listening on (http:\/\/[^\s]+)/.exec(log)
      if (m?.[1] !== undefined) {
        clearTimeout(timer)
        resolve(m[1])
      }
    }
    child.stdout?.on("data", check)
    child.once("exit", (code) => {
      clearTimeout(timer)
      reject(new Error(`server exited with ${code}:\n${log}`))
    })
  })
  return {
    url,
    log: () => log,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve))
        child.kill("SIGTERM")
        const timer = setTimeout(() => child.kill("SIGKILL"), 10_000)
        await exited
        clearTimeout(timer)
      }
      await iana.close()
      await ripe.close()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/** Launches Chromium headless (Playwright gives it a fresh temporary profile each time). */
export const launchBrowser = (): Promise<Browser> =>
  chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  })
