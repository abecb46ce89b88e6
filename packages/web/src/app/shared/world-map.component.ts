import {
  ChangeDetectionStrategy,
  Component,
  DOCUMENT,
  DestroyRef,
  ElementRef,
  afterNextRender,
  effect,
  inject,
  input,
  output,
  signal,
  viewChild,
} from "@angular/core"
import type { Map as MlMap, GeoJSONSource } from "maplibre-gl"
import { SettingsService } from "../core/settings.service"
import { ThemeService } from "../core/theme.service"

/** One point on the map. */
export interface MapMarker {
  readonly id: string
  readonly latitude: number
  readonly longitude: number
  readonly label: string
  /** Extra line under the label in the popup. */
  readonly detail?: string
  readonly colour: string
  readonly selected?: boolean
}

type Loader = typeof import("./map-loader")

/**
 * A world map with circle markers. MapLibre and the world outline load on first render; with a
 * style URL in Settings the map uses those tiles instead (the token goes with that host only).
 */
@Component({
  selector: "nw-world-map",
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { "[attr.data-state]": "state()" },
  template: `<div #host class="map" role="img" [attr.aria-label]="ariaLabel()"></div>
    @if (failed()) {
      <p class="small error-text">The map could not load: {{ failed() }}</p>
    }
    @if (notice(); as n) {
      <p class="small muted" data-testid="map-notice">{{ n }}</p>
    }`,
  styles: `
    :host {
      display: block;
    }
    .map {
      height: var(--map-height, 320px);
      border-radius: 6px;
      overflow: hidden;
      background: var(--map-water);
    }
  `,
})
export class WorldMapComponent {
  /** The markers to show. */
  readonly markers = input<ReadonlyArray<MapMarker>>([])
  /** Centre and zoom to this point when set (e.g. a WHOIS GeoIP pin). */
  readonly focus = input<{ readonly latitude: number; readonly longitude: number } | null>(null)
  /** Emits a marker's id when it is clicked. */
  readonly markerClick = output<string>()
  /** What the map shows, for screen readers. */
  readonly ariaLabel = input("Map")

  protected readonly failed = signal<string | null>(null)
  /** Why the map shows the built-in outline instead of the tiles set in Settings. */
  protected readonly notice = signal<string | null>(null)
  /** "loading", "ready" once the first frame with the markers is drawn, or "failed". */
  protected readonly state = signal<"loading" | "ready" | "failed">("loading")
  private readonly host = viewChild.required<ElementRef<HTMLDivElement>>("host")
  private readonly document = inject(DOCUMENT)
  private readonly settings = inject(SettingsService)
  private readonly theme = inject(ThemeService)
  private map: MlMap | undefined
  private loader: Loader | undefined
  private readonly ready = signal(false)

  constructor() {
    const destroyRef = inject(DestroyRef)
    afterNextRender(() => void this.init())
    destroyRef.onDestroy(() => this.map?.remove())
    effect(() => {
      const markers = this.markers()
      if (!this.ready()) return
      const source = this.map?.getSource("markers") as GeoJSONSource | undefined
      source?.setData(this.geojson(markers))
    })
    effect(() => {
      const f = this.focus()
      if (!this.ready() || f === null) return
      this.map?.jumpTo({ center: [f.longitude, f.latitude], zoom: 3 })
    })
    effect(() => {
      this.theme.choice()
      if (this.ready() && this.settings.mapStyleUrl() === "") this.applyColours()
    })
  }

  private colours(): { water: string; land: string; line: string; text: string; surface: string } {
    const css = getComputedStyle(this.document.documentElement)
    const v = (name: string, fallback: string): string =>
      css.getPropertyValue(name).trim() || fallback
    return {
      water: v("--map-water", "#f3f6f9"),
      land: v("--map-land", "#dfe5ea"),
      line: v("--map-line", "#b4bec8"),
      text: v("--text", "#16202a"),
      surface: v("--surface", "#fff"),
    }
  }

  private applyColours(): void {
    const c = this.colours()
    const m = this.map
    if (m === undefined || m.getLayer("land") === undefined) return
    m.setPaintProperty("water", "background-color", c.water)
    m.setPaintProperty("land", "fill-color", c.land)
    m.setPaintProperty("borders", "line-color", c.line)
    m.setPaintProperty("markers", "circle-stroke-color", c.surface)
  }

  private geojson(markers: ReadonlyArray<MapMarker>): GeoJSON.FeatureCollection {
    return {
      type: "FeatureCollection",
      features: markers.map((m) => ({
        type: "Feature",
        id: m.id,
        properties: {
          id: m.id,
          label: m.label,
          detail: m.detail ?? "",
          colour: m.colour,
          selected: m.selected === true,
        },
        geometry: { type: "Point", coordinates: [m.longitude, m.latitude] },
      })),
    }
  }

  /**
   * Draws the map with the style from Settings; `fallback` (that style failed: a wrong URL, a
   * refused token, no network) draws the built-in outline, so the markers stay usable.
   */
  private async init(fallback = false): Promise<void> {
    try {
      const loader = (this.loader = await import("./map-loader"))
      await loader.loadCss(this.document)
      const { maplibregl } = loader
      const token = this.settings.mapToken()
      const c = this.colours()
      let styleUrl = fallback ? "" : this.settings.mapStyleUrl()
      let styleHost = ""
      if (styleUrl !== "") {
        try {
          styleHost = new URL(styleUrl, location.href).host
        } catch {
          this.notice.set(
            `The map style URL in Settings is not a URL; showing the built-in outline.`,
          )
          styleUrl = ""
        }
      }
      const focus = this.focus()
      const map = new maplibregl.Map({
        container: this.host().nativeElement,
        style:
          styleUrl === ""
            ? loader.offlineStyle(c)
            : styleUrl.replaceAll("{token}", encodeURIComponent(token)),
        ...(focus === null
          ? { bounds: [-165, -50, 175, 75] as [number, number, number, number] }
          : { center: [focus.longitude, focus.latitude] as [number, number], zoom: 3 }),
        attributionControl: false,
        renderWorldCopies: false,
        transformRequest: (url) => {
          if (token === "" || styleHost === "") return { url }
          const u = new URL(url)
          if (
            u.host !== styleHost ||
            u.searchParams.has("access_token") ||
            url.includes(encodeURIComponent(token))
          )
            return { url }
          u.searchParams.set("access_token", token)
          return { url: u.toString() }
        },
      })
      this.map = map
      let gaveUp = false
      map.on("error", (e) => {
        // Only the style itself failing (before the first load) switches to the outline; a tile
        // that fails later just stays blank.
        if (gaveUp || styleUrl === "" || this.ready() || map.isStyleLoaded()) return
        gaveUp = true
        const status = (e.error as { status?: unknown } | undefined)?.status
        this.notice.set(
          `The map tiles set in Settings could not load${typeof status === "number" ? ` (HTTP ${status})` : ""}; showing the built-in outline.`,
        )
        map.remove()
        this.map = undefined
        void this.init(true)
      })
      map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right")
      map.on("load", () => {
        map.addSource("markers", { type: "geojson", data: this.geojson(this.markers()) })
        map.addLayer({
          id: "markers",
          type: "circle",
          source: "markers",
          paint: {
            "circle-radius": ["case", ["get", "selected"], 9, 7],
            "circle-color": ["get", "colour"],
            "circle-stroke-width": ["case", ["get", "selected"], 3, 1.5],
            "circle-stroke-color": c.surface,
          },
        })
        map.on("click", "markers", (e) => {
          const id = e.features?.[0]?.properties?.["id"]
          if (typeof id === "string") this.markerClick.emit(id)
        })
        const popup = new maplibregl.Popup({ closeButton: false, closeOnClick: false, offset: 10 })
        map.on("mouseenter", "markers", (e) => {
          map.getCanvas().style.cursor = "pointer"
          const f = e.features?.[0]
          if (f === undefined || f.geometry.type !== "Point") return
          const p = f.properties as { label: string; detail: string }
          const el = this.document.createElement("div")
          const b = el.appendChild(this.document.createElement("strong"))
          b.textContent = p.label
          if (p.detail !== "")
            el.appendChild(this.document.createElement("div")).textContent = p.detail
          popup
            .setLngLat(f.geometry.coordinates as [number, number])
            .setDOMContent(el)
            .addTo(map)
        })
        map.on("mouseleave", "markers", () => {
          map.getCanvas().style.cursor = ""
          popup.remove()
        })
        this.ready.set(true)
        map.once("idle", () => this.state.set("ready"))
      })
    } catch (e) {
      this.failed.set(e instanceof Error ? e.message : String(e))
      this.state.set("failed")
    }
  }
}
