import { listFilter } from "./operation-filter"

const empty = { status: "", type: "", target: "", queue: "", since: "", until: "" }

describe("operations list filter", () => {
  it("sends the filled fields, dates as ISO instants", () => {
    const { filter, errors } = listFilter(
      {
        ...empty,
        status: "done",
        type: "ping",
        target: " 127.0.0.1 ",
        since: "2026-11-27T10:00",
      },
      25,
    )
    expect(errors).toEqual({})
    expect(filter).toEqual({
      limit: 25,
      status: "done",
      type: "ping",
      target: "127.0.0.1",
      since: new Date("2026-11-27T10:00").toISOString(),
    })
  })

  it("leaves out what a bad link holds and says why, instead of throwing", () => {
    const { filter, errors } = listFilter(
      { ...empty, since: "garbage", status: "bogus", type: "x", until: "2026-13-45T99:99" },
      25,
    )
    expect(filter).toEqual({ limit: 25 })
    expect(errors).toEqual({
      since: 'not a date: "garbage"',
      until: 'not a date: "2026-13-45T99:99"',
      status: 'unknown status "bogus"',
      type: 'unknown type "x"',
    })
  })

  it("refuses an until before since", () => {
    const { filter, errors } = listFilter(
      { ...empty, since: "2026-11-27T10:00", until: "2026-11-27T09:00" },
      25,
    )
    expect(errors).toEqual({ until: "until is before since" })
    expect(filter.until).toBeUndefined()
    expect(filter.since).toBeDefined()
  })
})
