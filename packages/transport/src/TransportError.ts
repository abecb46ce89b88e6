/**
 * The one error type of `@netwark/transport`.
 *
 * @module
 */
import { Data } from "effect"

/** Why a transport call failed. */
export type Reason = "Connection" | "Publish" | "Decode" | "InvalidConfig" | "Closed" | "Timeout"

/** The typed error of every `@netwark/transport` operation. */
export class TransportError extends Data.TaggedError("TransportError")<{
  readonly reason: Reason
  readonly message: string
  readonly cause?: unknown
}> {}
