import { execFileSync } from "node:child_process"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import * as Capabilities from "../src/Capabilities.js"

const has = (bin: string) => {
  try {
    execFileSync("sh", ["-c", 'command -v "$1"', "sh", bin])
    return true
  } catch {
    return false
  }
}

describe("Capabilities.detect", () => {
  it("reports each tool's presence, path and version as the machine has them", async () => {
    const caps = await Effect.runPromise(Capabilities.detect())
    for (const name of Object.keys(Capabilities.tools) as Array<Capabilities.ToolName>) {
      const status = caps.tools[name]
      expect(status.installed).toBe(has(Capabilities.tools[name].command))
      if (status.installed) {
        expect(status.path).toMatch(new RegExp(`/${Capabilities.tools[name].command}$`))
        expect(status.version).toMatch(/^\d/)
      }
    }
  })

  it.skipIf(!has("dig"))("reads dig's version from stderr", async () => {
    const caps = await Effect.runPromise(Capabilities.detect())
    expect(caps.tools.dig.versionLine).toMatch(/^DiG /)
  })

  it("never fails: a missing binary is installed: false", async () => {
    const status = await Effect.runPromise(
      Capabilities.detectTool({
        command: "netwark-no-such-tool",
        versionArgs: ["--version"],
        version: /(\S+)/,
        package: "none",
      }),
    )
    expect(status).toEqual({ installed: false, package: "none" })
  })
})
