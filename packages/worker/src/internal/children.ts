/**
 * The worker's own child processes (the running tools), for the exits that do not wait for the
 * jobs' scopes to close (a second signal, the shutdown backstop): without this, a tool such as
 * `mtr -c 30` would keep probing for half a minute after its worker is gone, orphaned, while the
 * broker hands its job to another worker.
 *
 * @internal
 */
import { readdirSync, readFileSync } from "node:fs"

/** The process ids of a process's children, from `/proc` (none where there is no `/proc`). */
export const pidsOf = (pid: number | "self"): ReadonlyArray<number> => {
  try {
    // a child belongs to the thread that forked it: libuv may spawn from any of them
    return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
      readFileSync(`/proc/${pid}/task/${task}/children`, "utf8")
        .split(" ")
        .filter((pid) => pid.trim() !== "")
        .map(Number),
    )
  } catch {
    return []
  }
}

/** Send SIGTERM to every child process; how many were signalled. */
export const terminate = (): number => {
  let signalled = 0
  for (const pid of pidsOf("self")) {
    try {
      process.kill(pid, "SIGTERM")
      signalled++
    } catch {
      // already gone
    }
  }
  return signalled
}
