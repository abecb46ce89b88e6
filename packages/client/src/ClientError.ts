/**
 * The one error type of `@netwark/client`: an HTTP error answer (carrying the server's RFC 9457
 * problem details), a network failure, an abort, or an answer that is not what the API promises.
 *
 * @module
 */

/** An RFC 9457 problem details object, as every Netwark error answer carries. */
export interface ProblemDetails {
  readonly type?: string
  readonly title?: string
  readonly status?: number
  readonly detail?: string
  readonly instance?: string
  /** The input field the error is about (`prefix`, `mac`, `body.target`...), when there is one. */
  readonly field?: string
  /** Extension members the server adds (`reason`, `errors`, ...). */
  readonly [extension: string]: unknown
}

/** Why a call failed. */
export type Reason =
  /** The server answered with an error status (4xx, 5xx); `problem` holds its explanation. */
  | "Http"
  /** The request never got an answer (connection refused, DNS, TLS, reset). */
  | "Network"
  /** The caller's `AbortSignal` fired. */
  | "Aborted"
  /** The answer could not be read as the API describes it (bad JSON, wrong content type). */
  | "Decode"
  /**
   * A path parameter that no request can carry (empty, `.` or `..`): refused before sending, with
   * `field` naming it.
   */
  | "InvalidInput"

/** Options of the `ClientError` constructor. */
export interface ClientErrorOptions {
  readonly reason: Reason
  /** HTTP status; 0 when there was no answer. */
  readonly status: number
  readonly problem: ProblemDetails
  readonly method: string
  readonly url: string
  readonly cause?: unknown
}

/** The typed error of every `@netwark/client` call. */
export class ClientError extends Error {
  override readonly name = "ClientError"
  readonly reason: Reason
  /** HTTP status; 0 when there was no answer. */
  readonly status: number
  /** The problem details the server sent (or built locally for the other reasons). */
  readonly problem: ProblemDetails
  readonly method: string
  readonly url: string

  constructor(options: ClientErrorOptions) {
    const p = options.problem
    super(
      `${options.method} ${options.url}: ${options.status > 0 ? `${options.status} ` : ""}${p.detail ?? p.title ?? options.reason}`,
      options.cause === undefined ? undefined : { cause: options.cause },
    )
    this.reason = options.reason
    this.status = options.status
    this.problem = p
    this.method = options.method
    this.url = options.url
  }

  /** The input field the server named, if any. */
  get field(): string | undefined {
    return typeof this.problem.field === "string" ? this.problem.field : undefined
  }
}

/** Whether `u` is a `ClientError` (also across bundle copies, by name and shape). */
export const isClientError = (u: unknown): u is ClientError =>
  u instanceof ClientError ||
  (u instanceof Error && u.name === "ClientError" && "problem" in u && "reason" in u)
