/**
 * The one error type of `@netwark/transport`.
 *
 * @module
 */
import { Data } from "effect"

/** Why a transport call failed. */
export type Reason =
  | "Connection"
  | "Publish"
  | "Decode"
  | "InvalidConfig"
  | "Closed"
  | "Timeout"
  /** A target names no built-in or configured queue. */
  | "UnknownQueue"
  /** An encoded message is larger than the configured cap. */
  | "TooLarge"

/** The typed error of every `@netwark/transport` operation. */
export class TransportError extends Data.TaggedError("TransportError")<{
  readonly reason: Reason
  readonly message: string
  readonly cause?: unknown
}> {}

/** Build a `TransportError` (a shorthand that keeps call sites on one line). */
export const make = (reason: Reason, message: string, cause?: unknown): TransportError =>
  cause === undefined
    ? new TransportError({ reason, message })
    : new TransportError({ reason, message, cause })
