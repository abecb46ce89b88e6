/**
 * Which network tools this machine can run, and their versions, so a worker can advertise what it
 * can do. A simple table of tool specs: add a row to support another tool.
 *
 * @module
 */
import { accessSync, constants } from "node:fs"
import path from "node:path"
import { Effect, Option } from "effect"
import * as Exec from "./internal/exec/Exec.js"

/** How to ask a tool for its version. */
export interface ToolSpec {
  /** Binary name looked up on PATH. */
  readonly command: string
  readonly versionArgs: ReadonlyArray<string>
  /** Picks the version out of the first output line. */
  readonly version: RegExp
  /** Debian package that provides it. */
  readonly package: string
}

/** The tools Netwark knows about. */
export const tools = {
  ping: {
    command: "ping",
    versionArgs: ["-V"],
    version: /iputils[- ]?(\S+)/,
    package: "iputils-ping",
  },
  fping: { command: "fping", versionArgs: ["-v"], version: /Version (\S+)/, package: "fping" },
  mtr: { command: "mtr", versionArgs: ["--version"], version: /mtr (\S+)/, package: "mtr-tiny" },
  traceroute: {
    command: "traceroute",
    versionArgs: ["--version"],
    version: /version (\S+)/,
    package: "traceroute",
  },
  // dig prints its version on stderr; Exec.firstLine reads both streams.
  dig: { command: "dig", versionArgs: ["-v"], version: /DiG (\S+)/, package: "bind9-dnsutils" },
  whois: {
    command: "whois",
    versionArgs: ["--version"],
    version: /Version (\d[\w.]*?)\.?$/,
    package: "whois",
  },
} as const satisfies Record<string, ToolSpec>

/** A tool's name in the table. */
export type ToolName = keyof typeof tools

/** What was found for one tool. */
export interface ToolStatus {
  readonly installed: boolean
  /** The version number, when it could be read. */
  readonly version?: string
  /** The first line the version flag printed, verbatim. */
  readonly versionLine?: string
  /** Absolute path of the binary on PATH. */
  readonly path?: string
  readonly package: string
}

/** Everything `detect` found. */
export interface Capabilities {
  readonly tools: { readonly [K in ToolName]: ToolStatus }
}

const which = (command: string): string | undefined => {
  for (const dir of (process.env["PATH"] ?? "").split(path.delimiter)) {
    if (dir === "") continue
    const candidate = path.join(dir, command)
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {
      // not here
    }
  }
  return undefined
}

/** Detects one tool; never fails. */
export const detectTool = (spec: ToolSpec): Effect.Effect<ToolStatus> =>
  Effect.gen(function* () {
    const found = yield* Effect.sync(() => which(spec.command))
    if (found === undefined) return { installed: false, package: spec.package }
    const line = yield* Exec.firstLine(spec.command, spec.versionArgs)
    const version = Option.flatMap(line, (l) => Option.fromNullable(spec.version.exec(l)?.[1]))
    return {
      installed: true,
      path: found,
      package: spec.package,
      ...(Option.isSome(line) ? { versionLine: line.value } : {}),
      ...(Option.isSome(version) ? { version: version.value } : {}),
    }
  })

/** Detects every tool in the table, concurrently; never fails. */
export const detect = (): Effect.Effect<Capabilities> =>
  Effect.map(
    Effect.all(
      Object.fromEntries(Object.entries(tools).map(([name, spec]) => [name, detectTool(spec)])) as {
        [K in ToolName]: Effect.Effect<ToolStatus>
      },
      { concurrency: "unbounded" },
    ),
    (found) => ({ tools: found }),
  )
