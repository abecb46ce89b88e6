import { Chunk, Effect, Either, Fiber, Stream } from "effect"
import { describe, expect, it } from "vitest"
import * as Exec from "../src/internal/exec/Exec.js"

const node = process.execPath

describe("Exec", () => {
  it("streams stdout lines and the exit status, with arguments passed verbatim (no shell)", async () => {
    const events = await Effect.runPromise(
      Stream.runCollect(
        Exec.stream({
          command: node,
          args: ["-e", "console.log(process.argv[1]); console.log('b')", "$(id); `x`"],
          timeout: "10 seconds",
        }),
      ),
    )
    const list = Chunk.toReadonlyArray(events)
    expect(
      list.filter((e) => e._tag === "Stdout").map((e) => (e as { line: string }).line),
    ).toEqual(["$(id); `x`", "b"])
    expect(list.at(-1)).toMatchObject({ _tag: "Exit", exitCode: 0 })
  })

  it("kills a process that runs past its deadline with a Timeout error", async () => {
    const started = Date.now()
    const result = await Effect.runPromise(
      Effect.either(
        Exec.run({
          command: node,
          args: ["-e", "setTimeout(() => {}, 60000)"],
          timeout: "300 millis",
        }),
      ),
    )
    expect(Either.isLeft(result) && result.left.reason).toBe("Timeout")
    expect(Date.now() - started).toBeLessThan(5000)
  })

  it("keeps a character and a long line whole across the pipe's reads", async () => {
    // "ü" written as two bytes a moment apart (two reads), then a 3 MB line in 64 KB writes
    const script = `
      const write = (b) => new Promise((r) => process.stdout.write(b, r))
      const pause = () => new Promise((r) => setTimeout(r, 50))
      ;(async () => {
        await write(Buffer.from([0x5a, 0xc3])); await pause()
        await write(Buffer.from([0xbc, 0x72, 0x0d, 0x0a]))
        const long = Buffer.alloc(3 * 1024 * 1024, 0x61)
        for (let i = 0; i < long.length; i += 65536) await write(long.subarray(i, i + 65536))
        await write("\\nend")
      })()`
    const result = await Effect.runPromise(
      Exec.run({ command: node, args: ["-e", script], timeout: "20 seconds" }),
    )
    const lines = result.stdout.split("\n").map((l) => (l.length > 10 ? `${l[0]}×${l.length}` : l))
    expect(lines).toEqual(["Zür", `a×${3 * 1024 * 1024}`, "end", ""])
  })

  it("stops a process whose output exceeds the cap", async () => {
    const result = await Effect.runPromise(
      Effect.either(
        Exec.run({
          command: node,
          args: ["-e", "setInterval(() => console.log('x'.repeat(1000)), 1)"],
          timeout: "10 seconds",
          maxOutputBytes: 20_000,
        }),
      ),
    )
    expect(Either.isLeft(result) && result.left.reason).toBe("OutputTooLarge")
  })

  it("reports a missing binary as NotInstalled with the Debian package", async () => {
    const result = await Effect.runPromise(
      Effect.either(
        Exec.run({
          command: "netwark-no-such-binary",
          args: [],
          timeout: "5 seconds",
          packageHint: "netwark-pkg",
        }),
      ),
    )
    expect(Either.isLeft(result) && result.left.reason).toBe("NotInstalled")
    expect(Either.isLeft(result) && result.left.message).toContain("netwark-pkg")
  })

  it("kills the process when the consumer is interrupted", async () => {
    const pidFile = `/tmp/netwark-exec-${process.pid}-${Date.now()}`
    const program = Effect.gen(function* () {
      const fiber = yield* Effect.fork(
        Stream.runDrain(
          Exec.stream({
            command: node,
            args: [
              "-e",
              `require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); setInterval(() => console.log('tick'), 20)`,
            ],
            timeout: "30 seconds",
          }),
        ),
      )
      yield* Effect.sleep("500 millis")
      yield* Fiber.interrupt(fiber)
    })
    await Effect.runPromise(program)
    const { readFileSync, rmSync } = await import("node:fs")
    const pid = Number(readFileSync(pidFile, "utf8"))
    rmSync(pidFile)
    await new Promise((r) => setTimeout(r, 800))
    expect(() => process.kill(pid, 0)).toThrow()
  })
})
