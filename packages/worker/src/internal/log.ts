/**
 * JSON logs: one line per event on stdout (`level`, `time`, `msg`, then the annotations as
 * fields), so that journald, Docker or a log shipper can read them without a parser.
 *
 * Every string is passed through {@link redact} first: the transport logs the broker client's
 * errors verbatim, and those can carry the broker URL with its password.
 *
 * @internal
 */
import { Cause, HashMap, Inspectable, Layer, Logger, LogLevel, Redacted } from "effect"

const urlPassword = /\b([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*):[^@/?#\s]*@/gi

/** Hide the password of every `scheme://user:password@host` in a text. */
export const redact = (text: string): string => text.replace(urlPassword, "$1:***@")

/** A URL (or any text) fit for a log line: the password of a URL is masked. */
export const redactUrl = (url: string | Redacted.Redacted<string>): string =>
  redact(Redacted.isRedacted(url) ? Redacted.value(url) : url)

const field = (value: unknown): unknown => {
  if (typeof value === "string") return redact(value)
  if (Redacted.isRedacted(value)) return "<redacted>"
  if (value instanceof Error) return redact(value.message)
  if (value === null || typeof value !== "object") return value
  try {
    return JSON.parse(redact(JSON.stringify(Inspectable.toJSON(value)) ?? "null")) as unknown
  } catch {
    return redact(String(value))
  }
}

const messageText = (message: unknown): string => {
  const parts = Array.isArray(message) ? message : [message]
  return redact(
    parts
      .map((part) =>
        typeof part === "string"
          ? part
          : part instanceof Error
            ? part.message
            : Cause.isCause(part)
              ? Cause.pretty(part)
              : JSON.stringify(Inspectable.toJSON(part)),
      )
      .join(" "),
  )
}

const levelName = (level: LogLevel.LogLevel): string => level.label.toLowerCase()

/** Render one log event as a JSON line (no trailing newline). */
export const line = (event: {
  readonly logLevel: LogLevel.LogLevel
  readonly message: unknown
  readonly date: Date
  readonly annotations: HashMap.HashMap<string, unknown>
  readonly cause: Cause.Cause<unknown>
}): string => {
  const out: Record<string, unknown> = {
    level: levelName(event.logLevel),
    time: event.date.toISOString(),
    msg: messageText(event.message),
  }
  for (const [key, value] of HashMap.toEntries(event.annotations))
    if (!(key in out)) out[key] = field(value)
  if (!Cause.isEmpty(event.cause)) out["cause"] = redact(Cause.pretty(event.cause))
  return JSON.stringify(out)
}

/** A logger writing JSON lines to a sink (stdout by default). */
export const make = (
  write: (text: string) => void = (text) => void process.stdout.write(text),
): Logger.Logger<unknown, void> => Logger.make((event) => write(line(event) + "\n"))

/** Replace Effect's default logger with JSON lines at or above `level`. */
export const layer = (level: LogLevel.LogLevel = LogLevel.Info): Layer.Layer<never> =>
  Layer.merge(Logger.replace(Logger.defaultLogger, make()), Logger.minimumLogLevel(level))
