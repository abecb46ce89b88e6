import { execFileSync } from "node:child_process"
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs"
import { tmpdir } from "node:os"
import path from "node:path"
import { describe, expect, it } from "vitest"
import { main } from "../src/cli.js"

const root = path.resolve(import.meta.dirname, "..")
const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as {
  name: string
  version: string
  bin: Record<string, string>
}
// npm links a workspace's bins from the lockfile's entry on a fresh install, not package.json
const lock = JSON.parse(readFileSync(path.join(root, "..", "..", "package-lock.json"), "utf8")) as {
  packages: Record<string, { bin?: Record<string, string> }>
}
const locked = lock.packages["packages/cli"]

describe("the netwark bin", () => {
  it("is linked by npm install before any build, so `npx netwark` works in a fresh checkout", () => {
    // A workspace like the repository's, with the CLI as it is before `npm run build`: no dist/.
    const dir = mkdtempSync(path.join(tmpdir(), "netwark-cli-bin-"))
    try {
      mkdirSync(path.join(dir, "cli"))
      writeFileSync(
        path.join(dir, "package.json"),
        JSON.stringify({ name: "ws", private: true, workspaces: ["cli"] }),
      )
      writeFileSync(
        path.join(dir, "cli", "package.json"),
        JSON.stringify({ name: pkg.name, version: pkg.version, type: "module", bin: pkg.bin }),
      )
      // the repository's lockfile entry, as a fresh clone has it: a stale bin there (dist/main.js)
      // left `npx netwark` unlinked after the README's `npm install` although package.json was right
      writeFileSync(
        path.join(dir, "package-lock.json"),
        JSON.stringify({
          name: "ws",
          lockfileVersion: 3,
          requires: true,
          packages: {
            "": { name: "ws", workspaces: ["cli"] },
            [`node_modules/${pkg.name}`]: { resolved: "cli", link: true },
            cli: { name: pkg.name, version: pkg.version, bin: locked?.bin },
          },
        }),
      )
      cpSync(path.join(root, "bin"), path.join(dir, "cli", "bin"), { recursive: true })
      execFileSync(
        "npm",
        ["install", "--offline", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
        { cwd: dir, stdio: "pipe" },
      )
      expect(existsSync(path.join(dir, "node_modules", ".bin", "netwark"))).toBe(true)
      // run before a build, it says what to do rather than a module-not-found stack
      let stderr = ""
      try {
        execFileSync(path.join(dir, "node_modules", ".bin", "netwark"), ["--version"], {
          stdio: "pipe",
        })
      } catch (e) {
        stderr = String((e as { stderr: Buffer }).stderr)
      }
      expect(stderr).toBe("netwark: not built yet: run `npm run build` (or `npm test`) first\n")
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it("is built by `npm start`, so the README's `npx netwark … --server` works right after it", () => {
    // the README's first command is `npm install && npm start`; its prestart built the server and
    // the console only, and `npx netwark` then said "not built yet"
    const plan = JSON.parse(
      execFileSync("npm", ["run", "--silent", "prestart", "--", "--dry-run=json"], {
        cwd: path.join(root, "..", ".."),
        stdio: "pipe",
      }).toString(),
    ) as { tasks: ReadonlyArray<{ taskId: string }> }
    expect(plan.tasks.map((t) => t.taskId)).toContain(`${pkg.name}#build`)
  })

  it("--version prints the package's version (it was a constant a release would leave behind)", async () => {
    let stdout = ""
    const code = await main(["--version"], {
      stdout: (t) => void (stdout += t),
      stderr: () => undefined,
      stdin: async function* () {},
      env: {},
    })
    expect({ code, stdout }).toEqual({ code: 0, stdout: `netwark ${pkg.version}\n` })
  })

  it("runs the built CLI", () => {
    const out = execFileSync(process.execPath, [path.join(root, pkg.bin["netwark"]!), "--version"])
    expect(String(out)).toBe(`netwark ${pkg.version}\n`)
  })
})
