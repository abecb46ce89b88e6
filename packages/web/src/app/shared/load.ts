import { type Signal, computed, resource } from "@angular/core"

/** A loaded value as pages read it: never throws, the last error beside it. */
export interface Loaded<T> {
  /** The value, or undefined while none (loading for the first time, or failed). */
  readonly value: Signal<T | undefined>
  readonly error: Signal<unknown>
  readonly isLoading: Signal<boolean>
  /** Loads again with the same parameters. */
  reload(): void
}

/**
 * `resource()` with a value that reads `undefined` on error instead of throwing, so templates
 * can show the value and the error side by side. `params` returning undefined means "idle".
 * Must be called in an injection context.
 */
export function load<T>(loader: (signal: AbortSignal) => Promise<T>): Loaded<T>
export function load<P, T>(
  params: () => P | undefined,
  loader: (params: P, signal: AbortSignal) => Promise<T>,
): Loaded<T>
export function load<P, T>(
  a: ((signal: AbortSignal) => Promise<T>) | (() => P | undefined),
  b?: (params: P, signal: AbortSignal) => Promise<T>,
): Loaded<T> {
  const r =
    b === undefined
      ? resource({
          loader: ({ abortSignal }) => (a as (s: AbortSignal) => Promise<T>)(abortSignal),
        })
      : resource({
          params: a as () => P | undefined,
          loader: ({ params, abortSignal }) => b(params as P, abortSignal),
        })
  // While new parameters load, the last value stays on screen: no flicker as the user types.
  let last: T | undefined
  return {
    value: computed(() => {
      const status = r.status()
      if (r.hasValue()) last = r.value()
      else if (status !== "loading" && status !== "reloading") last = undefined
      return last
    }),
    error: computed(() => r.error()),
    isLoading: r.isLoading,
    reload: () => void r.reload(),
  }
}
