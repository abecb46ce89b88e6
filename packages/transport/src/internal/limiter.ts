/**
 * A counting limiter with a FIFO of waiters: O(1) acquire and release, where Effect's semaphore
 * wakes every waiter on each release.
 *
 * @internal
 */

/** A limiter of concurrent work. */
export interface Limiter {
  readonly acquire: () => Promise<void> | undefined
  readonly release: () => void
}

/** Allow `permits` holders at once. */
export const make = (permits: number): Limiter => {
  let free = permits
  const waiters: Array<() => void> = []
  let head = 0
  return {
    acquire: () => {
      if (free > 0) {
        free--
        return undefined
      }
      return new Promise<void>((resolve) => waiters.push(resolve))
    },
    release: () => {
      if (head < waiters.length) {
        const next = waiters[head]!
        waiters[head++] = undefined as never
        if (head > 1024 && head * 2 > waiters.length) {
          waiters.splice(0, head)
          head = 0
        }
        next()
      } else free++
    },
  }
}
