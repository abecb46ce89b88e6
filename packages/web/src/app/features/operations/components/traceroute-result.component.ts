import { ChangeDetectionStrategy, Component, computed, input } from "@angular/core"
import type { TracerouteParsed } from "../../../core/models"
import { ms } from "../../../shared/format"

/** traceroute's hops: each responder with its RTTs; silent probes as stars. */
@Component({
  selector: "nw-traceroute-result",
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @let p = parsed();
    @if (p?.header; as h) {
      <p class="small muted">
        to {{ h.destinationName }} ({{ h.destinationAddress }}) ·
        {{ p?.reached ? "reached" : "not reached" }}
      </p>
    }
    <div class="table-wrap">
      <table class="data">
        <thead>
          <tr>
            <th class="num">#</th>
            <th>Responder</th>
            <th>ASN</th>
            <th>RTTs</th>
          </tr>
        </thead>
        <tbody>
          @for (h of hops(); track h.hop) {
            @for (r of h.responders; track $index) {
              <tr>
                <td class="num">{{ $first ? h.hop : "" }}</td>
                <td>
                  @if (r.hostname && r.hostname !== r.address) {
                    {{ r.hostname }} <span class="muted mono">{{ r.address }}</span>
                  } @else {
                    <span class="mono">{{ r.address }}</span>
                  }
                  @for (a of r.annotations ?? []; track $index) {
                    <span class="chip">{{ a }}</span>
                  }
                </td>
                <td>{{ r.asn !== undefined ? "AS" + r.asn : "" }}</td>
                <td class="mono">
                  {{ rtts(r.rtts) }}{{ $last && h.timeouts > 0 ? stars(h.timeouts) : "" }}
                </td>
              </tr>
            } @empty {
              <tr>
                <td class="num">{{ h.hop }}</td>
                <td class="muted">no answer</td>
                <td></td>
                <td class="mono">{{ stars(h.timeouts) }}</td>
              </tr>
            }
          } @empty {
            <tr>
              <td colspan="4" class="muted">No hops yet.</td>
            </tr>
          }
        </tbody>
      </table>
    </div>
  `,
})
export class TracerouteResultComponent {
  /** The parsed traceroute output. */
  readonly parsed = input<TracerouteParsed | undefined>(undefined)
  protected readonly hops = computed(() => this.parsed()?.hops ?? [])
  protected rtts(values: ReadonlyArray<number>): string {
    return values.map((v) => ms(v)).join("  ")
  }
  protected stars(n: number): string {
    return (n > 0 ? "  " : "") + Array.from({ length: n }, () => "*").join(" ")
  }
}
