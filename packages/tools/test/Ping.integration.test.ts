/**
 * Runs the real `ping`/`fping` against loopback and against hosts in a network namespace this file
 * creates (see support/netns.ts). Nothing is sent anywhere else; the unknown-host case goes through
 * an injected resolver because resolving `*.invalid` with the system resolver would send a DNS
 * query off the machine.
 */
import { execFileSync } from "node:child_process"
import { Chunk, Effect, Either, Fiber, Stream } from "effect"
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest"

// Every process Netwark starts goes through child_process.spawn (in Exec): count the calls.
const spawned = vi.hoisted(() => ({ count: 0 }))
vi.mock("node:child_process", async (importOriginal) => {
  const original = await importOriginal<typeof import("node:child_process")>()
  return {
    ...original,
    spawn: ((...args: Parameters<typeof original.spawn>) => {
      spawned.count++
      return original.spawn(...args)
    }) as typeof original.spawn,
  }
})
import * as Ping from "../src/Ping.js"
import { canUseNetns, createHost, type NetnsHost } from "./support/netns.js"

const has = (bin: string) => {
  try {
    execFileSync("sh", ["-c", 'command -v "$1"', "sh", bin])
    return true
  } catch {
    return false
  }
}
const hasPing = has("ping")
const hasFping = has("fping")
const ipv6Loopback = (() => {
  if (!hasPing) return false
  try {
    execFileSync("ping", ["-6", "-n", "-c", "1", "-W", "1", "--", "::1"])
    return true
  } catch {
    return false
  }
})()
const netns = await canUseNetns()
const fast = { count: 3, interval: "200 millis", timeout: "1 second" } as const

describe.skipIf(!hasPing)(
  `Ping runner on loopback${hasPing ? "" : " (skipped: ping is not installed)"}`,
  () => {
    it("streams each reply before the final result (127.0.0.1)", async () => {
      const progress = Chunk.toReadonlyArray(
        await Effect.runPromise(Stream.runCollect(Ping.stream("127.0.0.1", fast))),
      )
      expect(progress.map((p) => p._tag)).toEqual(["Event", "Event", "Event", "Done"])
      const done = progress.at(-1)
      expect(done?._tag === "Done" && done.result).toMatchObject({
        status: "ok",
        resolvedAddress: "127.0.0.1",
        missing: [],
        summary: { transmitted: 3, received: 3, lossPercent: 0 },
      })
    })

    it.skipIf(!ipv6Loopback)(
      `pings ::1${ipv6Loopback ? "" : " (skipped: IPv6 loopback does not answer)"}`,
      async () => {
        const r = await Effect.runPromise(Ping.run("::1", { ...fast, ipVersion: 6 }))
        expect(r.status).toBe("ok")
        expect(r.replies.map((p) => p.from)).toEqual(["::1", "::1", "::1"])
      },
    )

    it("resolves localhost from /etc/hosts", async () => {
      const r = await Effect.runPromise(Ping.run("localhost", { ...fast, count: 1, ipVersion: 4 }))
      expect(r.status).toBe("ok")
      expect(r.destination).toBe("localhost")
    })

    it("kills ping when the AbortSignal fires (Aborted)", async () => {
      const controller = new AbortController()
      const started = Date.now()
      const pending = Ping.runPromise(
        "127.0.0.1",
        { count: 100, interval: "1 second" },
        {
          signal: controller.signal,
        },
      )
      setTimeout(() => controller.abort(), 300)
      await expect(pending).rejects.toMatchObject({ reason: "Aborted" })
      expect(Date.now() - started).toBeLessThan(3000)
    })

    it("stops on Effect interruption", async () => {
      const fiber = Effect.runFork(Ping.run("127.0.0.1", { count: 100, interval: "1 second" }))
      await new Promise((r) => setTimeout(r, 300))
      const started = Date.now()
      await Effect.runPromise(Fiber.interrupt(fiber))
      expect(Date.now() - started).toBeLessThan(2000)
    })

    it("applies the target policy after resolution, before spawning", async () => {
      const before = spawned.count
      const r = await Effect.runPromise(
        Effect.either(
          Ping.run("localhost", { ...fast, policy: { deny: ["127.0.0.0/8", "::1/128"] } }),
        ),
      )
      expect(Either.isLeft(r) && r.left).toMatchObject({ reason: "PolicyDenied" })
      expect(spawned.count).toBe(before)
    })

    it("reports an unknown host as UnknownHost without spawning (injected resolver)", async () => {
      const before = spawned.count
      const r = await Effect.runPromise(
        Effect.either(
          Ping.run("nothing.invalid", {
            ...fast,
            policy: {},
            resolve: async () => {
              throw Object.assign(new Error("ENOTFOUND"), { code: "ENOTFOUND" })
            },
          }),
        ),
      )
      expect(Either.isLeft(r) && r.left).toMatchObject({
        reason: "UnknownHost",
        message: "unknown host nothing.invalid",
      })
      expect(spawned.count).toBe(before)
    })

    it("pings the policy-checked address, keeping the name as destination", async () => {
      const r = await Effect.runPromise(
        Ping.run("printer.test", {
          ...fast,
          count: 1,
          policy: { allow: ["127.0.0.0/8"] },
          resolve: async () => [{ address: "127.0.0.1", family: 4 }],
        }),
      )
      expect(r).toMatchObject({
        status: "ok",
        destination: "printer.test",
        resolvedAddress: "127.0.0.1",
      })
    })

    it("fails with NonZeroExit and ping's message for a missing interface", async () => {
      const r = await Effect.runPromise(
        Effect.either(Ping.run("127.0.0.1", { ...fast, count: 1, interface: "nwnosuch0" })),
      )
      expect(Either.isLeft(r) && r.left.reason).toBe("NonZeroExit")
      expect(Either.isLeft(r) && r.left.message).toContain("nwnosuch0")
    })

    it("reports NotInstalled when ping is not on PATH", async () => {
      const path = process.env["PATH"]
      process.env["PATH"] = "/nonexistent"
      try {
        const r = await Effect.runPromise(Effect.either(Ping.run("127.0.0.1", fast)))
        expect(Either.isLeft(r) && r.left.reason).toBe("NotInstalled")
      } finally {
        process.env["PATH"] = path
      }
    })
  },
)

describe.skipIf(!hasPing || !netns.ok)(
  `Ping runner against a network-namespace host${netns.ok ? "" : ` (skipped: ${netns.reason})`}`,
  () => {
    let host: NetnsHost
    beforeAll(async () => {
      host = await createHost()
    })
    afterAll(async () => {
      await host?.destroy()
    })

    it("gets replies from the host over IPv4 and IPv6", async () => {
      const v4 = await Effect.runPromise(Ping.run(host.hostAddress4, fast))
      expect(v4).toMatchObject({ status: "ok", resolvedAddress: host.hostAddress4, missing: [] })
      expect(v4.replies.every((p) => p.from === host.hostAddress4 && p.ttl === 64)).toBe(true)
      const v6 = await Effect.runPromise(Ping.run(host.hostAddress6, fast))
      expect(v6.status).toBe("ok")
    })

    it("returns 100 % loss as a result for an address nobody answers", async () => {
      const r = await Effect.runPromise(Ping.run(host.unreachable4, fast))
      expect(r).toMatchObject({
        status: "total-loss",
        missing: [1, 2, 3],
        summary: { transmitted: 3, received: 0, lossPercent: 100 },
      })
    })

    it("streams ICMP errors from the router and keeps them in the result (IPv4 and IPv6)", async () => {
      const progress = Chunk.toReadonlyArray(
        await Effect.runPromise(Stream.runCollect(Ping.stream(host.rejected4, fast))),
      )
      const events = Ping.collectEvents(Chunk.fromIterable(progress))
      expect(events.filter((e) => e.type === "error")).toEqual(
        [1, 2, 3].map((sequence) => ({
          type: "error",
          sequence,
          from: host.hostAddress4,
          message: "Destination Host Unreachable",
        })),
      )
      const done = progress.at(-1)
      expect(done?._tag === "Done" && done.result).toMatchObject({
        status: "total-loss",
        missing: [1, 2, 3],
        summary: { transmitted: 3, received: 0, errors: 3, lossPercent: 100 },
      })
      const v6 = await Effect.runPromise(Ping.run(host.rejected6, fast))
      expect(v6.errors.map((e) => [e.from, e.message])).toEqual(
        Array.from({ length: 3 }, () => [host.hostAddress6, "Destination unreachable: No route"]),
      )
    })

    it("streams no-answer events and reports total loss for a host that drops echo requests", async () => {
      await host.addDropRule()
      try {
        const progress = Chunk.toReadonlyArray(
          await Effect.runPromise(Stream.runCollect(Ping.stream(host.hostAddress4, fast))),
        )
        const events = Ping.collectEvents(Chunk.fromIterable(progress))
        expect(events.map((e) => e.type)).toEqual(["timeout", "timeout"])
        const done = progress.at(-1)
        expect(done?._tag === "Done" && done.result).toMatchObject({
          status: "total-loss",
          missing: [1, 2, 3],
        })
      } finally {
        await host.removeDropRule()
      }
    })

    it.skipIf(!hasFping)(
      `sweeps live and dead namespace addresses with fping${hasFping ? "" : " (skipped: fping is not installed)"}`,
      async () => {
        const r = await Effect.runPromise(
          Ping.sweep([host.hostAddress4, host.unreachable4, host.localAddress4], {
            timeout: "300 millis",
          }),
        )
        expect(r.backend).toBe("fping")
        expect(r.results.map((x) => [x.target, x.alive])).toEqual([
          [host.hostAddress4, true],
          [host.unreachable4, false],
          [host.localAddress4, true],
        ])
      },
    )

    it("sweeps with the ping fallback too", async () => {
      const r = await Effect.runPromise(
        Ping.sweep([host.hostAddress4, host.unreachable4], {
          backend: "ping",
          timeout: "300 millis",
        }),
      )
      expect(r.results.map((x) => [x.alive, x.lossPercent])).toEqual([
        [true, 0],
        [false, 100],
      ])
    })
  },
)

describe.skipIf(!hasFping)(
  `Ping.sweep on loopback${hasFping ? "" : " (skipped: fping is not installed)"}`,
  () => {
    it("pings 127.0.0.1–127.0.0.254 with one fping process, results in order", async () => {
      const targets = Array.from({ length: 254 }, (_, i) => `127.0.0.${i + 1}`)
      const r = await Effect.runPromise(Ping.sweep(targets))
      expect(r.backend).toBe("fping")
      expect(r.results.map((x) => x.target)).toEqual(targets)
      expect(r.results.every((x) => x.alive && x.sent === 1 && x.rttMs[0]! >= 0)).toBe(true)
    })
  },
)
