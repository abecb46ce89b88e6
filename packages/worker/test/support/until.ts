/** Polling for a condition the tests cannot be told about (a log line, a process, a file). */

/**
 * Poll `probe` every `everyMs` until it gives a value (not `undefined`, not `false`) and return
 * it; fail naming `what` after `timeoutMs`. The probe may be async (it is awaited before the next).
 */
export const until = async <A>(
  what: string,
  probe: () => A | undefined | false | Promise<A | undefined | false>,
  timeoutMs = 20_000,
  everyMs = 20,
): Promise<A> => {
  const end = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined && value !== false) return value
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, everyMs))
  }
}
