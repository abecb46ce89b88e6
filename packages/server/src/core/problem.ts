/**
 * RFC 9457 problem details: the one error shape of the API, and the mapping of every error the
 * libraries raise (`ToolError`, `TransportError`, SQL errors) to an HTTP status, in one place.
 *
 * @module
 */
import { HttpException } from "@nestjs/common"

/** One invalid field of a request. */
export interface FieldError {
  /** Where the value was: `body`, `query` or `path` field, dotted (`options.count`). */
  readonly field: string
  readonly message: string
}

/** The JSON body of every error response (`application/problem+json`). */
export interface ProblemBody {
  readonly type: string
  readonly title: string
  readonly status: number
  readonly detail: string
  readonly instance?: string
  /** The machine-readable reason, e.g. `InvalidInput`, `NotFound`, `UnknownQueue`. */
  readonly reason: string
  /** The first invalid field, when the error is about one. */
  readonly field?: string
  readonly errors?: ReadonlyArray<FieldError>
}

const titles: Record<number, string> = {
  400: "Bad Request",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  406: "Not Acceptable",
  408: "Request Timeout",
  409: "Conflict",
  413: "Content Too Large",
  414: "URI Too Long",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  429: "Too Many Requests",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
}

/** The title of a status code. */
export const titleOf = (status: number): string => titles[status] ?? "Error"

/** An error that already knows its HTTP answer; thrown by controllers, pipes and services. */
export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    detail: string,
    readonly field?: string,
    readonly errors?: ReadonlyArray<FieldError>,
  ) {
    super(detail)
    this.name = "Problem"
  }

  /** A 400 about one field. */
  static invalid(field: string, message: string, reason = "InvalidInput"): Problem {
    return new Problem(400, reason, message, field, [{ field, message }])
  }

  /** A 404 for a thing that does not exist. */
  static notFound(detail: string): Problem {
    return new Problem(404, "NotFound", detail)
  }
}

/** Status codes of `ToolError` reasons (`@netwark/tools`). */
export const toolStatus: Record<string, number> = {
  InvalidInput: 400,
  InvalidTarget: 400,
  PolicyDenied: 403,
  UnknownHost: 422,
  NotFound: 404,
  NotInstalled: 503,
  Timeout: 504,
  Aborted: 503,
  OutputTooLarge: 502,
  NonZeroExit: 502,
  Unparseable: 502,
  Network: 502,
  FileSystem: 503,
}

/** Status codes of `TransportError` reasons (`@netwark/transport`). */
export const transportStatus: Record<string, number> = {
  UnknownQueue: 400,
  TooLarge: 413,
  Decode: 502,
  Connection: 503,
  Publish: 503,
  Closed: 503,
  InvalidConfig: 503,
  Timeout: 504,
}

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null

const str = (u: unknown): string | undefined => (typeof u === "string" ? u : undefined)

/** What {@link toProblem} makes of an error; `unexpected` ones are logged by the filter. */
export interface Mapped {
  readonly body: ProblemBody
  readonly unexpected: boolean
}

const body = (
  status: number,
  reason: string,
  detail: string,
  extra: { readonly field?: string | undefined; readonly errors?: ReadonlyArray<FieldError> } = {},
): ProblemBody => ({
  type: status >= 500 ? "about:blank" : `https://netwark.dev/problems/${reason}`,
  title: titleOf(status),
  status,
  detail,
  reason,
  ...(extra.field === undefined ? {} : { field: extra.field }),
  ...(extra.errors === undefined || extra.errors.length === 0 ? {} : { errors: extra.errors }),
})

/**
 * Map any thrown value to a problem. Matches the library errors by their `_tag` rather than
 * `instanceof`, so that two copies of a library (CJS/ESM, nested installs) still map.
 */
export const toProblem = (error: unknown): Mapped => {
  if (error instanceof Problem) {
    return {
      body: body(error.status, error.reason, error.message, {
        field: error.field,
        ...(error.errors === undefined ? {} : { errors: error.errors }),
      }),
      unexpected: false,
    }
  }
  if (isRecord(error)) {
    const tag = str(error["_tag"])
    const reason = str(error["reason"]) ?? "Unknown"
    const message = str(error["message"]) ?? reason
    if (tag === "ToolError") {
      const status = toolStatus[reason] ?? 502
      const field = str(error["field"])
      return {
        body: body(status, reason, message, {
          field,
          ...(field === undefined ? {} : { errors: [{ field, message }] }),
        }),
        unexpected: false,
      }
    }
    if (tag === "TransportError") {
      const status = transportStatus[reason] ?? 503
      const field = reason === "UnknownQueue" ? "queues" : undefined
      return { body: body(status, reason, message, { field }), unexpected: false }
    }
    if (tag === "SqlError" || tag === "ResultLengthMismatch") {
      // The database is down or restarting: a retryable condition, never the caller's fault.
      return {
        body: body(503, "DatabaseUnavailable", "the database is unavailable; retry shortly"),
        unexpected: true,
      }
    }
  }
  if (error instanceof HttpException) {
    const status = error.getStatus()
    const response = error.getResponse()
    const detail =
      typeof response === "string"
        ? response
        : isRecord(response) && typeof response["message"] === "string"
          ? response["message"]
          : error.message
    const reason = status === 404 ? "NotFound" : titleOf(status).replaceAll(" ", "")
    return { body: body(status, reason, detail), unexpected: status >= 500 }
  }
  // Fastify's own errors (bad JSON, body too large, wrong content type) carry a 4xx statusCode.
  if (isRecord(error) && typeof error["statusCode"] === "number") {
    const status = error["statusCode"]
    if (status >= 400 && status < 500) {
      // the reason is the status's name (URITooLong), not Fastify's code (FST_ERR_…), and a long
      // path is not echoed back whole
      const detail =
        error["code"] === "FST_ERR_MAX_PARAM_LENGTH"
          ? "a path segment is too long (at most 1024 characters)"
          : (str(error["message"]) ?? titleOf(status))
      return {
        body: body(status, titleOf(status).replaceAll(" ", ""), detail),
        unexpected: false,
      }
    }
  }
  return {
    body: body(500, "Internal", "an unexpected error occurred; it has been logged"),
    unexpected: true,
  }
}
