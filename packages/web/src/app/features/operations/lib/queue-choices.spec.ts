import type { Queue } from "../../../core/models"
import { locationGroups } from "../../workers/lib/locations"
import { pickableAt, queueChoices, togglePlace } from "./queue-choices"

const now = Date.parse("2026-11-27T12:00:00Z")
const tokyo = { name: "Tokyo", latitude: 35.68, longitude: 139.69 }
const queues: ReadonlyArray<Queue> = [
  {
    name: "paris",
    broadcast: false,
    locationName: "Paris",
    workers: [
      { id: "a", hostname: "a", online: true },
      { id: "b", hostname: "b", online: false, lastSeen: "2026-11-27T11:00:00Z" },
    ],
  },
  {
    name: "ap-ne",
    broadcast: false,
    location: tokyo,
    locationName: "Tokyo",
    workers: [
      { id: "t1", hostname: "t1", online: false, lastSeen: "2026-11-27T11:40:00Z" },
      { id: "t2", hostname: "t2", online: false, lastSeen: "2026-11-27T11:55:00Z" },
    ],
  },
  { name: "ap-ne.all", broadcast: true, location: tokyo, workers: [] },
  { name: "empty", broadcast: false, workers: [] },
]

describe("queue choices", () => {
  it("greys a queue whose workers are all offline, with the latest last seen, and offers it only to unpick", () => {
    const rows = queueChoices(queues, new Set(), now)
    expect(rows.map((r) => [r.name, r.presence, r.offline, r.selectable])).toEqual([
      ["paris", "1/2 online", false, true],
      ["ap-ne", "all 2 offline, last seen 5 min ago", true, false],
      ["ap-ne.all", "0/0 online", false, true],
      ["empty", "0/0 online", false, true],
    ])
    expect(queueChoices(queues, new Set(["ap-ne"]), now)[1]?.selectable).toBe(true)
  })

  it("adds picked queues the server does not know, once the list has loaded", () => {
    expect(queueChoices(undefined, new Set(["nope"]))).toEqual([])
    const rows = queueChoices(queues, new Set(["nope", "paris"]), now)
    expect(rows.at(-1)).toMatchObject({ name: "nope", unknown: true, presence: "not configured" })
    expect(rows.filter((r) => r.unknown)).toHaveLength(1)
  })

  it("a map place toggles only its queues with a worker online (or none known)", () => {
    const [tokyoGroup] = locationGroups(queues)
    expect(pickableAt(tokyoGroup!)).toEqual(["ap-ne.all"])
    const picked = togglePlace(new Set(), pickableAt(tokyoGroup!))
    expect([...picked]).toEqual(["ap-ne.all"])
    expect([...togglePlace(picked, ["ap-ne.all"])]).toEqual([])
    const same = new Set(["x"])
    expect(togglePlace(same, [])).toBe(same)
  })
})
