/**
 * The settlements of one AMQP channel's deliveries, turned into as few ack frames as is safe.
 *
 * A `basic.ack` with `multiple` settles every unsettled delivery up to its tag, so it may only
 * cover a run in which every delivery is settled: the run starts at the oldest delivery still
 * open and ends before the first one still running. Settlements behind a running delivery go out
 * one frame each, at once, so a slow job never holds back another's ack (and with it the
 * consumer's prefetch). A requeue or drop is its own frame, written before any ack run that
 * covers it, so the broker has already settled it when the run arrives.
 *
 * @internal
 */
import type { Disposition } from "./port.js"

/** One frame to write: `multiple` covers every open delivery up to `tag`. */
export interface Frame {
  readonly tag: number
  readonly multiple: boolean
  readonly disposition: Disposition
}

/** The open deliveries of one channel. */
export interface Tracker {
  /** A delivery arrived; tags on a channel count up from 1. */
  readonly delivered: (tag: number) => void
  /** Record a delivery's outcome; false if the tag is not open (unknown or settled). */
  readonly settle: (tag: number, disposition: Disposition) => boolean
  /** The frames for everything settled since the last flush, in the order to write them. */
  readonly flush: () => ReadonlyArray<Frame>
  /** Deliveries not yet settled or not yet flushed. */
  readonly open: () => number
}

const running = 0

/** A tracker for a fresh channel. */
export const make = (): Tracker => {
  // open tags in delivery order (`order`, from `head`) and their outcome, `running` until settled
  const order: Array<number> = []
  let head = 0
  const state = new Map<number, Disposition | typeof running>()
  const settled: Array<number> = []
  let next = 1

  const delivered = (tag: number) => {
    // A gap means a delivery this tracker never saw: it stays open for ever, so no ack run
    // covers (and silently settles) it. The client does not drop deliveries; this is a guard.
    if (tag > next) {
      order.push(next)
      state.set(next, running)
    }
    next = Math.max(next, tag + 1)
    order.push(tag)
    state.set(tag, running)
  }

  const settle = (tag: number, disposition: Disposition) => {
    if (state.get(tag) !== running) return false
    state.set(tag, disposition)
    settled.push(tag)
    return true
  }

  const flush = (): ReadonlyArray<Frame> => {
    if (settled.length === 0) return []
    const frames: Array<Frame> = []
    let runTag = 0
    let runLength = 0
    const endRun = () => {
      if (runLength > 0) frames.push({ tag: runTag, multiple: runLength > 1, disposition: "ack" })
      runLength = 0
    }
    while (head < order.length) {
      const tag = order[head]!
      const outcome = state.get(tag)
      if (outcome === running) break
      head++
      // settled by an earlier flush: already gone at the broker, a run may span it
      if (outcome === undefined) continue
      state.delete(tag)
      if (outcome === "ack") {
        runTag = tag
        runLength++
      } else {
        endRun()
        frames.push({ tag, multiple: false, disposition: outcome })
      }
    }
    endRun()
    for (const tag of settled) {
      const outcome = state.get(tag)
      if (outcome === undefined || outcome === running) continue
      state.delete(tag)
      frames.push({ tag, multiple: false, disposition: outcome })
    }
    settled.length = 0
    if (head > 1024 && head * 2 > order.length) {
      order.splice(0, head)
      head = 0
    }
    return frames
  }

  return { delivered, settle, flush, open: () => state.size }
}
