import { DestroyRef, inject } from "@angular/core"

/** How often a page reads again what changes on its own (presence, pending operations). */
export const REFRESH_MS = 10_000

/**
 * Calls `refresh` every `REFRESH_MS` for as long as the component lives (the timer stops when it
 * is destroyed, so a page left behind asks nothing more). `refresh` decides itself whether there
 * is anything to read again. Must be called in an injection context.
 */
export const refreshEvery = (refresh: () => void): void => {
  const timer = setInterval(refresh, REFRESH_MS)
  inject(DestroyRef).onDestroy(() => clearInterval(timer))
}
