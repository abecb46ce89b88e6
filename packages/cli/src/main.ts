/** Entry point of the `netwark` binary: binds the dispatcher to the process. */
import { main } from "./cli.js"
import { Exit, type Io } from "./internal/command.js"

const processIo: Io = {
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
  stdin: () => process.stdin.setEncoding("utf8") as AsyncIterable<string>,
  env: process.env,
}

main(process.argv.slice(2), processIo).then(
  (code) => {
    process.exitCode = code
  },
  (e: unknown) => {
    process.stderr.write(`netwark: ${e instanceof Error ? e.message : String(e)}\n`)
    process.exitCode = Exit.Failed
  },
)
