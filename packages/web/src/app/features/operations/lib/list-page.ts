/** Where the list is: the page number (1-based) and the cursor the server gave for it. */
export interface ListPosition {
  readonly page: number
  readonly cursor: string | undefined
}

/**
 * The position a URL names (`?page=2&cursor=…`). A page without a cursor is the first page; a
 * page number that is not a whole number above 1 reads as 2 when a cursor is given (the cursor is
 * what the server reads, the number only labels the range).
 */
export const positionFromQuery = (page: string | null, cursor: string | null): ListPosition => {
  if (cursor === null || cursor === "") return { page: 1, cursor: undefined }
  const n = Number(page)
  return { page: Number.isInteger(n) && n > 1 ? n : 2, cursor }
}

/** The query parameters for a position (the first page has none, so its URL stays short). */
export const positionQuery = (p: ListPosition): { page: string | null; cursor: string | null } =>
  p.cursor === undefined ? { page: null, cursor: null } : { page: String(p.page), cursor: p.cursor }

/**
 * Where Previous goes from the page shown: the page before through the server's
 * `previousCursor`, so it works from a page opened by link too; the first page (no cursor, so
 * its URL stays short) from page 2, or when the server gave no way back.
 */
export const previousPosition = (
  p: ListPosition,
  previousCursor: string | null | undefined,
): ListPosition =>
  p.page <= 2 || previousCursor === null || previousCursor === undefined || previousCursor === ""
    ? { page: 1, cursor: undefined }
    : { page: p.page - 1, cursor: previousCursor }

/**
 * Where to go once a page has come: the first page when a cursor's page came back empty (its
 * rows were deleted, or an old link points past the end: an empty page with "No operation
 * matches." under a list that has some) or at offset 0 (the rows above it were deleted, so it is
 * the top of the list and its URL and buttons should say so); `undefined` to stay.
 */
export const fallbackPosition = (
  p: ListPosition,
  page: { readonly items: ReadonlyArray<unknown>; readonly offset?: number },
): ListPosition | undefined =>
  p.cursor !== undefined && (page.items.length === 0 || page.offset === 0)
    ? { page: 1, cursor: undefined }
    : undefined

/**
 * "26–50 of 137" for the rows shown, from the server's count of rows before them (`offset`): a
 * page number times the page size was wrong as soon as rows above were deleted. "0 of 0" when
 * nothing matches. Never starts below 1 nor ends past the total. A total the server counted only
 * in part (past 10,000 matches) is "at least": "1–25 of 10000+".
 */
export const rangeText = (offset: number, shown: number, total: number, exact = true): string => {
  if (shown === 0) return `0 of ${totalText(total, exact)}`
  const from = Math.max(0, offset) + 1
  const to = from + shown - 1
  return `${from}–${to} of ${totalText(Math.max(total, to), exact)}`
}

/** A count from the server: "10000+" where it counted only that far (`totalExact: false`). */
export const totalText = (total: number, exact = true): string => (exact ? `${total}` : `${total}+`)

/**
 * The browser title for the list: what it is filtered on and which page, so tabs and the
 * history menu tell "failed mtr, page 2" from the plain list. Takes the filter as sent (fields
 * the page refused are not named).
 */
export const listTitle = (
  filter: {
    readonly type?: string
    readonly status?: string
    readonly target?: string
    readonly queue?: string
    readonly since?: string
    readonly until?: string
  },
  page: number,
): string => {
  const parts = [
    filter.status,
    filter.type,
    filter.target === undefined ? undefined : `"${filter.target}"`,
    filter.queue === undefined ? undefined : `queue ${filter.queue}`,
    filter.since === undefined ? undefined : "since …",
    filter.until === undefined ? undefined : "until …",
  ].filter((p) => p !== undefined)
  const what = parts.length === 0 ? "Operations" : `Operations: ${parts.join(" ")}`
  return `${what}${page > 1 ? ` · page ${page}` : ""} · Netwark`
}
