/**
 * The built `netwark-worker` binary against the machine's RabbitMQ (a throwaway vhost): a worker
 * killed with `kill -9` mid-job leaves its tool running (here dig, waiting for a loopback DNS
 * server that never answers: a tool that writes nothing dies of SIGPIPE only at its next write),
 * and the worker started again with the same state directory and instance stops it before taking
 * jobs, while a process recorded with another start time (a recycled pid) is left alone. Only
 * loopback targets.
 */
import { execFile } from "node:child_process"
import { createSocket, type Socket } from "node:dgram"
import { readdirSync, readFileSync } from "node:fs"
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import { promisify } from "node:util"
import { Effect, Exit, Scope } from "effect"
import { RabbitMq, type Transport } from "@netwark/transport"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as Children from "../src/internal/children.js"
import * as Jobs from "../src/Jobs.js"
import * as Orphans from "../src/internal/orphans.js"
import * as Binary from "./support/binary.js"
import { until } from "./support/until.js"
import * as Rabbit from "../../transport/test/support/rabbit.js"

const available = process.platform === "linux" && (await Rabbit.reachable())

type Started = Binary.Spawned

/** Running: there, with the same start time, and not a zombie (no init here reaps those). */
const running = (p: Orphans.Proc): boolean => {
  const s = Orphans.stat(p.pid)
  return s !== undefined && s.start === p.start && s.state !== "Z"
}

describe.skipIf(!available)(
  `a restarted worker stops the tools its killed predecessor left${available ? "" : " (skipped: no RabbitMQ on 127.0.0.1:5672, or not Linux)"}`,
  () => {
    let vhost: Awaited<ReturnType<typeof Rabbit.vhost>>
    let stateDir: string
    const scope = Effect.runSync(Scope.make())
    let transport: Transport.Service
    const workers: Array<Started> = []
    const strays: Array<Orphans.Proc> = []
    let silent: Socket
    const queue = { queue: "orphans", name: "Orphans", location: "Lab", broadcast: false }
    // its own queue, so no job redelivered from the first test reaches the second's worker
    const fastQueue = { ...queue, queue: "orphans-fast", name: "Orphans (fast)" }

    /** Send a dig job for `query` to a DNS server that never answers, so dig keeps running. */
    const digSilently = (operationId: string, query: string, target: string) =>
      transport.dispatch(
        {
          operationId,
          type: "dns",
          payload: {
            query,
            options: {
              server: "127.0.0.1",
              port: silent.address().port,
              tryTimeout: "30 seconds",
              tries: 1,
            },
          },
          timeout: "20 seconds",
        },
        [target],
      )

    const start = (instance = "orphans", env: Record<string, string> = {}): Started => {
      const started = Binary.spawn({
        NETWARK_BROKER_URL: vhost.url,
        NETWARK_STATE_DIR: stateDir,
        NETWARK_WORKER_INSTANCE: instance,
        NETWARK_QUEUES: JSON.stringify([queue]),
        NETWARK_BUILTIN_QUEUES: "false",
        NETWARK_HEARTBEAT: "500ms",
        NETWARK_SHUTDOWN_GRACE: "300ms",
        ...env,
      })
      workers.push(started)
      return started
    }
    const startedLog = (w: Started) => w.lines.find((l) => l["msg"] === "worker started")

    beforeAll(async () => {
      await Binary.ensureBuilt()
      // a DNS server that takes every query and answers none
      silent = createSocket("udp4")
      await new Promise<void>((resolve) => silent.bind(0, "127.0.0.1", resolve))
      vhost = await Rabbit.vhost("worker-orphans")
      stateDir = await mkdtemp(path.join(tmpdir(), "netwark-worker-orphans-"))
      transport = await Effect.runPromise(
        RabbitMq.make({ url: vhost.url, queues: [queue, fastQueue], jobTypes: Jobs.types }).pipe(
          Scope.extend(scope),
        ),
      )
    })

    afterAll(async () => {
      for (const w of workers) if (w.process.exitCode === null) w.process.kill("SIGKILL")
      await Promise.all(workers.map((w) => w.exited))
      // only processes this test knows, and only while they are still the same process
      for (const p of strays) if (running(p)) process.kill(p.pid, "SIGKILL")
      await Effect.runPromise(
        Scope.close(scope, Exit.void).pipe(Effect.timeout("10 seconds"), Effect.ignore),
      )
      await vhost?.remove().catch(() => undefined)
      silent?.close()
      if (stateDir) await rm(stateDir, { recursive: true, force: true })
    })

    it("kill -9 leaves dig running; the next start stops it and nothing else", async () => {
      const file = Orphans.fileOf(stateDir, "orphans")
      const first = start()
      await until("the first worker started", () => startedLog(first))
      await Effect.runPromise(digSilently("orphan-1", "orphan.test", "orphans"))
      const dig = await until("the dig recorded in the tools file", () => {
        const [pid] = Children.pidsOf(first.process.pid!)
        const s = pid === undefined ? undefined : Orphans.stat(pid)
        if (s === undefined || s.comm !== "dig") return undefined
        const recorded = (() => {
          try {
            return Orphans.decode(readFileSync(file, "utf8"))
          } catch {
            return undefined
          }
        })()
        return recorded?.tools.some((t) => t.pid === s.pid && t.start === s.start)
          ? { pid: s.pid, start: s.start }
          : undefined
      })
      strays.push(dig)

      first.process.kill("SIGKILL")
      await first.exited
      // the problem: the tool outlives its worker, adopted by another parent
      await new Promise((r) => setTimeout(r, 300))
      expect(running(dig)).toBe(true)
      expect(Orphans.stat(dig.pid)?.ppid).not.toBe(first.process.pid)

      // an unrelated process whose pid the file names with another start time (a recycled pid)
      const { stdout } = await promisify(execFile)("sh", [
        "-c",
        "sleep 60 </dev/null >/dev/null 2>&1 & echo $!",
      ])
      const sleeper = {
        pid: Number(stdout.trim()),
        start: Orphans.stat(Number(stdout.trim()))!.start,
      }
      strays.push(sleeper)
      const recorded = Orphans.decode(await readFile(file, "utf8"))!
      await writeFile(
        file,
        Orphans.encode({
          ...recorded,
          tools: [...recorded.tools, { pid: sleeper.pid, start: sleeper.start + 1 }],
        }),
      )

      const restartedAt = Date.now()
      const second = start()
      await until("the orphaned dig stopped", () => !running(dig), 5_000)
      const stoppedMs = Date.now() - restartedAt
      await until("the second worker started", () => startedLog(second))
      expect(stoppedMs).toBeLessThan(5_000)
      expect(running(sleeper)).toBe(true)

      const msgs = second.lines.map((l) => l["msg"])
      const reaped = second.lines.filter(
        (l) => l["msg"] === "stopped a tool the previous worker process left running",
      )
      expect(reaped).toEqual([
        expect.objectContaining({ level: "warn", pid: dig.pid, tool: "dig", signal: "SIGTERM" }),
      ])
      expect(String(reaped[0]!["command"])).toContain("@127.0.0.1")
      // before it took any job
      expect(msgs.indexOf("stopped a tool the previous worker process left running")).toBeLessThan(
        msgs.indexOf("worker started"),
      )

      second.process.kill("SIGTERM")
      await second.exited
    })

    it("a worker killed milliseconds after its tool started: the tool was recorded, the next start stops it", async () => {
      // a `dig` first on the worker's PATH that, for this query only, writes more than a pipe
      // holds (so it blocks until the worker has read its stdout, i.e. until the worker's event
      // loop has turned once since the spawn), SIGKILLs the worker and becomes the real dig:
      // the worker dies a few ms after the tool started, well inside one periodic pass
      const instance = "orphans-fast"
      const query = "fast-orphan.test"
      const { stdout: realDig } = await promisify(execFile)("sh", ["-c", "command -v dig"])
      const bin = path.join(stateDir, "bin")
      await mkdir(bin, { recursive: true })
      await writeFile(
        path.join(bin, "dig"),
        [
          "#!/bin/sh",
          `case "$*" in *${query}*)`,
          "  printf '%131072s\\n' ''",
          '  kill -9 "$PPID"',
          "esac",
          `exec ${realDig.trim()} "$@"`,
          "",
        ].join("\n"),
        { mode: 0o755 },
      )
      const first = start(instance, {
        NETWARK_QUEUES: JSON.stringify([fastQueue]),
        PATH: `${bin}:${process.env["PATH"] ?? ""}`,
      })
      await until("the first worker started", () => startedLog(first))
      await Effect.runPromise(digSilently("orphan-fast-1", query, fastQueue.queue))
      await first.exited
      expect(first.process.signalCode).toBe("SIGKILL")
      // the orphan, once it is the real dig (found by its command line, not by the file)
      const dig = await until("the orphaned dig", () =>
        readdirSync("/proc")
          .filter((name) => /^\d+$/.test(name))
          .map((name) => Orphans.stat(Number(name)))
          .find((s) => {
            if (s?.comm !== "dig") return false
            try {
              return readFileSync(`/proc/${s.pid}/cmdline`, "utf8").includes(query)
            } catch {
              return false
            }
          }),
      )
      strays.push({ pid: dig.pid, start: dig.start })
      // recorded before the worker died: at the spawn, not at a later periodic pass
      const recorded = Orphans.decode(await readFile(Orphans.fileOf(stateDir, instance), "utf8"))
      expect(recorded?.owner.pid).toBe(first.process.pid)
      expect(recorded?.tools).toContainEqual({ pid: dig.pid, start: dig.start })

      const second = start(instance, { NETWARK_QUEUES: JSON.stringify([fastQueue]) })
      await until("the orphaned dig stopped", () => !running(dig))
      await until("the second worker started", () => startedLog(second))
      expect(
        second.lines.filter(
          (l) => l["msg"] === "stopped a tool the previous worker process left running",
        ),
      ).toEqual([expect.objectContaining({ pid: dig.pid, tool: "dig", signal: "SIGTERM" })])
      second.process.kill("SIGTERM")
      await second.exited
    })
  },
)
