/** Entry point of the `netwark` binary: binds the dispatcher to the process. */
import { main } from "./cli.js"
import { Exit, interruptedExit, type Io } from "./internal/command.js"

// How long a command told to stop may take to stop its child processes before the process exits
// anyway (the tools give a child 500 ms between SIGTERM and SIGKILL).
const STOP_GRACE_MS = 2_000

const stop = new AbortController()

/** Tells the command to stop (`reason` names the signal), and exits anyway after the grace time. */
const stopFor = (reason: string) => {
  stop.abort(reason)
  setTimeout(() => process.exit(interruptedExit(stop.signal)), STOP_GRACE_MS).unref()
}

for (const name of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  // Listening replaces Node's default of exiting at once, which left a running ping, mtr or dig
  // behind: the command is interrupted instead, and kills what it spawned. A second signal, or a
  // command that takes too long to stop, exits at once.
  process.on(name, () => {
    if (stop.signal.aborted) process.exit(interruptedExit(stop.signal))
    stopFor(name)
    // a batch waiting for its next line (`netwark ping -` at a terminal) stops now, not at the
    // grace timeout
    process.stdin.destroy()
  })
}

// The reader of the output went away (`netwark … | head`): Node threw EPIPE with a stack trace
// and could leave a running ping behind. Stop as for a signal, quietly, exit 141 (128 + SIGPIPE).
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE") throw error
  if (stop.signal.aborted) return
  stopFor("SIGPIPE")
  process.exitCode = interruptedExit(stop.signal)
})

const processIo: Io = {
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
  stdin: () => process.stdin.setEncoding("utf8") as AsyncIterable<string>,
  env: process.env,
  signal: stop.signal,
}

main(process.argv.slice(2), processIo).then(
  (code) => {
    // a command that does not watch the signal (ipcalc) finishes, but the run was cut short
    process.exitCode = stop.signal.aborted ? interruptedExit(stop.signal) : code
  },
  (e: unknown) => {
    process.stderr.write(`netwark: ${e instanceof Error ? e.message : String(e)}\n`)
    process.exitCode = Exit.Failed
  },
)
