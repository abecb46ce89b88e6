import { type OperationFilter, operationStatuses, operationTypes } from "../../../core/models"

/** The list page's filter fields as typed (or read from a shared link). */
export interface FilterInput {
  readonly status: string
  readonly type: string
  readonly target: string
  readonly queue: string
  /** `datetime-local` values, local time. */
  readonly since: string
  readonly until: string
}

/**
 * The API filter for the list page, and a message for each field that cannot be sent (a link
 * with `?since=garbage` or `?status=bogus`): that field is left out, so the list still loads,
 * and the message says why next to it (an invalid date used to throw and blank the page).
 */
export const listFilter = (
  input: FilterInput,
  limit: number,
): { readonly filter: OperationFilter; readonly errors: Readonly<Record<string, string>> } => {
  const f: Record<string, string | number> = { limit }
  const errors: Record<string, string> = {}
  if (input.status !== "") {
    if ((operationStatuses as ReadonlyArray<string>).includes(input.status))
      f["status"] = input.status
    else errors["status"] = `unknown status "${input.status}"`
  }
  if (input.type !== "") {
    if ((operationTypes as ReadonlyArray<string>).includes(input.type)) f["type"] = input.type
    else errors["type"] = `unknown type "${input.type}"`
  }
  if (input.target.trim()) f["target"] = input.target.trim()
  if (input.queue.trim()) f["queue"] = input.queue.trim()
  const date = (key: "since" | "until"): number | undefined => {
    const v = input[key]
    if (v === "") return undefined
    const t = new Date(v).getTime()
    if (!Number.isFinite(t)) {
      errors[key] = `not a date: "${v}"`
      return undefined
    }
    f[key] = new Date(t).toISOString()
    return t
  }
  const since = date("since")
  const until = date("until")
  if (since !== undefined && until !== undefined && until < since) {
    errors["until"] = "until is before since"
    delete f["until"]
  }
  return { filter: f as OperationFilter, errors }
}
