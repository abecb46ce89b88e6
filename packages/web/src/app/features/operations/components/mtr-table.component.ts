import { ChangeDetectionStrategy, Component, input } from "@angular/core"
import type { MtrHop } from "../../../core/models"
import { lossColour, ms, percent } from "../../../shared/format"

/** mtr's report as a table: every responder per hop with name, address and ASN. */
@Component({
  selector: "nw-mtr-table",
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="table-wrap">
      <table class="data">
        <thead>
          <tr>
            <th class="num">#</th>
            <th>Host</th>
            <th>ASN</th>
            <th class="num">Loss</th>
            <th class="num">Sent</th>
            <th class="num">Last</th>
            <th class="num">Avg</th>
            <th class="num">Best</th>
            <th class="num">Worst</th>
            <th class="num">StDev</th>
          </tr>
        </thead>
        <tbody>
          @for (h of hops(); track h.hop) {
            <tr>
              <td class="num">{{ h.hop }}</td>
              <td>
                @for (x of h.hosts; track $index) {
                  <div>
                    @if (x.hostname && x.hostname !== x.address) {
                      {{ x.hostname }} <span class="muted mono">{{ x.address }}</span>
                    } @else {
                      <span class="mono">{{ x.address ?? x.hostname }}</span>
                    }
                  </div>
                } @empty {
                  <span class="muted">???</span>
                }
              </td>
              <td>
                @for (x of h.hosts; track $index) {
                  <div>{{ x.asn !== undefined ? "AS" + x.asn : "" }}</div>
                }
              </td>
              <td class="num">
                <span class="loss" [style.color]="lossColour(h.lossPercent)">{{
                  percent(h.lossPercent)
                }}</span>
              </td>
              <td class="num">{{ h.sent }}</td>
              <td class="num">{{ ms(h.last) }}</td>
              <td class="num">{{ ms(h.avg) }}</td>
              <td class="num">{{ ms(h.best) }}</td>
              <td class="num">{{ ms(h.worst) }}</td>
              <td class="num">{{ ms(h.stdev) }}</td>
            </tr>
          }
        </tbody>
      </table>
    </div>
  `,
  styles: `
    .loss {
      font-weight: 600;
    }
  `,
})
export class MtrTableComponent {
  /** The hops, in TTL order. */
  readonly hops = input.required<ReadonlyArray<MtrHop>>()
  protected readonly ms = ms
  protected readonly percent = percent
  protected readonly lossColour = lossColour
}
