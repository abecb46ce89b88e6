import { Dns, Mtr, Ping, Traceroute } from "@netwark/tools"
import { Duration, Either } from "effect"
import { describe, expect, it } from "vitest"
import { Jobs } from "../src/index.js"

const timeoutOf = (type: string, payload: unknown) => {
  const prepared = Jobs.prepare(type, payload)
  if (Either.isLeft(prepared)) throw new Error(prepared.left.message)
  return Duration.toMillis(prepared.right.timeout)
}

const right = <A>(e: Either.Either<A, unknown>): A => {
  if (Either.isLeft(e)) throw new Error("refused")
  return e.right
}

describe("Jobs.prepare", () => {
  it("tells each job's own hard deadline, as the tool computes it for the options", () => {
    const ping = { count: 5, interval: 200, timeout: 2000 }
    expect(timeoutOf("ping", { target: "127.0.0.1", options: ping })).toBe(
      Duration.toMillis(Ping.hardTimeout(right(Ping.validate("127.0.0.1", ping)))),
    )
    const mtr = { cycles: 3, interval: 500 }
    expect(timeoutOf("mtr", { target: "127.0.0.1", options: mtr })).toBe(
      Duration.toMillis(right(Mtr.validate(mtr)).timeout),
    )
    const traceroute = { maxHops: 5, wait: 1000 }
    expect(timeoutOf("traceroute", { target: "127.0.0.1", options: traceroute })).toBe(
      Duration.toMillis(right(Traceroute.validate(traceroute)).timeout),
    )
    const dns = { tryTimeout: 2000, tries: 2 }
    expect(timeoutOf("dns", { query: "example.test", options: dns })).toBe(
      Duration.toMillis(right(Dns.validate(dns)).timeout),
    )
    // more pings take longer
    expect(timeoutOf("ping", { target: "127.0.0.1", options: { count: 50 } })).toBeGreaterThan(
      timeoutOf("ping", { target: "127.0.0.1", options: { count: 2 } }),
    )
  })
})
