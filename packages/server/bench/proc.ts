/**
 * What the bench's processes read of themselves and of this machine: a required environment
 * variable, and the CPU time of processes from `/proc` (Linux): the children under test, and the
 * services they share the cores with. Apart from support.ts (the bundler, the test environment) so
 * that a child, bundled on its own, carries nothing else.
 */
import { readdir, readFile } from "node:fs/promises"

/** The value of an environment variable its parent sets. */
export const env = (name: string): string => {
  const value = process.env[name]
  if (value === undefined) throw new Error(`${name} is not set`)
  return value
}

/** CPU milliseconds (user + system) a process has used so far; 0 if it is gone. */
export const cpuOfPid = async (pid: number | string): Promise<number> => {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "")
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
  // utime and stime are fields 14 and 15 of stat (11 and 12 after the command), in clock ticks
  return ((Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) * 1000) / 100
}

/**
 * CPU milliseconds used so far by every process of this machine named `command` (`postgres`,
 * `beam.smp`). A process that started or ended between two readings skews their difference: read
 * them around a steady run.
 */
export const cpuOfCommand = async (command: string): Promise<number> => {
  const pids = (await readdir("/proc")).filter((name) => /^\d+$/.test(name))
  const used = await Promise.all(
    pids.map(async (pid) =>
      (await readFile(`/proc/${pid}/comm`, "utf8").catch(() => "")).trim() === command
        ? cpuOfPid(pid)
        : 0,
    ),
  )
  return used.reduce((a, b) => a + b, 0)
}
