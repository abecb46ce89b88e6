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
const nets = cidrs.map((cidr) => Either.getOrThrow(IpCalc.parse(String(cidr))))
if (nets.some((net) => net.version !== 4))
  fail(`${start}-${end}: this example sweeps IPv4 ranges only`, 2)
// The range's blocks (in order, end to end), counted before expanding: a /8 is refused at once
// instead of filling the memory.
const count = nets.reduce((n, net) => n + Number(IpCalc.addressCount(net)), 0)
if (count > MAX_TARGETS)
  fail(`${start}-${end} holds ${count} addresses: sweep at most ${MAX_TARGETS} at once`, 2)

// An IPv4 network's address is its last word, an unsigned integer.
const first = nets[0]!.w3
const targets = Array.from({ length: count }, (_, i) => IpCalc.formatInteger(4, BigInt(first + i)))

const report = await Effect.runPromise(
  Effect.either(Ping.sweep(targets, { count: 1, timeout: "500 millis" })),
).then((r) => Either.getOrElse(r, (e) => fail(e.message, e.reason === "InvalidInput" ? 2 : 1)))
const alive = report.results.filter((r) => r.alive)
console.log(`${alive.length} of ${report.results.length} answered (backend ${report.backend})`)
for (const r of alive) console.log(`  ${r.target.padEnd(15)} ${r.rttMs[0]?.toFixed(3)} ms`)
