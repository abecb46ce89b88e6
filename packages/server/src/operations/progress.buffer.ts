/**
 * The recent progress of each operation, kept in memory by this server process so that an event
 * stream opened after the progress was emitted (a fast traceroute, a console subscribing right
 * after its POST) or reopened after a dropped connection still sees it.
 *
 * Bounded three ways: per operation (the oldest events go first), in total (the operation touched
 * longest ago goes first), and in time (an operation is dropped a grace period after it ended, or
 * after a long silence when its end was seen by another replica).
 *
 * Event ids are `<epoch>-<n>`: `n` comes from one counter of the process, so the ids of one
 * operation increase strictly even when its entry was dropped and made again; `epoch` names the
 * process, so an id from another replica or from before a restart is recognised as foreign (the
 * whole buffer is replayed) rather than compared with numbers that mean something else.
 *
 * @module
 */
import { randomBytes } from "node:crypto"

/** Limits of a {@link ProgressBuffer}. */
export interface BufferOptions {
  /** Events kept per operation; the oldest are dropped first. */
  readonly maxPerOperation: number
  /** Events kept over all operations; the least recently touched operation is dropped first. */
  readonly maxTotal: number
  /** How long an ended operation's events stay for late subscribers, in milliseconds. */
  readonly graceMs: number
  /** An operation without new progress for this long is dropped, ended or not, in milliseconds. */
  readonly idleMs: number
}

/** Limits sized for a console: a 100-worker broadcast of a 10-packet ping (1,000 events) fits many times over, in a few MB. */
export const defaultOptions: BufferOptions = {
  maxPerOperation: 5_000,
  maxTotal: 20_000,
  graceMs: 60_000,
  idleMs: 15 * 60_000,
}

/** One buffered event with its stream id. */
export interface Stamped<E> {
  readonly id: string
  readonly n: number
  readonly event: E
}

interface Entry<E> {
  events: Array<Stamped<E>>
  touched: number
  endedAt: number | undefined
}

/** A position in the buffer read from a `Last-Event-ID`: after `n` of this process, or unknown. */
export type Cursor = number | undefined

/** Per-operation progress of one process, bounded; see the module note. */
export class ProgressBuffer<E> {
  /** Names this process in event ids. */
  readonly epoch: string
  private readonly options: BufferOptions
  // Map order is touch order: re-inserted on every append, so the first key is the stalest
  private readonly entries = new Map<string, Entry<E>>()
  private counter = 0
  private total = 0
  private prunedAt = 0

  constructor(options: Partial<BufferOptions> = {}, epoch?: string) {
    this.options = { ...defaultOptions, ...options }
    this.epoch = epoch ?? `${Date.now().toString(36)}${randomBytes(3).toString("hex")}`
  }

  /** Events currently held, over all operations. */
  get size(): number {
    return this.total
  }

  /** Operations currently held. */
  get operations(): number {
    return this.entries.size
  }

  /** Record one event of an operation; returns it with its id. */
  append(operationId: string, event: E, now: number = Date.now()): Stamped<E> {
    if (now - this.prunedAt >= 1_000) this.prune(now)
    const n = ++this.counter
    const stamped: Stamped<E> = { id: `${this.epoch}-${n}`, n, event }
    let entry = this.entries.get(operationId)
    if (entry === undefined) entry = { events: [], touched: now, endedAt: undefined }
    else this.entries.delete(operationId)
    this.entries.set(operationId, entry)
    entry.touched = now
    entry.events.push(stamped)
    this.total++
    if (entry.events.length > this.options.maxPerOperation) {
      entry.events.shift()
      this.total--
    }
    while (this.total > this.options.maxTotal) {
      const [stalest, old] = this.entries.entries().next().value as [string, Entry<E>]
      if (stalest === operationId) {
        // only this operation is left over the cap: trim its oldest events instead
        const drop = this.total - this.options.maxTotal
        old.events.splice(0, drop)
        this.total -= drop
        break
      }
      this.entries.delete(stalest)
      this.total -= old.events.length
    }
    return stamped
  }

  /** Read a `Last-Event-ID`: the position after which to replay, undefined for all. */
  cursor(lastEventId: string | undefined): Cursor {
    if (lastEventId === undefined) return undefined
    const dash = lastEventId.lastIndexOf("-")
    if (dash < 0 || lastEventId.slice(0, dash) !== this.epoch) return undefined
    const digits = lastEventId.slice(dash + 1)
    if (!/^\d{1,15}$/.test(digits)) return undefined
    return Number(digits)
  }

  /** The buffered events of an operation after `cursor` (all when undefined), oldest first. */
  after(operationId: string, cursor: Cursor = undefined): ReadonlyArray<Stamped<E>> {
    const events = this.entries.get(operationId)?.events
    if (events === undefined) return []
    if (cursor === undefined) return events.slice()
    // ids increase along the array: find the first one past the cursor
    let lo = 0
    let hi = events.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (events[mid]!.n <= cursor) lo = mid + 1
      else hi = mid
    }
    return events.slice(lo)
  }

  /** The operation has ended: keep its events for the grace period only. */
  end(operationId: string, now: number = Date.now()): void {
    const entry = this.entries.get(operationId)
    if (entry !== undefined && entry.endedAt === undefined) entry.endedAt = now
  }

  /** Drop ended operations past their grace period and operations silent for too long. */
  prune(now: number = Date.now()): void {
    this.prunedAt = now
    for (const [id, entry] of this.entries) {
      const expired =
        (entry.endedAt !== undefined && now - entry.endedAt >= this.options.graceMs) ||
        now - entry.touched >= this.options.idleMs
      if (!expired) continue
      this.entries.delete(id)
      this.total -= entry.events.length
    }
  }
}
