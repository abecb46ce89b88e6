import { main } from "../../src/cli.js"
import type { Io } from "../../src/internal/command.js"

/** Runs `netwark ...argv` in process with `stdin` as its input; the exit code and what it printed. */
export const runCli = async (
  argv: ReadonlyArray<string>,
  { stdin = "", env = {} }: { readonly stdin?: string; readonly env?: Io["env"] } = {},
) => {
  let stdout = ""
  let stderr = ""
  const io: Io = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    stdin: async function* () {
      yield stdin
    },
    env,
  }
  const code = await main(argv, io)
  return { code, stdout, stderr }
}

/** A key/value table's rows (columns two or more spaces apart) as an object. */
export const rows = (text: string): Record<string, string> =>
  Object.fromEntries(
    text
      .trimEnd()
      .split("\n")
      .map((l) => l.split(/\s{2,}/) as [string, string]),
  )
