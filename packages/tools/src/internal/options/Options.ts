/**
 * Typed validators for tool options. Each returns the value or an `InvalidInput` error that names
 * the field and the allowed range, e.g. "count must be an integer from 1 to 100 (got 500)".
 */
import { Duration, Either } from "effect"
import { type ToolError, invalidInput } from "../../ToolError.js"

const show = (value: unknown): string =>
  typeof value === "string" ? JSON.stringify(value) : String(value)

/** An integer in [min, max]. */
export const int = (
  field: string,
  value: unknown,
  min: number,
  max: number,
): Either.Either<number, ToolError> =>
  typeof value === "number" && Number.isInteger(value) && value >= min && value <= max
    ? Either.right(value)
    : Either.left(
        invalidInput(
          field,
          `${field} must be an integer from ${min} to ${max} (got ${show(value)})`,
        ),
      )

/** A finite number in [min, max]. */
export const number = (
  field: string,
  value: unknown,
  min: number,
  max: number,
): Either.Either<number, ToolError> =>
  typeof value === "number" && Number.isFinite(value) && value >= min && value <= max
    ? Either.right(value)
    : Either.left(
        invalidInput(field, `${field} must be a number from ${min} to ${max} (got ${show(value)})`),
      )

const seconds = (ms: number): string => `${Number((ms / 1000).toFixed(3))} s`

/** A duration in [min, max]; numbers are milliseconds, as everywhere in Effect. */
export const duration = (
  field: string,
  value: unknown,
  min: Duration.DurationInput,
  max: Duration.DurationInput,
): Either.Either<Duration.Duration, ToolError> => {
  const lo = Duration.toMillis(min)
  const hi = Duration.toMillis(max)
  const decoded = Duration.decodeUnknown(value)
  const ms = decoded._tag === "Some" ? Duration.toMillis(decoded.value) : NaN
  return Number.isFinite(ms) && ms >= lo && ms <= hi && decoded._tag === "Some"
    ? Either.right(decoded.value)
    : Either.left(
        invalidInput(
          field,
          `${field} must be from ${seconds(lo)} to ${seconds(hi)} (got ${Number.isFinite(ms) ? seconds(ms) : show(value)})`,
        ),
      )
}

/** One of a fixed list. */
export const oneOf = <const A extends string | number>(
  field: string,
  value: unknown,
  list: ReadonlyArray<A>,
): Either.Either<A, ToolError> =>
  list.includes(value as A)
    ? Either.right(value as A)
    : Either.left(
        invalidInput(field, `${field} must be one of ${list.join(", ")} (got ${show(value)})`),
      )

/** A boolean. */
export const boolean = (field: string, value: unknown): Either.Either<boolean, ToolError> =>
  typeof value === "boolean"
    ? Either.right(value)
    : Either.left(invalidInput(field, `${field} must be true or false (got ${show(value)})`))

/**
 * A Linux interface name (kernel `dev_valid_name`): 1–15 bytes, not `.` or `..`, no `/`, `:`,
 * whitespace or control characters; we also refuse a leading `-` (option injection) and anything
 * outside printable ASCII.
 */
export const interfaceName = (field: string, value: unknown): Either.Either<string, ToolError> => {
  const bad = (why: string) =>
    Either.left(
      invalidInput(field, `${field} must be a network interface name: ${why} (got ${show(value)})`),
    )
  if (typeof value !== "string") return bad("not a string")
  if (value.length < 1 || value.length > 15) return bad("1 to 15 characters")
  if (value === "." || value === "..") return bad("not . or ..")
  if (value.startsWith("-")) return bad("must not start with '-'")
  if (!/^[\x21-\x7e]+$/.test(value)) return bad("printable ASCII without whitespace")
  if (/[/:]/.test(value)) return bad("no '/' or ':'")
  if (/[;&|`$(){}<>\\'"*?!#~^=,[\]]/.test(value)) return bad("no shell metacharacters")
  return Either.right(value)
}

/** Applies `validate` when `value` is present. */
export const optional = <A>(
  value: unknown,
  validate: (v: unknown) => Either.Either<A, ToolError>,
): Either.Either<A | undefined, ToolError> =>
  value === undefined ? Either.right(undefined) : validate(value)

/** The runners' output cap: 1 KiB to 256 MiB, `fallback` when absent. */
export const maxOutputBytes = (
  value: unknown,
  fallback: number,
): Either.Either<number, ToolError> =>
  int("maxOutputBytes", value ?? fallback, 1024, 256 * 1024 * 1024)
