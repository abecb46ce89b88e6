import { readdirSync, readFileSync } from "node:fs"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { Duration, Effect, Either } from "effect"
import { describe, expect, it, vi } from "vitest"
import * as Exec from "../src/internal/exec/Exec.js"

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

const here = path.dirname(fileURLToPath(import.meta.url))
const dir = path.join(here, "fixtures/ping")
const read = (p: string) => readFileSync(path.join(dir, p), "utf8")

const jcFiles = readdirSync(path.join(dir, "jc")).filter((f) => f.endsWith(".out"))

interface JcResponse {
  type: string
  icmp_seq?: number
  ttl?: number
  time_ms?: number | null
  timestamp?: number | null
  duplicate?: boolean
  bytes?: number
  response_ip?: string
  unparsed_line?: string
}

describe("Ping.parse on jc's Linux ping fixtures (MIT)", () => {
  it("covers every fixture", () => expect(jcFiles.length).toBe(43))

  it.each(jcFiles)("%s matches jc's fields", (file) => {
    const expected = JSON.parse(read(`jc/${file.replace(/\.out$/, ".json")}`)) as Record<
      string,
      unknown
    > & { responses?: ReadonlyArray<JcResponse> }
    const r = Ping.parse(read(`jc/${file}`))
    const s = r.summary
    expect(s).toBeDefined()
    expect(r.resolvedAddress).toBe(expected["destination_ip"])
    expect(r.dataBytes).toBe(expected["data_bytes"])
    expect(r.pattern ?? null).toBe(expected["pattern"])
    expect(s?.transmitted).toBe(expected["packets_transmitted"])
    expect(s?.received).toBe(expected["packets_received"])
    expect(s?.lossPercent).toBe(expected["packet_loss_percent"])
    expect(s?.duplicates).toBe(expected["duplicates"])
    if ("errors" in expected) expect(s?.errors).toBe(expected["errors"])
    if ("time_ms" in expected) expect(s?.timeMs).toBe(expected["time_ms"])
    if ("round_trip_ms_min" in expected) {
      expect(s?.rtt?.minMs).toBe(expected["round_trip_ms_min"])
      expect(s?.rtt?.avgMs).toBe(expected["round_trip_ms_avg"])
      expect(s?.rtt?.maxMs).toBe(expected["round_trip_ms_max"])
      expect(s?.rtt?.mdevMs ?? null).toBe(expected["round_trip_ms_stddev"])
    }
    if (expected.responses !== undefined) {
      // jc drops free-standing junk lines and ICMP errors; it keeps "N bytes from X: <junk>".
      const mine = r.events.flatMap((e): Array<JcResponse> => {
        switch (e.type) {
          case "reply":
            return [
              {
                type: "reply",
                icmp_seq: e.sequence,
                ttl: e.ttl,
                time_ms: e.rttMs ?? null,
                timestamp: e.timestamp ?? null,
                duplicate: e.duplicate,
                bytes: e.bytes,
                response_ip: e.from,
              },
            ]
          case "timeout":
            return [{ type: "timeout", icmp_seq: e.sequence, timestamp: e.timestamp ?? null }]
          case "unparsed":
            return / bytes from /.test(e.line)
              ? [{ type: "unparsable_line", unparsed_line: e.line }]
              : []
          default:
            return []
        }
      })
      expect(mine).toEqual(
        expected.responses.map((x) => (x.type === "reply" ? { timestamp: null, ...x } : x)),
      )
    }
    // Missing replies: every sequence sent and never answered (a garbled reply line in jc's
    // doctored "unparsable" fixtures counts as missing: we cannot tell which sequence it was).
    const garbled = r.events.filter((e) => e.type === "unparsed" && / bytes from /.test(e.line))
    expect(r.missing.length).toBe((s?.transmitted ?? 0) - (s?.received ?? 0) + garbled.length)
    expect(r.status).toBe(
      s?.received === 0 ? "total-loss" : s!.received < s!.transmitted ? "partial-loss" : "ok",
    )
  })
})

describe("Ping.parse on Globalping probe ping fixtures (ISC)", () => {
  const files = readdirSync(path.join(dir, "globalping")).filter((f) => f.endsWith(".txt"))
  const withJson = files.filter((f) =>
    readdirSync(path.join(dir, "globalping")).includes(f.replace(/\.txt$/, ".json")),
  )

  it.each(withJson)("%s matches Globalping's stats and timings", (file) => {
    const { result } = JSON.parse(read(`globalping/${file.replace(/\.txt$/, ".json")}`)) as {
      result: {
        status: string
        resolvedAddress: string | null
        stats: Record<string, number | null>
        timings: Array<{ rtt: number; ttl: number }>
      }
    }
    const r = Ping.parse(read(`globalping/${file}`))
    // Globalping refused this target by policy before running; the recorded output is a normal run.
    if (result.status !== "finished") {
      expect(r.status).toBe("ok")
      return
    }
    expect(r.resolvedAddress).toBe(result.resolvedAddress)
    expect(r.replies.map((p) => ({ rtt: p.rttMs, ttl: p.ttl }))).toEqual(result.timings)
    expect(r.summary?.rtt?.minMs ?? null).toBe(result.stats["min"])
    expect(r.summary?.rtt?.avgMs ?? null).toBe(result.stats["avg"])
    expect(r.summary?.rtt?.maxMs ?? null).toBe(result.stats["max"])
    expect(r.summary?.transmitted).toBe(result.stats["total"])
    expect(r.summary?.received).toBe(result.stats["rcv"])
    expect(r.summary?.lossPercent).toBe(result.stats["loss"])
    expect(r.missing.length).toBe(result.stats["drop"])
  })

  it("reports the missing sequence and the late reply in a slow run", () => {
    const r = Ping.parse(read("globalping/ping-slow-linux.txt"))
    expect(r.status).toBe("partial-loss")
    expect(r.missing).toEqual([2])
    expect(r.events.filter((e) => e.type === "timeout").map((e) => e.sequence)).toEqual([1, 2, 3])
  })

  it("parses a packet-loss run that has no JSON", () => {
    const r = Ping.parse(read("globalping/ping-packet-loss-linux.txt"))
    expect(r).toMatchObject({ status: "partial-loss", missing: [2] })
    expect(r.summary?.lossPercent).toBe(33.3)
  })

  it("keeps the ICMP error with its sender", () => {
    const r = Ping.parse(read("globalping/ping-unreachable-linux.txt"))
    expect(r.status).toBe("total-loss")
    expect(r.errors).toEqual([
      {
        type: "error",
        sequence: 1,
        from: "10.254.254.17",
        fromName: "eth2-1109-fsn-lf-e03.productsup.int",
        message: "Destination Port Unreachable",
      },
    ])
    expect(r.summary?.errors).toBe(1)
  })
})

describe("Ping.parse on recordings from this machine", () => {
  it.each([
    "linux-loopback4",
    "linux-loopback6",
    "linux-unknown-host",
    "linux-unreachable",
    "linux-drop",
    "linux-host-unreachable",
    "linux-no-route6",
  ])("%s", (name) => {
    const r = Ping.parse(read(`${name}.txt`))
    const { raw, events, replies, duplicates, errors, ...rest } = r
    expect(raw).toBe(read(`${name}.txt`))
    expect(events.length).toBeGreaterThanOrEqual(replies.length)
    expect({
      ...rest,
      replies: replies.map((p) => ({
        sequence: p.sequence,
        from: p.from,
        ttl: p.ttl,
        rttMs: p.rttMs,
      })),
      duplicates: duplicates.length,
      errors: errors.length,
    }).toEqual(JSON.parse(read(`${name}.json`)))
  })
})

describe("Ping.parse is total", () => {
  it.each([
    ["", "unparseable"],
    ["garbage\n\u0000\u00ff", "unparseable"],
    ["ping: SO_BINDTODEVICE nosuch0: No such device\n", "error"],
    ["ping: unknown host foo\n", "unknown-host"],
    ["8 bytes from 127.0.0.1: icmp_seq=1 ttl=64\n", "ok"],
  ])("%j → %s", (raw, status) => {
    const r = Ping.parse(raw)
    expect(r.status).toBe(status)
    expect(r.raw).toBe(raw)
  })

  it("handles a reply without RTT (payload under 16 bytes)", () => {
    const r = Ping.parse("16 bytes from 127.0.0.1: icmp_seq=1 ttl=64\n")
    expect(r.replies[0]).toEqual({
      type: "reply",
      sequence: 1,
      bytes: 16,
      from: "127.0.0.1",
      ttl: 64,
      duplicate: false,
    })
  })
})

describe("Ping.argv", () => {
  it("builds iputils arguments with -O -n, the target last after --", () => {
    const request = Either.getOrThrow(
      Ping.validate(
        "example.com",
        {
          count: 5,
          interval: "500 millis",
          size: 100,
          timeout: "1500 millis",
          deadline: "9.5 seconds",
          ttl: 12,
          ipVersion: 6,
          interface: "eth0",
        },
        { privileged: false },
      ),
    )
    expect(Ping.argv(request)).toEqual(
      [
        "-O",
        "-n",
        "-6",
        "-c",
        "5",
        "-i",
        "0.5",
        "-s",
        "100",
        "-W",
        "1.5",
        "-w",
        "10",
        "-t",
        "12",
      ].concat(["-I", "eth0", "--", "example.com"]),
    )
    expect(Duration.toMillis(Ping.hardTimeout(request))).toBe(15_000)
  })

  it("defaults to 3 probes a second apart", () => {
    const request = Either.getOrThrow(Ping.validate("::1"))
    expect(Ping.argv(request)).toEqual(["-O", "-n", "-c", "3", "-i", "1", "--", "::1"])
  })
})

describe("hostile inputs: a clear error and no process spawned", () => {
  const cases: ReadonlyArray<[string, string, Ping.RunOptions, string, string]> = [
    ["option injection", "-f", {}, "target", "could be read as an option"],
    ["long option", "--help", {}, "target", "could be read as an option"],
    ["shell command", ";rm -rf /", {}, "target", "whitespace"],
    ["command substitution", "$(id)", {}, "target", "not allowed"],
    ["backticks", "`id`", {}, "target", "not allowed"],
    ["newline", "localhost\n-f", {}, "target", "control character"],
    ["NUL", "localhost\u0000", {}, "target", "control character"],
    ["overlong name", `${"a".repeat(63)}.`.repeat(5), {}, "target", "253"],
    ["overlong label", `${"a".repeat(64)}.example`, {}, "target", "63"],
    ["bad IDN", "xn--zz.example", {}, "target", "punycode"],
    [
      "count too high",
      "127.0.0.1",
      { count: 500 },
      "count",
      "count must be an integer from 1 to 100 (got 500)",
    ],
    ["count zero", "127.0.0.1", { count: 0 }, "count", "from 1 to 100"],
    ["fractional count", "127.0.0.1", { count: 2.5 }, "count", "integer"],
    ["size too big", "127.0.0.1", { size: 70000 }, "size", "from 0 to 65507"],
    ["ttl zero", "127.0.0.1", { ttl: 0 }, "ttl", "from 1 to 255"],
    ["ttl too big", "127.0.0.1", { ttl: 256 }, "ttl", "from 1 to 255"],
    ["interval too long", "127.0.0.1", { interval: "61 seconds" }, "interval", "60 s"],
    ["interval nonsense", "127.0.0.1", { interval: "soon" as never }, "interval", "must be from"],
    ["deadline too long", "127.0.0.1", { deadline: "2 hours" }, "deadline", "3600 s"],
    [
      "interface injection",
      "127.0.0.1",
      { interface: "-f" },
      "interface",
      "must not start with '-'",
    ],
    ["interface too long", "127.0.0.1", { interface: "a".repeat(16) }, "interface", "1 to 15"],
    ["interface with slash", "127.0.0.1", { interface: "../x" }, "interface", "no '/'"],
    ["interface with space", "127.0.0.1", { interface: "eth0 -f" }, "interface", "whitespace"],
    ["version mismatch", "127.0.0.1", { ipVersion: 6 }, "ipVersion", "does not match"],
    ["bad version", "127.0.0.1", { ipVersion: 5 as never }, "ipVersion", "one of 4, 6, auto"],
  ]

  it.each(cases)("%s", async (_name, target, options, field, message) => {
    const before = spawned.count
    const validated = Ping.validate(target, options, { privileged: false })
    expect(Either.isLeft(validated)).toBe(true)
    const r = await Effect.runPromise(Effect.either(Ping.run(target, options)))
    expect(Either.isLeft(r)).toBe(true)
    if (Either.isLeft(r)) {
      expect(r.left.field).toBe(field)
      expect(r.left.reason).toBe(field === "target" ? "InvalidTarget" : "InvalidInput")
      expect(r.left.message).toContain(message)
    }
    expect(spawned.count).toBe(before)
  })

  it("the spawn counter sees processes Exec starts (control for the table above)", async () => {
    const before = spawned.count
    await Effect.runPromise(
      Exec.run({ command: process.execPath, args: ["-e", ""], timeout: "10 seconds" }),
    )
    expect(spawned.count).toBe(before + 1)
  })

  it("refuses intervals under 0.2 s for unprivileged callers, allows 10 ms for root", () => {
    const low = Ping.validate("127.0.0.1", { interval: "50 millis" }, { privileged: false })
    expect(Either.isLeft(low) && low.left.message).toBe(
      "interval must be from 0.2 s to 60 s (got 0.05 s)",
    )
    expect(
      Either.isRight(Ping.validate("127.0.0.1", { interval: "50 millis" }, { privileged: true })),
    ).toBe(true)
  })

  it("asks the process's uid once, not on every validate", () => {
    Ping.validate("127.0.0.1", { interval: "1 second" })
    const getuid = vi.spyOn(process, "getuid")
    try {
      for (let i = 0; i < 3; i++) Ping.validate("127.0.0.1", { interval: "1 second" })
      expect(getuid).not.toHaveBeenCalled()
    } finally {
      getuid.mockRestore()
    }
  })
})

describe("Ping.parseFping", () => {
  it("reads -C output with lost probes and padding", () => {
    const r = Ping.parseFping(
      "127.0.0.1 : 0.036 0.040\n::1       : - 0.044\nfping: nosuch: Name or service not known\n",
    )
    expect(r.targets).toEqual([
      { target: "127.0.0.1", rttMs: [0.036, 0.04] },
      { target: "::1", rttMs: [undefined, 0.044] },
    ])
    expect(r.unparsed).toEqual(["fping: nosuch: Name or service not known"])
  })
})
