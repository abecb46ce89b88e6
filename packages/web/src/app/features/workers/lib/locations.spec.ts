import type { Queue } from "../../../core/models"
import { locationGroups, locationMarkers, presenceColour } from "./locations"

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
    expect(presenceColour(0, 2)).toBe("#dc2626")
    const [m] = locationMarkers(locationGroups(queues), new Set(["eu-west.all"]))
    expect(m).toMatchObject({ label: "Paris", colour: "#d97706", selected: true, latitude: 48.85 })
  })
})
