/**
 * Everything the map needs, loaded on first use so the initial bundle stays small: MapLibre, its
 * stylesheet, and the bundled 1:110m world outline (world-atlas, converted from TopoJSON).
 */
import * as maplibregl from "maplibre-gl"
import type { FeatureCollection, Geometry } from "geojson"
import { feature } from "topojson-client"
import type { Topology, GeometryCollection } from "topojson-specification"
import world from "world-atlas/countries-110m.json"

// MapLibre runs its tile work in a Web Worker; the build copies the worker beside the chunks.
maplibregl.setWorkerUrl(new URL("vendor/maplibre-gl-worker.mjs", document.baseURI).href)

let css: Promise<void> | undefined

/** Adds MapLibre's stylesheet (built as the non-injected `maplibre` style bundle) once. */
export const loadCss = (doc: Document): Promise<void> =>
  (css ??= new Promise<void>((resolve) => {
    const link = doc.createElement("link")
    link.rel = "stylesheet"
    link.href = "maplibre.css"
    link.onload = () => resolve()
    link.onerror = () => resolve()
    doc.head.appendChild(link)
  }))

let countries: FeatureCollection | undefined

/** The world's countries as GeoJSON. */
export const worldGeoJson = (): FeatureCollection => {
  if (countries !== undefined) return countries
  const topo = world as unknown as Topology<{ countries: GeometryCollection }>
  const all = feature(topo, topo.objects.countries) as FeatureCollection
  // Antarctica (ISO 010) wraps the pole: in Web Mercator it only draws lines across the map.
  countries = {
    ...all,
    features: all.features
      .filter((f) => f.id !== "010")
      .map((f) => ({ ...f, geometry: unwrap(f.geometry) })),
  }
  return countries
}

/**
 * Rings that cross the antimeridian (Russia, Fiji) jump from +180 to -180 between two points,
 * which a flat map draws as a band across the world; continuing past 180 instead keeps them whole.
 */
const unwrapRing = (ring: ReadonlyArray<ReadonlyArray<number>>): Array<Array<number>> => {
  let prev: number | undefined
  return ring.map(([lon = 0, lat = 0]) => {
    let x = lon
    if (prev !== undefined) {
      while (x - prev > 180) x -= 360
      while (x - prev < -180) x += 360
    }
    prev = x
    return [x, lat]
  })
}

const unwrap = (g: Geometry): Geometry =>
  g.type === "Polygon"
    ? { ...g, coordinates: g.coordinates.map(unwrapRing) }
    : g.type === "MultiPolygon"
      ? { ...g, coordinates: g.coordinates.map((p) => p.map(unwrapRing)) }
      : g

/** Colours of the offline base map, taken from the page's theme. */
export interface BaseColours {
  readonly water: string
  readonly land: string
  readonly line: string
}

/** A style with no tiles, glyphs or sprites: works with no network at all. */
export const offlineStyle = (c: BaseColours): maplibregl.StyleSpecification => ({
  version: 8,
  sources: { world: { type: "geojson", data: worldGeoJson() } },
  layers: [
    { id: "water", type: "background", paint: { "background-color": c.water } },
    { id: "land", type: "fill", source: "world", paint: { "fill-color": c.land } },
    {
      id: "borders",
      type: "line",
      source: "world",
      paint: { "line-color": c.line, "line-width": 0.6 },
    },
  ],
})

export { maplibregl }
