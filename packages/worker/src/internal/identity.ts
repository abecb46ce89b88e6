/**
 * A worker's stable, unique id.
 *
 * Order: an explicit id (config or `NETWARK_WORKER_ID`); else the id kept in
 * `<stateDir>/worker-<instance>.id`; else a new `<host>-<instance>-<6 hex>` written there. The
 * random part keeps two hosts of the same name (two `raspberrypi`s) apart; keeping it in a file
 * keeps the id across restarts, which matters because the id names the worker's broadcast queues
 * (a restarted worker picks up the broadcasts it missed). When the state directory cannot be
 * written, the id falls back to `<host>-<instance>` (stable, unique per host) with a warning.
 *
 * @internal
 */
import { randomBytes } from "node:crypto"
import { mkdir, readFile, rename, writeFile } from "node:fs/promises"
import path from "node:path"
import { Effect } from "effect"

const idPattern = /^[a-zA-Z0-9\-_.:]{1,128}$/

/** A host name reduced to id characters. */
export const hostPart = (hostname: string): string =>
  hostname
    .toLowerCase()
    .replace(/[^a-z0-9\-_.]/g, "-")
    .replace(/^[-.]+|[-.]+$/g, "")
    .slice(0, 64) || "host"

/** Where an instance's id is kept. */
export const idFile = (stateDir: string, instance: string): string =>
  path.join(stateDir, `worker-${instance}.id`)

/** How the id was found. */
export type Source = "configured" | "stored" | "generated" | "derived"

/** Resolve the worker id; never fails (see the module note for the fallback). */
export const resolve = (options: {
  readonly configured?: string
  readonly hostname: string
  readonly instance: string
  readonly stateDir: string
}): Effect.Effect<{ readonly id: string; readonly source: Source; readonly file?: string }> =>
  Effect.gen(function* () {
    if (options.configured !== undefined) return { id: options.configured, source: "configured" }
    const file = idFile(options.stateDir, options.instance)
    const stored = yield* Effect.promise(() =>
      readFile(file, "utf8").then(
        (text) => text.trim(),
        () => undefined,
      ),
    )
    if (stored !== undefined && idPattern.test(stored))
      return { id: stored, source: "stored" as const, file }
    const base = `${hostPart(options.hostname)}-${options.instance}`
    const id = `${base}-${randomBytes(3).toString("hex")}`
    const written = yield* Effect.promise(async () => {
      try {
        await mkdir(options.stateDir, { recursive: true, mode: 0o755 })
        // write-then-rename, so a crash never leaves a half-written id behind
        const tmp = `${file}.${process.pid}.tmp`
        await writeFile(tmp, id + "\n", { mode: 0o644 })
        await rename(tmp, file)
        return true
      } catch {
        return false
      }
    })
    if (written) return { id, source: "generated" as const, file }
    yield* Effect.logWarning(
      "worker: state directory not writable; id derived from host name",
    ).pipe(Effect.annotateLogs({ stateDir: options.stateDir }))
    return { id: base, source: "derived" as const }
  })
