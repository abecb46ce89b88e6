/**
 * The job payload workers take (`@netwark/worker`'s `Jobs.prepare`): `{ target, options }`, or
 * `{ query, options }` for dns, with durations as milliseconds. The API speaks seconds.
 *
 * @module
 */
import type { OperationType } from "./operations.dto.js"

const durationFields: Record<OperationType, ReadonlyArray<string>> = {
  ping: ["interval", "timeout", "deadline"],
  mtr: ["interval", "gracePeriod", "timeout"],
  traceroute: ["wait", "timeout"],
  dns: ["tryTimeout", "timeout"],
}

/** The worker's options for API options (seconds become milliseconds). */
export const workerOptions = (
  type: OperationType,
  options: Readonly<Record<string, unknown>>,
): Record<string, unknown> => {
  const out: Record<string, unknown> = { ...options }
  for (const field of durationFields[type]) {
    const value = out[field]
    if (typeof value === "number") out[field] = Math.round(value * 1000)
  }
  return out
}

/** The job payload of an operation. */
export const toPayload = (
  type: OperationType,
  target: string,
  options: Readonly<Record<string, unknown>>,
): Record<string, unknown> =>
  type === "dns"
    ? { query: target, options: workerOptions(type, options) }
    : { target, options: workerOptions(type, options) }
