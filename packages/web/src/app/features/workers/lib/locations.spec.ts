import type { Queue } from "../../../core/models"
import {
  locationGroups,
  locationMarkers,
  presenceColour,
  presenceText,
  withWorkers,
} from "./locations"

const paris = { name: "Paris", latitude: 48.85, longitude: 2.35 }
const queues: ReadonlyArray<Queue> = [
  {
    name: "eu-west",
    broadcast: false,
    location: paris,
    workers: [
      { id: "a", hostname: "a", online: true },
      { id: "b", hostname: "b", online: false },
    ],
  },
  {
    name: "eu-west.all",
    broadcast: true,
    location: paris,
    workers: [{ id: "a", hostname: "a", online: true }],
  },
  { name: "nowhere", broadcast: false, location: null, workers: [] },
]

describe("worker locations", () => {
  it("groups queues by place and counts each worker once", () => {
    const groups = locationGroups(queues)
    expect(groups).toHaveLength(1)
    expect(groups[0]).toMatchObject({ online: 1, total: 2 })
    expect(groups[0]?.queues.map((q) => q.name)).toEqual(["eu-west", "eu-west.all"])
  })

  it("colours markers by the share of workers online and marks picked queues", () => {
    expect(presenceColour(2, 2)).toBe("#16a34a")
    expect(presenceColour(1, 2)).toBe("#d97706")
    // Every known worker gone: grey; no worker ever: red.
    expect(presenceColour(0, 2)).toBe("#9ca3af")
    expect(presenceColour(0, 0)).toBe("#dc2626")
    const [m] = locationMarkers(locationGroups(queues), new Set(["eu-west.all"]))
    expect(m).toMatchObject({ label: "Paris", colour: "#d97706", selected: true, latitude: 48.85 })
  })

  it("adds the workers gone offline to their queues: a place with none left is a grey marker with its last seen time", () => {
    const tokyo = { name: "Tokyo", latitude: 35.68, longitude: 139.69 }
    const now = Date.parse("2026-11-27T12:00:00Z")
    const listed: ReadonlyArray<Queue> = [
      { name: "ap-ne", broadcast: false, location: tokyo, workers: [] },
      {
        name: "eu-west",
        broadcast: false,
        location: paris,
        workers: [{ id: "a", hostname: "a", online: true }],
      },
    ]
    const workers = [
      {
        id: "a",
        hostname: "a",
        online: true,
        lastSeen: "2026-11-27T11:59:59Z",
        queues: ["eu-west"],
      },
      {
        id: "t1",
        hostname: "t1",
        online: false,
        lastSeen: "2026-11-27T11:40:00Z",
        queues: ["ap-ne"],
      },
      {
        id: "t2",
        hostname: "t2",
        online: false,
        lastSeen: "2026-11-27T11:55:00Z",
        queues: ["ap-ne"],
      },
    ]
    // Before the workers load, the queue list alone.
    expect(locationGroups(withWorkers(listed, undefined)).map((g) => g.total)).toEqual([0, 1])
    const groups = locationGroups(withWorkers(listed, workers))
    const [tokyoGroup, parisGroup] = groups
    expect(tokyoGroup).toMatchObject({ online: 0, total: 2, lastSeen: "2026-11-27T11:55:00Z" })
    expect(parisGroup).toMatchObject({ online: 1, total: 1 })
    expect(presenceText(tokyoGroup!, now)).toBe("all 2 offline, last seen 5 min ago")
    expect(presenceText(parisGroup!, now)).toBe("1/1 online")
    const [marker] = locationMarkers(groups)
    expect(marker).toMatchObject({ label: "Tokyo", colour: "#9ca3af" })
    expect(marker?.detail).toMatch(/^all 2 offline, last seen .+ · ap-ne$/)
  })
})
