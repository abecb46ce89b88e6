/**
 * Plans a site: splits a block into /26 subnets, describes the first, and names the vendors of a
 * few MAC addresses seen on it. Pure library calls: no network, no processes.
 *
 *   npm run subnet-plan -w @netwark/examples -- 10.20.0.0/24 26
 */
import { Either, Option } from "effect"
import { IpCalc, Oui } from "@netwark/tools"

const [block = "10.20.0.0/24", prefix = "26"] = process.argv.slice(2)

const fail = (e: { message: string }): never => {
  console.error(e.message)
  process.exit(2)
}

// Number("abc") is NaN and Number("") is 0: say what was wrong instead.
if (!/^\d{1,3}$/.test(prefix))
  fail({ message: `prefix must be a prefix length such as 26, got "${prefix}"` })

const subnets = Either.getOrElse(
  IpCalc.split(block, Number(prefix), { offset: 0, limit: 16 }),
  fail,
)
console.log(`${block} in /${prefix}: ${subnets.total} subnets`)
for (const s of subnets.subnets) console.log(`  ${s}`)

const first = Either.getOrElse(IpCalc.info(String(subnets.subnets[0])), fail)
console.log(
  `first: ${first.cidr}, hosts ${first.firstHost}-${first.lastHost} (${first.usableHosts} usable)`,
)

const registry = Either.getOrElse(Oui.bundledSync(), fail)
for (const mac of ["00:1b:63:84:45:e6", "8c1f.6447.7a09", "da:a1:19:00:00:01"]) {
  const match = Either.getOrElse(Oui.lookup(registry, mac), fail)
  const vendor = Option.match(match.assignment, {
    onNone: () =>
      match.locallyAdministered ? "locally administered (randomized)" : "unregistered",
    onSome: (a) => `${a.organization} (${a.registry} ${a.prefix})`,
  })
  console.log(`${match.mac}: ${vendor}`)
}
