import { ChangeDetectionStrategy, Component, computed, input } from "@angular/core"
import { WorldMapComponent } from "../../../shared/world-map.component"
import type { GeoIpRecord } from "../services/tools.service"

/** Where an address is by GeoIP: the place and a pin on the map. */
@Component({
  selector: "nw-geoip-card",
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [WorldMapComponent],
  template: `
    <section class="card" data-testid="geoip-card">
      <h2>GeoIP</h2>
      @if (geoip(); as g) {
        <p>
          {{ place() }} <span class="muted small mono">{{ g.network }}</span>
        </p>
        @if (pin(); as p) {
          <nw-world-map [markers]="[p]" [focus]="p" ariaLabel="Where the address is, by GeoIP" />
        }
      } @else {
        <p class="muted">No GeoIP database knows this address.</p>
      }
    </section>
  `,
})
export class GeoIpCardComponent {
  /** The record, or null when no database knows the address. */
  readonly geoip = input<GeoIpRecord | null>(null)
  protected readonly place = computed(() => {
    const g = this.geoip()
    if (!g) return ""
    return [g.city?.name, g.subdivisions?.[0]?.name, g.country?.name ?? g.country?.isoCode]
      .filter((x) => x)
      .join(", ")
  })
  protected readonly pin = computed(() => {
    const g = this.geoip()
    const lat = g?.location?.latitude
    const lon = g?.location?.longitude
    if (g === null || lat === undefined || lon === undefined) return null
    return {
      id: g.ip,
      latitude: lat,
      longitude: lon,
      label: g.ip,
      detail: this.place(),
      colour: "#dc2626",
    }
  })
}
