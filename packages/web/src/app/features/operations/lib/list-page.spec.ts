import {
  fallbackPosition,
  listTitle,
  positionFromQuery,
  positionQuery,
  previousPosition,
  rangeText,
  totalText,
} from "./list-page"

describe("list position", () => {
  it("reads a shared link's page and cursor, and the first page without either", () => {
    expect(positionFromQuery("3", "abc")).toEqual({ page: 3, cursor: "abc" })
    expect(positionFromQuery(null, null)).toEqual({ page: 1, cursor: undefined })
    // A page number without a cursor cannot be fetched: the first page.
    expect(positionFromQuery("4", null)).toEqual({ page: 1, cursor: undefined })
    // A cursor with a bad page number still loads that page.
    expect(positionFromQuery("x", "abc")).toEqual({ page: 2, cursor: "abc" })
    expect(positionFromQuery("1", "abc")).toEqual({ page: 2, cursor: "abc" })
  })

  it("writes the first page as no parameters at all", () => {
    expect(positionQuery({ page: 1, cursor: undefined })).toEqual({ page: null, cursor: null })
    expect(positionQuery({ page: 2, cursor: "c" })).toEqual({ page: "2", cursor: "c" })
  })

  it("goes back with the server's previousCursor, to the plain first page from page 2", () => {
    expect(previousPosition({ page: 3, cursor: "c3" }, "b3")).toEqual({ page: 2, cursor: "b3" })
    expect(previousPosition({ page: 9, cursor: "c9" }, "b9")).toEqual({ page: 8, cursor: "b9" })
    expect(previousPosition({ page: 2, cursor: "c2" }, "b2")).toEqual({
      page: 1,
      cursor: undefined,
    })
    // No way back from the server (an older one, or the rows are the first): the first page.
    for (const none of [null, undefined, ""])
      expect(previousPosition({ page: 5, cursor: "c5" }, none)).toEqual({
        page: 1,
        cursor: undefined,
      })
  })

  it("says which rows are shown, from the server's count of rows before them", () => {
    expect(rangeText(0, 25, 137)).toBe("1–25 of 137")
    expect(rangeText(25, 25, 137)).toBe("26–50 of 137")
    expect(rangeText(125, 12, 137)).toBe("126–137 of 137")
    expect(rangeText(0, 0, 0)).toBe("0 of 0")
    // Page 3 after the rows above it were deleted: the server counts 0 before it, not 50.
    expect(rangeText(0, 3, 3)).toBe("1–3 of 3")
    // Never past the total nor below 1, whatever the numbers (a row deleted between the
    // server's two reads, an older server without the count).
    expect(rangeText(50, 3, 3)).toBe("51–53 of 53")
    expect(rangeText(-5, 2, 10)).toBe("1–2 of 10")
    // Past 10,000 matches the server's total is a lower bound.
    expect(rangeText(0, 25, 10000, false)).toBe("1–25 of 10000+")
    expect(rangeText(10020, 30, 10050, false)).toBe("10021–10050 of 10050+")
    expect([totalText(137), totalText(10000, false)]).toEqual(["137", "10000+"])
  })

  it("falls back to the first page from a cursor's page that came back empty or at the top", () => {
    const first = { page: 1, cursor: undefined }
    // The rows after the cursor were deleted, or an old link points past the end.
    expect(fallbackPosition({ page: 4, cursor: "c4" }, { items: [], offset: 75 })).toEqual(first)
    expect(fallbackPosition({ page: 4, cursor: "c4" }, { items: [] })).toEqual(first)
    // The rows above were deleted: this is the top of the list now, so it is the first page.
    expect(fallbackPosition({ page: 3, cursor: "c3" }, { items: [1], offset: 0 })).toEqual(first)
    // Stay: a page in the middle, and the first page itself (empty when nothing matches).
    expect(fallbackPosition({ page: 3, cursor: "c3" }, { items: [1], offset: 50 })).toBeUndefined()
    expect(fallbackPosition({ page: 3, cursor: "c3" }, { items: [1] })).toBeUndefined()
    expect(fallbackPosition(first, { items: [], offset: 0 })).toBeUndefined()
  })

  it("titles the tab with the filters and the page", () => {
    expect(listTitle({}, 1)).toBe("Operations · Netwark")
    expect(listTitle({ status: "failed", type: "mtr" }, 2)).toBe(
      "Operations: failed mtr · page 2 · Netwark",
    )
    expect(listTitle({ target: "127.0.0.1", queue: "eu" }, 1)).toBe(
      'Operations: "127.0.0.1" queue eu · Netwark',
    )
  })
})
