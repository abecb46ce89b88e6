/** The `netwark-worker` command line: help, version, configuration errors (no broker needed). */
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as Binary from "./support/binary.js"

describe("netwark-worker command line", () => {
  let dir: string
  beforeAll(async () => {
    await Binary.ensureBuilt()
    dir = await mkdtemp(path.join(tmpdir(), "netwark-worker-cli-"))
  }, 120_000)
  afterAll(() => rm(dir, { recursive: true, force: true }))

  const lines = (text: string) =>
    text
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>)

  it("--help and --version", async () => {
    const help = await Binary.run(["--help"])
    expect(help.code).toBe(0)
    expect(help.stdout).toMatch(/^Usage: netwark-worker \[--config FILE\]/)
    const version = await Binary.run(["--version"])
    expect(version).toMatchObject({ code: 0, stdout: "0.1.0\n" })
  })

  it("a bad option is a usage error (exit 2)", async () => {
    const r = await Binary.run(["--nope"])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/netwark-worker: Unknown option '--nope'/)
  })

  it("no broker URL: exit 2 with a JSON log line saying what to set", async () => {
    const r = await Binary.run([])
    expect(r.code).toBe(2)
    expect(lines(r.stdout)).toEqual([
      expect.objectContaining({ level: "error", msg: expect.stringMatching(/NETWARK_BROKER_URL/) }),
    ])
  })

  it("a bad configuration file: exit 2 naming the setting, password not shown", async () => {
    const file = path.join(dir, "bad.yaml")
    await writeFile(
      file,
      "broker_url: amqp://netwark:s3cret@127.0.0.1:5672/\nworker:\n  concurrency: lots\n",
    )
    const r = await Binary.run(["--config", file])
    expect(r.code).toBe(2)
    expect(lines(r.stdout)[0]?.["msg"]).toMatch(/concurrency must be an integer/)
    expect(r.stdout).not.toContain("s3cret")
    const missing = await Binary.run([], { NETWARK_CONFIG: path.join(dir, "missing.yaml") })
    expect(missing.code).toBe(2)
    expect(lines(missing.stdout)[0]?.["msg"]).toMatch(/cannot read configuration/)
  })

  it("a misspelt setting or a non-AMQP broker URL: exit 2 naming it", async () => {
    const file = path.join(dir, "typo.yaml")
    await writeFile(file, "broker_url: amqp://127.0.0.1:1/\nworker:\n  shutdown_grce: 60s\n")
    const typo = await Binary.run(["--config", file])
    expect(typo.code).toBe(2)
    expect(lines(typo.stdout)[0]?.["msg"]).toMatch(/worker\.shutdown_grce is not a worker setting/)
    const http = await Binary.run([], { NETWARK_BROKER_URL: "http://u:s3cret@127.0.0.1:15672/" })
    expect(http.code).toBe(2)
    expect(lines(http.stdout)).toEqual([
      expect.objectContaining({ level: "error", msg: expect.stringMatching(/got http:\/\/…\)$/) }),
    ])
    expect(http.stdout).not.toContain("s3cret")
  })

  it("a top-level key the worker does not know: a warning naming it, then it starts", async () => {
    const file = path.join(dir, "foreign.yaml")
    // port 1 on loopback refuses at once; the warning comes before the connection attempt
    await writeFile(file, "broker_url: amqp://127.0.0.1:1/\nnetwark_queue:\n  - queue: paris\n")
    const r = await Binary.run(["--config", file], { NETWARK_WORKER_ID: "cli-test" })
    expect(lines(r.stdout)[0]).toMatchObject({
      level: "warn",
      msg: "configuration: ignoring keys the worker does not know",
      keys: "netwark_queue",
    })
  }, 30_000)
})
