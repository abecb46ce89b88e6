import { type Signal, DestroyRef, effect, inject, signal, untracked } from "@angular/core"

/**
 * A signal that follows `source` once it has been still for `ms` milliseconds: lookups as you
 * type ask the server once per pause, not once per key. Must be created in an injection context.
 */
export const debounced = <T>(source: Signal<T>, ms: number): Signal<T> => {
  const out = signal(untracked(source))
  let timer: ReturnType<typeof setTimeout> | undefined
  effect(() => {
    const value = source()
    clearTimeout(timer)
    timer = setTimeout(() => out.set(value), ms)
  })
  inject(DestroyRef).onDestroy(() => clearTimeout(timer))
  return out.asReadonly()
}
