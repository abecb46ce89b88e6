/**
 * Finds which hosts of a range answer ping, with one fping process for the whole sweep.
 * Loopback by default: point it only at networks you administer.
 *
 *   npm run sweep -w @netwark/examples -- 127.0.0.1 127.0.0.20
 */
import { Effect, Either } from "effect"
import { IpCalc, Ping } from "@netwark/tools"

const [start = "127.0.0.1", end = "127.0.0.20"] = process.argv.slice(2)

const cidrs = Either.getOrElse(IpCalc.range(start, end), (e) => {
  console.error(e.message)
  return process.exit(2)
})
const targets = cidrs.flatMap((cidr) => {
  const net = Either.getOrThrow(IpCalc.parse(String(cidr)))
  const s = IpCalc.summary(net)
  return net.version === 4 ? expand(s.network, s.lastAddress) : []
})

function expand(first: string, last: string): Array<string> {
  const toInt = (a: string) => a.split(".").reduce((n, o) => n * 256 + Number(o), 0)
  const toAddr = (n: number) => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join(".")
  const out: Array<string> = []
  for (let n = toInt(first); n <= toInt(last); n++) out.push(toAddr(n))
  return out
}

const report = await Effect.runPromise(Ping.sweep(targets, { count: 1, timeout: "500 millis" }))
const alive = report.results.filter((r) => r.alive)
console.log(`${alive.length} of ${report.results.length} answered (backend ${report.backend})`)
for (const r of alive) console.log(`  ${r.target.padEnd(15)} ${r.rttMs[0]?.toFixed(3)} ms`)
