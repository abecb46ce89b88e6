/**
 * The one error type of `@netwark/tools`. Every failure a caller can act on is a `ToolError` with a
 * `reason`; foreign codes (errno, exit status, HTTP status) are mapped to a reason in one place.
 *
 * @module
 */
import { Data } from "effect"

/** Why a tool call failed. */
export type Reason =
  /** The caller's input is malformed or out of range (a prefix, a MAC, an option). */
  | "InvalidInput"
  /** The target is not a valid IP literal or host name, or could be read as an option. */
  | "InvalidTarget"
  /** The target policy (allow/deny lists) refuses the target. */
  | "PolicyDenied"
  /** The host name did not resolve. */
  | "UnknownHost"
  /** The binary the tool needs is not installed. */
  | "NotInstalled"
  /** The operation ran past its deadline and was stopped. */
  | "Timeout"
  /** The caller aborted the operation. */
  | "Aborted"
  /** The output exceeded the size cap. */
  | "OutputTooLarge"
  /** The process exited with a status that means failure, not a result. */
  | "NonZeroExit"
  /** The output or a downloaded file could not be understood. */
  | "Unparseable"
  /** A network peer (WHOIS, RDAP, download server) failed or was unreachable. */
  | "Network"
  /** The thing asked for does not exist (no WHOIS record, no GeoIP record). */
  | "NotFound"
  /** A local file (database, registry snapshot) could not be read or written. */
  | "FileSystem"

/** The typed error of every `@netwark/tools` operation. */
export class ToolError extends Data.TaggedError("ToolError")<{
  readonly reason: Reason
  readonly message: string
  /** The input field the error is about, e.g. `prefix`, `count`, `target`. */
  readonly field?: string | undefined
  readonly cause?: unknown
}> {}

/** Builds an `InvalidInput` error for `field`. */
export const invalidInput = (field: string, message: string): ToolError =>
  new ToolError({ reason: "InvalidInput", field, message })

/** Maps a Node.js system error (errno code) to a reason. */
export const reasonFromErrno = (code: string | undefined): Reason => {
  switch (code) {
    case "ENOENT":
    case "EACCES":
      return "NotInstalled"
    case "ETIMEDOUT":
      return "Timeout"
    case "ABORT_ERR":
      return "Aborted"
    case "ENOTFOUND":
    case "EAI_NONAME":
    case "EAI_AGAIN":
      return "UnknownHost"
    case "ECONNREFUSED":
    case "ECONNRESET":
    case "EHOSTUNREACH":
    case "ENETUNREACH":
    case "EPIPE":
      return "Network"
    default:
      return "Network"
  }
}
