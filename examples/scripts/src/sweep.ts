/**
 * Finds which hosts of an IPv4 range answer ping, with one fping process for the whole sweep
 * (at most 4,096 addresses). Loopback by default: point it only at networks you administer.
 *
 *   npm run sweep -w @netwark/examples -- 127.0.0.1 127.0.0.20
 *
 * Exit codes: 0 the sweep ran, 1 it could not run (fping and ping missing...), 2 bad input.
 */
import { Effect, Either } from "effect"
import { IpCalc, Ping } from "@netwark/tools"

/** What one `fping` run takes (`Ping.sweep` refuses more). */
const MAX_TARGETS = 4096

const [start = "127.0.0.1", end = "127.0.0.20"] = process.argv.slice(2)

const fail = (message: string, code: number): never => {
  console.error(message)
  return process.exit(code)
}

const cidrs = Either.getOrElse(IpCalc.range(start, end), (e) => fail(e.message, 2))
const toInt = (a: string) => a.split(".").reduce((n, o) => n * 256 + Number(o), 0)
const toAddr = (n: number) => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join(".")

const nets = cidrs.map((cidr) => Either.getOrThrow(IpCalc.parse(String(cidr))))
if (nets.some((net) => net.version !== 4))
  fail(`${start}-${end}: this example sweeps IPv4 ranges only`, 2)
// The range as IpCalc read it, counted before expanding: a /8 is refused at once instead of
// filling the memory.
const first = toInt(IpCalc.summary(nets[0]!).network)
const last = toInt(IpCalc.summary(nets.at(-1)!).lastAddress)
const count = last - first + 1
if (count > MAX_TARGETS)
  fail(`${start}-${end} holds ${count} addresses: sweep at most ${MAX_TARGETS} at once`, 2)

const targets: Array<string> = []
for (let n = first; n <= last; n++) targets.push(toAddr(n))

const report = await Effect.runPromise(
  Effect.either(Ping.sweep(targets, { count: 1, timeout: "500 millis" })),
).then((r) => Either.getOrElse(r, (e) => fail(e.message, e.reason === "InvalidInput" ? 2 : 1)))
const alive = report.results.filter((r) => r.alive)
console.log(`${alive.length} of ${report.results.length} answered (backend ${report.backend})`)
for (const r of alive) console.log(`  ${r.target.padEnd(15)} ${r.rttMs[0]?.toFixed(3)} ms`)
