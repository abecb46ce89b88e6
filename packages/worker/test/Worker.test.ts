/**
 * The worker over the in-process transport: real ping and dig against loopback, refused jobs that
 * never spawn, presence as the registry sees it, graceful shutdown.
 */
import { execFileSync } from "node:child_process"
import { existsSync } from "node:fs"
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises"
import { createServer, type AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import path from "node:path"
import { Chunk, Effect, Exit, Fiber, Layer, Scope, Stream } from "effect"
import type { Capabilities } from "@netwark/tools"
import { type Envelope, InProcess, Queues, Registry, Transport } from "@netwark/transport"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as Jobs from "../src/Jobs.js"
import * as Worker from "../src/Worker.js"
import { startDnsServer, type DnsServer } from "../../tools/test/support/dnsServer.js"

const has = (command: string, args: ReadonlyArray<string>) => {
  try {
    execFileSync(command, [...args], { stdio: "ignore" })
    return true
  } catch {
    return false
  }
}
const hasPing = has("ping", ["-c", "1", "-W", "1", "127.0.0.1"])
const hasDig = has("dig", ["-v"])
const hasMtr = has("mtr", ["--version"])
const hasTraceroute = has("traceroute", ["--version"])

/** Detection costs a few spawns per worker; the tests announce a fixed set instead. */
const capabilities: Capabilities.Capabilities = {
  tools: Object.fromEntries(
    ["ping", "fping", "mtr", "traceroute", "dig", "whois"].map((t) => [
      t,
      { installed: true, package: t },
    ]),
  ) as unknown as Capabilities.Capabilities["tools"],
}

const base: Worker.Options = {
  id: "w1",
  queues: [Queues.direct, Queues.broadcast],
  hostname: "test-host",
  version: "9.9.9",
  capabilities,
  heartbeat: "100 millis",
  shutdownGrace: "5 seconds",
}

/** Replies of one operation, up to and including its result (acked as they come). */
const replies = (transport: Transport.Service, operationId: string, results = 1) =>
  Effect.suspend(() => {
    let seen = 0
    return transport.results().pipe(
      Stream.tap((d) => d.ack),
      Stream.map((d) => d.message),
      Stream.filter((m) => m.operationId === operationId),
      Stream.takeUntil((m) => m.kind === "result" && ++seen >= results),
      Stream.runCollect,
      Effect.map(Chunk.toReadonlyArray),
      Effect.timeout("20 seconds"),
    )
  })

const resultOf = (messages: ReadonlyArray<Envelope.Reply>) => {
  const result = messages.find((m): m is Envelope.Result => m.kind === "result")
  if (!result) throw new Error("no result")
  return result
}

/** Run a test program with a worker on a fresh in-process transport. */
const withWorker = <A, E>(
  program: (transport: Transport.Service) => Effect.Effect<A, E, Scope.Scope | Transport.Transport>,
  options: Partial<Worker.Options> = {},
) =>
  Effect.runPromise(
    Effect.gen(function* () {
      const transport = yield* Transport.Transport
      yield* Worker.start({ ...base, ...options })
      return yield* program(transport)
    }).pipe(Effect.scoped, Effect.provide(InProcess.layer({ jobTypes: Jobs.types }))),
  )

describe.skipIf(!hasPing)(
  `worker runs real jobs in-process${hasPing ? "" : " (skipped: ping cannot run here)"}`,
  () => {
    it("ping 127.0.0.1: one progress message per reply, then the parsed result", async () => {
      const messages = await withWorker((transport) =>
        Effect.gen(function* () {
          yield* transport.dispatch(
            {
              operationId: "op-ping",
              type: "ping",
              payload: { target: "127.0.0.1", options: { count: 3, interval: "200 millis" } },
            },
            [Queues.direct],
          )
          return yield* replies(transport, "op-ping")
        }),
      )
      const progress = messages.filter((m) => m.kind === "progress")
      expect(progress.map((p) => (p.data as { event: { type: string } }).event.type)).toEqual([
        "reply",
        "reply",
        "reply",
      ])
      expect(progress.map((p) => p.seq)).toEqual([0, 1, 2])
      const result = resultOf(messages)
      expect(result).toMatchObject({ status: "ok", workerId: "w1", attempt: 1 })
      const data = result.data as {
        status: string
        replies: ReadonlyArray<{ sequence: number }>
        raw: string
        summary: { transmitted: number; received: number }
      }
      expect(data.status).toBe("ok")
      expect(data.replies.map((r) => r.sequence)).toEqual([1, 2, 3])
      expect(data.summary).toMatchObject({ transmitted: 3, received: 3 })
      expect(data.raw).toContain("PING 127.0.0.1")
    })

    it.skipIf(!hasMtr)("mtr 127.0.0.1: hop updates as progress, then the parsed hops", async () => {
      const messages = await withWorker((transport) =>
        Effect.gen(function* () {
          yield* transport.dispatch(
            {
              operationId: "op-mtr",
              type: "mtr",
              payload: {
                target: "127.0.0.1",
                options: { cycles: 2, interval: "200 millis", gracePeriod: "200 millis" },
              },
            },
            [Queues.direct],
          )
          return yield* replies(transport, "op-mtr")
        }),
      )
      const progress = messages.filter((m) => m.kind === "progress").map((m) => m.data)
      expect(progress.length).toBeGreaterThanOrEqual(1)
      expect(progress[0]).toMatchObject({ type: "mtr", hops: [{ hop: 1 }] })
      const result = resultOf(messages)
      expect(result.status).toBe("ok")
      const data = result.data as {
        hops: ReadonlyArray<{ hop: number; sent: number }>
        raw: string
      }
      expect(data.hops.map((h) => h.hop)).toEqual([1])
      expect(data.hops[0]?.sent).toBe(2)
      expect(data.raw).not.toBe("")
    })

    it.skipIf(!hasTraceroute)("traceroute 127.0.0.1: each hop as progress", async () => {
      const messages = await withWorker((transport) =>
        Effect.gen(function* () {
          yield* transport.dispatch(
            {
              operationId: "op-tr",
              type: "traceroute",
              payload: { target: "127.0.0.1", options: { maxHops: 3, queries: 1, wait: 1000 } },
            },
            [Queues.direct],
          )
          return yield* replies(transport, "op-tr")
        }),
      )
      const progress = messages.filter((m) => m.kind === "progress").map((m) => m.data)
      expect(progress).toMatchObject([{ type: "traceroute", hop: { hop: 1 } }])
      const result = resultOf(messages)
      expect(result.status).toBe("ok")
      expect(result.data).toMatchObject({ status: "ok", reached: true })
    })

    it("a running job is stopped at its deadline", async () => {
      const messages = await withWorker((transport) =>
        Effect.gen(function* () {
          yield* transport.dispatch(
            {
              operationId: "op-deadline",
              type: "ping",
              payload: { target: "127.0.0.1", options: { count: 20, interval: "500 millis" } },
              timeout: "1200 millis",
            },
            [Queues.direct],
          )
          return yield* replies(transport, "op-deadline")
        }),
      )
      const result = resultOf(messages)
      expect(result.status).toBe("error")
      expect(result.error?.message).toMatch(/stopped at its deadline/)
      expect(result.error?.reason).toBe("Timeout")
      expect(result.finishedAt - result.startedAt).toBeLessThan(2_000)
      expect(messages.filter((m) => m.kind === "progress").length).toBeGreaterThanOrEqual(2)
    })

    it("a direct job of a type the worker does not serve is answered with why; a broadcast copy is dead-lettered", async () => {
      const { answered, dead } = await withWorker(
        (transport) =>
          Effect.gen(function* () {
            const reply = yield* Effect.fork(replies(transport, "op-whois"))
            yield* transport.dispatch(
              { operationId: "op-whois", type: "whois", payload: { query: "example.com" } },
              [Queues.direct],
            )
            const answered = resultOf(yield* Fiber.join(reply))
            yield* transport.dispatch(
              { operationId: "op-mtr-off", type: "mtr", payload: { target: "127.0.0.1" } },
              [Queues.broadcast],
            )
            const dead = yield* transport.deadLetters().pipe(
              Stream.tap((d) => d.ack),
              Stream.map((d) => d.message),
              Stream.take(1),
              Stream.runCollect,
              Effect.map(Chunk.toReadonlyArray),
              Effect.timeout("5 seconds"),
            )
            return { answered, dead }
          }),
        { jobs: ["ping"] },
      )
      // at once, and never run: the operation need not wait for its deadline
      expect(answered.status).toBe("error")
      expect(answered.error).toEqual({
        message:
          "worker w1 does not run whois jobs (it runs ping): every worker on a shared queue should run the types sent to it",
        reason: "UnknownType",
      })
      expect(dead.map((d) => d.reason)).toEqual(["UnknownType"])
      expect(dead[0]?.detail).toMatch(/mtr is not served by worker w1/)
    })

    it("a broadcast reaches every worker; each answers once", async () => {
      const messages = await withWorker((transport) =>
        Effect.gen(function* () {
          yield* Worker.start({ ...base, id: "w2" })
          yield* transport.dispatch(
            {
              operationId: "op-b",
              type: "ping",
              payload: { target: "127.0.0.1", options: { count: 1 } },
            },
            [Queues.broadcast],
          )
          return yield* replies(transport, "op-b", 2)
        }),
      )
      const results = messages.filter((m): m is Envelope.Result => m.kind === "result")
      expect(results.map((r) => r.workerId).sort()).toEqual(["w1", "w2"])
      expect(results.every((r) => r.status === "ok" && r.mode === "each")).toBe(true)
    })

    it("shutdown waits for a running job within the grace period", async () => {
      const result = await Effect.runPromise(
        Effect.gen(function* () {
          const transport = yield* Transport.Transport
          const scope = yield* Scope.make()
          const worker = yield* Worker.start(base).pipe(Scope.extend(scope))
          yield* transport.dispatch(
            {
              operationId: "op-drain",
              type: "ping",
              payload: { target: "127.0.0.1", options: { count: 3, interval: "300 millis" } },
            },
            [Queues.direct],
          )
          const collected = yield* Effect.fork(replies(transport, "op-drain"))
          // close once the job runs: the result must still come
          yield* Effect.repeat(worker.running, { until: (n) => n > 0 })
          yield* Scope.close(scope, Exit.void)
          return resultOf(yield* collected.await.pipe(Effect.flatten))
        }).pipe(Effect.scoped, Effect.provide(InProcess.layer({ jobTypes: Jobs.types }))),
      )
      expect(result.status).toBe("ok")
      expect((result.data as { replies: ReadonlyArray<unknown> }).replies).toHaveLength(3)
    })

    it("past the grace period a running job is handed back and run by another worker", async () => {
      const lab = { queue: "lab", name: "Lab", location: "Lab", broadcast: false }
      const onLab = { ...base, queues: ["lab"], locations: ["Lab"] }
      const outcome = await Effect.runPromise(
        Effect.gen(function* () {
          const transport = yield* Transport.Transport
          const scope = yield* Scope.make()
          const first = yield* Worker.start({ ...onLab, shutdownGrace: "200 millis" }).pipe(
            Scope.extend(scope),
          )
          yield* transport.dispatch(
            {
              operationId: "op-handback",
              type: "ping",
              payload: { target: "127.0.0.1", options: { count: 4, interval: "300 millis" } },
            },
            ["lab"],
          )
          yield* Effect.repeat(first.running, { until: (n) => n > 0 })
          const started = Date.now()
          yield* Scope.close(scope, Exit.void)
          const closedAfter = Date.now() - started
          // the tool was stopped, not left running (pgrep exits 1 when nothing matches)
          const pingLeft = yield* Effect.sync(() => {
            try {
              execFileSync("pgrep", ["-f", "--", "-c 4 -i 0.3 -- 127.0.0.1"], { stdio: "ignore" })
              return true
            } catch {
              return false
            }
          })
          yield* Worker.start({ ...onLab, id: "w2" })
          const messages = yield* replies(transport, "op-handback")
          return { closedAfter, pingLeft, messages, running: yield* first.running }
        }).pipe(
          Effect.scoped,
          Effect.provide(InProcess.layer({ queues: [lab], jobTypes: Jobs.types })),
        ),
      )
      expect(outcome.closedAfter).toBeLessThan(1_000)
      expect(outcome.pingLeft).toBe(false)
      expect(outcome.running).toBe(0)
      const results = outcome.messages.filter((m): m is Envelope.Result => m.kind === "result")
      expect(results).toHaveLength(1)
      expect(results[0]).toMatchObject({ workerId: "w2", status: "ok" })
      expect(results[0]?.attempt).toBeGreaterThanOrEqual(2)
      expect((results[0]?.data as { replies: ReadonlyArray<unknown> }).replies).toHaveLength(4)
    })

    it("a job sent during the grace period goes to another worker at once, not after the drain", async () => {
      const lab = { queue: "lab", name: "Lab", location: "Lab", broadcast: false }
      const onLab = { ...base, queues: ["lab"], locations: ["Lab"] }
      const outcome = await Effect.runPromise(
        Effect.gen(function* () {
          const transport = yield* Transport.Transport
          const scope = yield* Scope.make()
          const first = yield* Worker.start({ ...onLab, shutdownGrace: "5 seconds" }).pipe(
            Scope.extend(scope),
          )
          const ping = (operationId: string, count: number) =>
            transport.dispatch(
              {
                operationId,
                type: "ping",
                payload: { target: "127.0.0.1", options: { count, interval: "300 millis" } },
              },
              ["lab"],
            )
          yield* ping("op-running", 3)
          yield* Effect.repeat(first.running, { until: (n) => n > 0 })
          yield* Worker.start({ ...onLab, id: "w2" })
          const closing = yield* Effect.fork(Scope.close(scope, Exit.void))
          yield* Effect.sleep("50 millis")
          yield* ping("op-late", 1)
          const late = resultOf(yield* replies(transport, "op-late"))
          yield* closing.await
          const running = resultOf(yield* replies(transport, "op-running"))
          return { running, late }
        }).pipe(
          Effect.scoped,
          Effect.provide(InProcess.layer({ queues: [lab], jobTypes: Jobs.types })),
        ),
      )
      expect(outcome.running).toMatchObject({ workerId: "w1", status: "ok" })
      // w1 had stopped taking jobs: w2 got the late one as a first delivery, and answered it
      // while w1's running ping was still going
      expect(outcome.late).toMatchObject({ workerId: "w2", status: "ok", attempt: 1 })
      expect(outcome.late.finishedAt).toBeLessThan(outcome.running.finishedAt)
    })
  },
)

describe.skipIf(!hasDig)(
  `dns jobs against a loopback DNS server${hasDig ? "" : " (skipped: dig is not installed)"}`,
  () => {
    let server: DnsServer
    beforeAll(async () => {
      server = await startDnsServer()
    })
    afterAll(() => server?.close())
    const at = () => ({ server: "127.0.0.1", port: server.port, tryTimeout: 1000, tries: 1 })

    it("a query returns dig's parsed answer", async () => {
      const messages = await withWorker((transport) =>
        Effect.gen(function* () {
          yield* transport.dispatch(
            {
              operationId: "op-dns",
              type: "dns",
              payload: { query: "www.netwark.test", options: at() },
            },
            [Queues.direct],
          )
          return yield* replies(transport, "op-dns")
        }),
      )
      const result = resultOf(messages)
      expect(result.status).toBe("ok")
      const data = result.data as {
        status: string
        raw: string
        messages: ReadonlyArray<{ answer: ReadonlyArray<{ data: string }> }>
      }
      expect(data.status).toBe("NOERROR")
      expect(data.messages[0]?.answer.map((a) => a.data)).toEqual(["192.0.2.10", "192.0.2.11"])
      expect(data.raw).toContain("www.netwark.test")
    })

    it("a query no server answers is a result whose data says why: timeout, connection-refused", async () => {
      // a port nothing listens on (bound, then released), and the test server's silent name
      const closed = await new Promise<number>((resolve) => {
        const s = createServer().listen(0, "127.0.0.1", () => {
          const port = (s.address() as AddressInfo).port
          s.close(() => resolve(port))
        })
      })
      const messages = await withWorker((transport) =>
        Effect.gen(function* () {
          yield* transport.dispatch(
            {
              operationId: "op-dns-refused",
              type: "dns",
              payload: { query: "www.netwark.test", options: { ...at(), port: closed } },
            },
            [Queues.direct],
          )
          yield* transport.dispatch(
            {
              operationId: "op-dns-silent",
              type: "dns",
              payload: { query: "silent.netwark.test", options: at() },
            },
            [Queues.direct],
          )
          return [
            resultOf(yield* replies(transport, "op-dns-refused")),
            resultOf(yield* replies(transport, "op-dns-silent")),
          ]
        }),
      )
      // "ok" is the job's outcome (dig ran, its output was read); the DNS outcome is the data's
      // status, as for a ping with total loss: the CLI and the console read it from there
      expect(messages.map((r) => r.status)).toEqual(["ok", "ok"])
      expect(messages.map((r) => r.data)).toMatchObject([
        {
          status: "connection-refused",
          exitCode: 9,
          messages: [],
          errors: expect.arrayContaining(["no servers could be reached"]),
        },
        {
          status: "timeout",
          exitCode: 9,
          messages: [],
          errors: expect.arrayContaining(["no servers could be reached"]),
        },
      ])
    })

    it("+trace streams each delegation step as progress", async () => {
      const messages = await withWorker((transport) =>
        Effect.gen(function* () {
          yield* transport.dispatch(
            {
              operationId: "op-trace",
              type: "dns",
              payload: { query: "www.netwark.test", options: { ...at(), trace: true } },
            },
            [Queues.direct],
          )
          return yield* replies(transport, "op-trace")
        }),
      )
      const steps = messages.filter((m) => m.kind === "progress").map((m) => m.data)
      expect(steps.length).toBeGreaterThanOrEqual(3)
      expect(steps.every((s) => (s as { type: string }).type === "dns")).toBe(true)
      expect(resultOf(messages).status).toBe("ok")
    })
  },
)

describe("refused jobs end as error results and spawn nothing", () => {
  let dir: string
  let marker: string
  let savedPath: string | undefined
  beforeAll(async () => {
    // fake tools on PATH that leave a marker when anything spawns them
    dir = await mkdtemp(path.join(tmpdir(), "netwark-worker-"))
    marker = path.join(dir, "spawned")
    for (const tool of ["ping", "mtr", "traceroute", "dig"]) {
      const file = path.join(dir, tool)
      await writeFile(file, `#!/bin/sh\necho "$0 $*" >> '${marker}'\nexit 0\n`)
      await chmod(file, 0o755)
    }
    savedPath = process.env["PATH"]
    process.env["PATH"] = dir
  })
  afterAll(async () => {
    process.env["PATH"] = savedPath
    await rm(dir, { recursive: true, force: true })
  })

  const refused = async (
    jobs: ReadonlyArray<{ type: string; payload: unknown; deadline?: number }>,
    options: Partial<Worker.Options> = {},
  ) =>
    withWorker(
      (transport) =>
        Effect.forEach(jobs, (job, i) =>
          Effect.gen(function* () {
            const operationId = `op-refused-${i}`
            yield* transport.dispatch({ operationId, ...job }, [Queues.direct])
            return resultOf(yield* replies(transport, operationId))
          }),
        ),
      options,
    )

  it("bad targets, options and payloads", async () => {
    const results = await refused([
      { type: "ping", payload: { target: "-c1" } },
      { type: "ping", payload: { target: "127.0.0.1; reboot" } },
      { type: "ping", payload: { target: "127.0.0.1", options: { count: 1000 } } },
      { type: "ping", payload: { target: 42 } },
      { type: "ping", payload: "127.0.0.1" },
      { type: "mtr", payload: { target: "--report" } },
      { type: "mtr", payload: { target: "127.0.0.1", options: { cycles: 0 } } },
      { type: "traceroute", payload: { target: "exa mple.com" } },
      { type: "traceroute", payload: { target: "127.0.0.1", options: { maxHops: 999 } } },
      { type: "dns", payload: { query: "-x" } },
      { type: "dns", payload: { query: "example.com", options: { server: "ns.example.com" } } },
      { type: "ping", payload: { target: "127.0.0.1", options: { policy: {} } } },
    ])
    expect(results.map((r) => r.status)).toEqual(results.map(() => "error"))
    expect(results.map((r) => r.error?.message)).toEqual([
      expect.stringContaining("could be read as an option"),
      expect.stringContaining("invalid target"),
      expect.stringContaining("count must be an integer from 1 to 100"),
      expect.stringContaining("needs a target string"),
      expect.stringContaining("payload must be an object"),
      expect.stringContaining("could be read as an option"),
      expect.stringContaining("cycles"),
      expect.stringContaining("whitespace"),
      expect.stringContaining("maxHops"),
      expect.stringContaining("could be read as an option"),
      expect.stringContaining("server must be an IPv4 or IPv6 address"),
      expect.stringContaining("cannot set policy"),
    ])
    // the tools' reason and field travel with the message
    expect(results.map((r) => [r.error?.reason, r.error?.field])).toEqual([
      ["InvalidTarget", "target"],
      ["InvalidTarget", "target"],
      ["InvalidInput", "count"],
      ["InvalidTarget", "target"],
      ["InvalidInput", "payload"],
      ["InvalidTarget", "target"],
      ["InvalidInput", "cycles"],
      ["InvalidTarget", "target"],
      ["InvalidInput", "maxHops"],
      ["InvalidTarget", "query"],
      ["InvalidInput", "server"],
      ["InvalidInput", "options.policy"],
    ])
    expect(existsSync(marker)).toBe(false)
  })

  it("a target the worker's policy denies", async () => {
    const results = await refused(
      [
        { type: "ping", payload: { target: "127.0.0.1" } },
        { type: "mtr", payload: { target: "127.0.0.2" } },
        { type: "traceroute", payload: { target: "::1" } },
        { type: "dns", payload: { query: "example.com", options: { server: "127.0.0.1" } } },
      ],
      { policy: { allow: ["10.0.0.0/8"], deny: ["127.0.0.0/8"] } },
    )
    expect(results.map((r) => r.error?.message)).toEqual([
      expect.stringContaining("deny rule 127.0.0.0/8"),
      expect.stringContaining("deny rule 127.0.0.0/8"),
      expect.stringContaining("matches no allow rule"),
      expect.stringContaining("deny rule 127.0.0.0/8"),
    ])
    expect(results.map((r) => r.error?.reason)).toEqual(results.map(() => "PolicyDenied"))
    expect(existsSync(marker)).toBe(false)
  })

  it("a job past its deadline is answered expired, not run", async () => {
    const [result] = await refused([
      { type: "ping", payload: { target: "127.0.0.1" }, deadline: Date.now() - 1 },
    ])
    expect(result?.status).toBe("expired")
    expect(existsSync(marker)).toBe(false)
  })

  it("control: a valid job does spawn the (fake) tool", async () => {
    await refused([{ type: "ping", payload: { target: "127.0.0.1", options: { count: 1 } } }])
    expect(existsSync(marker)).toBe(true)
  })
})

describe("presence", () => {
  it("the registry sees hello, heartbeats and goodbye", async () => {
    const seen = await Effect.runPromise(
      Effect.gen(function* () {
        const transport = yield* Transport.Transport
        const registry = yield* Registry.Registry
        const subscription = yield* transport.presence()
        const events = yield* subscription.pipe(
          Stream.filter((p) => p.worker.id === "w-presence"),
          Stream.takeUntil((p) => p.event === "goodbye"),
          Stream.runCollect,
          Effect.fork,
        )
        yield* Effect.yieldNow()
        const scope = yield* Scope.make()
        yield* Worker.start({
          ...base,
          id: "w-presence",
          locations: ["Paris"],
          heartbeat: "50 millis",
        }).pipe(Scope.extend(scope))
        const online = yield* registry.await(
          (ws) => ws.some((w) => w.id === "w-presence"),
          "2 seconds",
        )
        const expected = yield* registry.expected([Queues.broadcast])
        yield* Effect.sleep("180 millis")
        yield* Scope.close(scope, Exit.void)
        const after = yield* registry.await((ws) => ws.length === 0, "2 seconds")
        return {
          online,
          expected,
          after,
          events: Chunk.toReadonlyArray(yield* events.await.pipe(Effect.flatten)),
        }
      }).pipe(
        Effect.scoped,
        Effect.provide(
          Registry.layer.pipe(Layer.provideMerge(InProcess.layer({ jobTypes: Jobs.types }))),
        ),
      ),
    )
    expect(seen.online).toEqual([
      {
        id: "w-presence",
        hostname: "test-host",
        version: "9.9.9",
        queues: ["netwark", "netwark.broadcast"],
        locations: ["Paris"],
        capabilities: {
          tools: capabilities.tools,
          jobs: ["ping", "mtr", "traceroute", "dns"],
          modes: { netwark: "one", "netwark.broadcast": "each" },
          // the transport's list, which a dispatcher compares with its own
          jobTypes: ["ping", "mtr", "traceroute", "dns"],
        },
        concurrency: 4,
      },
    ])
    expect(seen.expected).toBe(1)
    expect(seen.after).toEqual([])
    const kinds = seen.events.map((p) => p.event)
    expect(kinds[0]).toBe("hello")
    expect(kinds.filter((k) => k === "heartbeat").length).toBeGreaterThanOrEqual(2)
    expect(kinds.at(-1)).toBe("goodbye")
  })
})
