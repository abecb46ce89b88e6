/**
 * The `netwark` dispatcher: one sub-command per tool. Exit codes: 0 success, 1 the operation
 * failed, 2 bad input (reason on stderr), 128 + n when signal n stopped it (130: Ctrl-C).
 * `main.ts` binds it to the process.
 */
import packageJson from "../package.json" with { type: "json" }
import { commands } from "./commands/index.js"
import { Exit, UsageError, interruptedExit, type Io } from "./internal/command.js"

const usage = (): string =>
  [
    "Usage: netwark <command> [options]",
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.name.padEnd(12)} ${c.summary}`),
    "",
    "Run `netwark <command> --help` for a command's options. Every command takes --json;",
    "a `-` in place of the query reads one query per line from standard input and writes JSON lines.",
    "",
  ].join("\n")

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export const main = async (argv: ReadonlyArray<string>, io: Io): Promise<number> => {
  // `netwark help ping` is `netwark ping --help`
  const [name, ...rest] = argv[0] === "help" && argv.length === 2 ? [argv[1]!, "--help"] : argv
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.stdout(usage())
    return Exit.Ok
  }
  if (name === "--version" || name === "-V") {
    // from package.json (bundled into dist), so that a release's number is the one printed
    io.stdout(`netwark ${packageJson.version}\n`)
    return Exit.Ok
  }
  const command = commands.find((c) => c.name === name)
  if (command === undefined) {
    io.stderr(`netwark: unknown command "${name}"\n\n${usage()}`)
    return Exit.BadInput
  }
  // flags only: after `--` a `-h` is an argument (a target, which the command then refuses)
  const end = rest.indexOf("--")
  const flags = end === -1 ? rest : rest.slice(0, end)
  if (flags.includes("--help") || flags.includes("-h")) {
    io.stdout(command.usage.endsWith("\n") ? command.usage : command.usage + "\n")
    return Exit.Ok
  }
  try {
    return await command.run(rest, io)
  } catch (e) {
    // interrupted by a signal: the tool's child processes are already stopped
    if (io.signal?.aborted === true) {
      // a closed pipe (`| head`) stops quietly, as other commands do
      if (io.signal.reason !== "SIGPIPE") io.stderr(`netwark ${command.name}: interrupted\n`)
      return interruptedExit(io.signal)
    }
    if (e instanceof UsageError) {
      io.stderr(`netwark ${command.name}: ${e.message}\n`)
      return Exit.BadInput
    }
    io.stderr(`netwark ${command.name}: ${e instanceof Error ? e.message : String(e)}\n`)
    return Exit.Failed
  }
}
