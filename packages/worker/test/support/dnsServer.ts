/**
 * A tiny authoritative DNS server for tests, on loopback only (UDP and TCP, one port). It serves a
 * fixed zone `netwark.test.` plus a three-level delegation so `dig +trace` can run without leaving
 * the machine: 127.0.0.1 acts as the root, 127.0.0.2 as the `test.` server, 127.0.0.3 as the
 * `netwark.test.` server, all on the same port (dig uses one `-p` for every step).
 *
 * Special names: `servfail.netwark.test` → SERVFAIL, `refused.netwark.test` → REFUSED,
 * `silent.netwark.test` → no reply (dig times out); unknown names → NXDOMAIN.
 */
import * as dgram from "node:dgram"
import * as net from "node:net"

type Rr = { name: string; type: number; ttl: number; data: Buffer }

const T = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  OPT: 41,
  CAA: 257,
} as const

const encodeName = (name: string): Buffer => {
  const labels = name
    .replace(/\.$/, "")
    .split(".")
    .filter((l) => l !== "")
  return Buffer.concat([
    ...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])),
    Buffer.from([0]),
  ])
}
const u16 = (n: number) => Buffer.from([(n >> 8) & 0xff, n & 0xff])
const u32 = (n: number) => {
  const b = Buffer.alloc(4)
  b.writeUInt32BE(n >>> 0)
  return b
}
const ipv4 = (a: string) => Buffer.from(a.split(".").map(Number))
const ipv6 = (a: string) => {
  const [head = "", tail = ""] = a.split("::")
  const h = head ? head.split(":") : []
  const t = tail ? tail.split(":") : []
  const groups = [...h, ...Array(8 - h.length - t.length).fill("0"), ...t]
  return Buffer.concat(groups.map((g) => u16(parseInt(g, 16))))
}
const txt = (...s: Array<string>) =>
  Buffer.concat(s.map((x) => Buffer.concat([Buffer.from([x.length]), Buffer.from(x)])))

const rr = (name: string, type: number, ttl: number, data: Buffer): Rr => ({
  name,
  type,
  ttl,
  data,
})

const SOA = rr(
  "netwark.test.",
  T.SOA,
  3600,
  Buffer.concat([
    encodeName("ns1.netwark.test."),
    encodeName("hostmaster.netwark.test."),
    u32(2026112601),
    u32(7200),
    u32(900),
    u32(1209600),
    u32(300),
  ]),
)

/** The records of `netwark.test.` (served by 127.0.0.3, and by 127.0.0.1 for plain queries). */
const ZONE: ReadonlyArray<Rr> = [
  SOA,
  rr("netwark.test.", T.NS, 3600, encodeName("ns1.netwark.test.")),
  rr("netwark.test.", T.MX, 300, Buffer.concat([u16(10), encodeName("mail.netwark.test.")])),
  rr("netwark.test.", T.MX, 300, Buffer.concat([u16(20), encodeName("backup.netwark.test.")])),
  rr("netwark.test.", T.TXT, 300, txt("v=spf1 -all")),
  rr("netwark.test.", T.TXT, 300, txt("two strings", "in one record")),
  rr(
    "netwark.test.",
    T.CAA,
    300,
    Buffer.concat([Buffer.from([0, 5]), Buffer.from("issue"), Buffer.from("letsencrypt.org")]),
  ),
  rr("ns1.netwark.test.", T.A, 3600, ipv4("127.0.0.3")),
  rr("www.netwark.test.", T.A, 60, ipv4("192.0.2.10")),
  rr("www.netwark.test.", T.A, 60, ipv4("192.0.2.11")),
  rr("www.netwark.test.", T.AAAA, 60, ipv6("2001:db8::10")),
  rr("alias.netwark.test.", T.CNAME, 60, encodeName("www.netwark.test.")),
  rr(
    "_sip._tcp.netwark.test.",
    T.SRV,
    60,
    Buffer.concat([u16(10), u16(60), u16(5060), encodeName("sip.netwark.test.")]),
  ),
  rr("10.2.0.192.in-addr.arpa.", T.PTR, 60, encodeName("www.netwark.test.")),
]

const parseName = (buf: Buffer, offset: number): [string, number] => {
  const labels: Array<string> = []
  let o = offset
  for (let guard = 0; guard < 128; guard++) {
    const len = buf[o] ?? 0
    if (len === 0) return [labels.join(".") + ".", o + 1]
    if ((len & 0xc0) === 0xc0) return [labels.join(".") + ".", o + 2]
    labels.push(buf.subarray(o + 1, o + 1 + len).toString("latin1"))
    o += 1 + len
  }
  return [labels.join(".") + ".", o]
}

const section = (records: ReadonlyArray<Rr>): Buffer =>
  Buffer.concat(
    records.map((r) =>
      Buffer.concat([
        encodeName(r.name),
        u16(r.type),
        u16(1),
        u32(r.ttl),
        u16(r.data.length),
        r.data,
      ]),
    ),
  )

/** Builds the answer for a query received on `local` (which plays root, TLD or zone server). */
const answer = (query: Buffer, local: string): Buffer | undefined => {
  if (query.length < 12) return undefined
  const id = query.readUInt16BE(0)
  const rd = (query[2] ?? 0) & 0x01
  const [qname, after] = parseName(query, 12)
  const qtype = query.readUInt16BE(after)
  const question = query.subarray(12, after + 4)
  const arcount = query.readUInt16BE(10)
  const edns = arcount > 0
  const name = qname.toLowerCase()
  let rcode = 0
  let aa = 1
  let ans: Array<Rr> = []
  let auth: Array<Rr> = []
  const add: Array<Rr> = []
  if (name === "silent.netwark.test.") return undefined
  if (local === "127.0.0.1" && name === "." && qtype === T.NS) {
    // NS names are address literals: dig +trace looks the root servers' names up with the system
    // resolver (getaddrinfo), which must not send anything off the machine; a literal needs no query.
    ans = [rr(".", T.NS, 86400, encodeName("127.0.0.1."))]
  } else if (local === "127.0.0.1" && rd === 0) {
    // Root: refer everything under test. to 127.0.0.2.
    aa = 0
    auth = [rr("test.", T.NS, 86400, encodeName("127.0.0.2."))]
  } else if (local === "127.0.0.2") {
    aa = 0
    auth = [rr("netwark.test.", T.NS, 3600, encodeName("127.0.0.3."))]
  } else if (name === "servfail.netwark.test.") {
    rcode = 2
  } else if (name === "refused.netwark.test.") {
    rcode = 5
  } else {
    const owned = ZONE.filter((r) => r.name === name)
    if (owned.length === 0) {
      rcode = 3
      auth = [SOA]
    } else {
      ans = owned.filter((r) => r.type === qtype || qtype === 255 || r.type === T.CNAME)
      if (ans.length === 0) auth = [SOA]
    }
  }
  const flags1 = 0x80 | (aa << 2) | rd
  const flags2 = (rd ? 0x80 : 0) | rcode
  const opt = edns
    ? Buffer.concat([Buffer.from([0]), u16(T.OPT), u16(1232), u32(0), u16(0)])
    : Buffer.alloc(0)
  return Buffer.concat([
    u16(id),
    Buffer.from([flags1, flags2]),
    u16(1),
    u16(ans.length),
    u16(auth.length),
    u16(add.length + (edns ? 1 : 0)),
    question,
    section(ans),
    section(auth),
    section(add),
    opt,
  ])
}

/** A running test DNS server. */
export interface DnsServer {
  readonly port: number
  readonly close: () => Promise<void>
}

/** Starts the server on 127.0.0.1–127.0.0.3, UDP and TCP, on one free port. */
export const startDnsServer = async (): Promise<DnsServer> => {
  for (let attempt = 0; attempt < 10; attempt++) {
    const sockets: Array<dgram.Socket> = []
    const servers: Array<net.Server> = []
    const close = async () => {
      await Promise.all(sockets.map((s) => new Promise<void>((r) => s.close(() => r()))))
      await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))))
    }
    try {
      let port = 0
      for (const local of ["127.0.0.1", "127.0.0.2", "127.0.0.3"]) {
        const udp = dgram.createSocket("udp4")
        sockets.push(udp)
        udp.on("message", (msg, rinfo) => {
          const out = answer(msg, local)
          if (out) udp.send(out, rinfo.port, rinfo.address)
        })
        await new Promise<void>((resolve, reject) => {
          udp.once("error", reject)
          udp.bind(port, local, () => resolve())
        })
        port = udp.address().port
        const tcp = net.createServer((conn) => {
          let buf = Buffer.alloc(0)
          conn.on("data", (d) => {
            buf = Buffer.concat([buf, d])
            while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
              const len = buf.readUInt16BE(0)
              const out = answer(buf.subarray(2, 2 + len), local)
              buf = buf.subarray(2 + len)
              if (out) conn.write(Buffer.concat([u16(out.length), out]))
            }
          })
          conn.on("error", () => undefined)
        })
        servers.push(tcp)
        await new Promise<void>((resolve, reject) => {
          tcp.once("error", reject)
          tcp.listen(port, local, () => resolve())
        })
      }
      return { port, close }
    } catch {
      await close().catch(() => undefined)
    }
  }
  throw new Error("could not bind the test DNS server on 127.0.0.1-3")
}
