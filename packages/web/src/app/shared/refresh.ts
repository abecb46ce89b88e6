import { DestroyRef, inject } from "@angular/core"

/** How often a page reads again what changes on its own (presence, pending operations). */
export const REFRESH_MS = 10_000

/**
 * Calls `refresh` every `ms` milliseconds for as long as the component lives (the timer stops
 * when it is destroyed, so a page left behind asks nothing more). `refresh` decides itself
 * whether there is anything to read again. Must be called in an injection context.
 */
export const refreshEvery = (refresh: () => void, ms: number = REFRESH_MS): void => {
  const timer = setInterval(refresh, ms)
  inject(DestroyRef).onDestroy(() => clearInterval(timer))
}
