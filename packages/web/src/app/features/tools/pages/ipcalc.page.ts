import { ChangeDetectionStrategy, Component, computed, inject, signal } from "@angular/core"
import { ActivatedRoute } from "@angular/router"
import { load } from "../../../shared/load"
import { debounced } from "../../../shared/debounce"
import { count } from "../../../shared/format"
import { offsetParam, queryState } from "../../../shared/query-state"
import { networkList, parseCidrInput } from "../lib/ipcalc-input"
import { ToolsService } from "../services/tools.service"

const PAGE = 64
/** What the box holds until the user types (or a link says) otherwise. */
const EXAMPLE = "192.168.1.10/24"

/** Subnet calculator, live as you type: report, subnet split and aggregation. */
@Component({
  selector: "nw-ipcalc-page",
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1>IP calculator</h1>
    <div class="grid two">
      <section class="card stack">
        <label class="field">
          <span class="label">Address and prefix</span>
          <input
            type="text"
            [value]="text()"
            (input)="setText(value($event))"
            placeholder="192.168.1.10/24, 10.0.0.0 255.0.0.0, 2001:db8::/32"
            autocomplete="off"
            spellcheck="false"
            autofocus
            data-testid="ipcalc-input"
            [attr.aria-invalid]="!!info.error()"
            aria-describedby="ipcalc-error"
          />
          @if (info.error(); as e) {
            <span class="field-error" id="ipcalc-error" role="alert">{{ message(e) }}</span>
          }
        </label>
        @if (info.value(); as i) {
          <table class="data report" data-testid="ipcalc-report">
            <tbody>
              <tr>
                <th>Network</th>
                <td class="mono strong">{{ i.cidr }}</td>
              </tr>
              <tr>
                <th>Address</th>
                <td class="mono">
                  {{ i.address }}
                  @if (i.hostBitsSet) {
                    <span class="chip">host bits set</span>
                  }
                </td>
              </tr>
              <tr>
                <th>Netmask</th>
                <td class="mono">{{ i.netmask }} = {{ i.prefix }}</td>
              </tr>
              <tr>
                <th>Wildcard</th>
                <td class="mono">{{ i.wildcard }}</td>
              </tr>
              @if (i.broadcast) {
                <tr>
                  <th>Broadcast</th>
                  <td class="mono">{{ i.broadcast }}</td>
                </tr>
              }
              <tr>
                <th>Hosts</th>
                <td class="mono">{{ i.firstHost }} – {{ i.lastHost }}</td>
              </tr>
              <tr>
                <th>Usable</th>
                <td>
                  {{ count(i.usableHosts) }}
                  <span class="muted">of {{ count(i.addresses) }} addresses</span>
                </td>
              </tr>
              <tr>
                <th>Type</th>
                <td>
                  {{ i.type.name }}
                  <span class="muted small">{{ i.type.block }} · {{ i.type.rfc }}</span>
                </td>
              </tr>
              @if (i.addressType.name !== i.type.name) {
                <tr>
                  <th>Address type</th>
                  <td>{{ i.addressType.name }}</td>
                </tr>
              }
              <tr>
                <th>Reverse</th>
                <td class="mono small">{{ i.reverse.zone }}</td>
              </tr>
              @if (i.version === 6) {
                <tr>
                  <th>Expanded</th>
                  <td class="mono small wrap">{{ i.expanded.network }}</td>
                </tr>
              }
              @if (i.embeddedIpv4; as e) {
                <tr>
                  <th>Embedded IPv4</th>
                  <td class="mono">
                    {{ e.address }} <span class="muted">({{ e.kind }})</span>
                  </td>
                </tr>
              }
              @if (i.version === 4) {
                <tr>
                  <th>Binary</th>
                  <td class="mono small wrap">
                    {{ i.binary.address }}<br />{{ i.binary.netmask }}
                  </td>
                </tr>
                <tr>
                  <th>Decimal</th>
                  <td class="mono">{{ i.decimal }}</td>
                </tr>
              }
            </tbody>
          </table>
        } @else if (!info.error()) {
          <p class="muted small">Type an address with a prefix length or netmask.</p>
        }
      </section>

      <section class="card stack">
        <h2>Split into subnets</h2>
        <div class="row">
          <label class="field"
            ><span class="label">New prefix</span>
            <input
              type="number"
              min="0"
              max="128"
              [value]="newPrefix() ?? ''"
              (input)="setNewPrefix(value($event))"
              [placeholder]="suggested()"
              data-testid="split-prefix"
            />
          </label>
          @if (split.value(); as s) {
            <span class="small muted">{{ count(s.total) }} subnet(s) of /{{ s.newPrefix }}</span>
          }
        </div>
        @if (split.error(); as e) {
          <p class="field-error" role="alert">{{ message(e) }}</p>
        }
        @if (split.value(); as s) {
          <ol class="subnets mono" [attr.start]="s.offset + 1" data-testid="subnets">
            @for (n of s.subnets; track n) {
              <li>{{ n }}</li>
            }
          </ol>
          <div class="row">
            <button
              type="button"
              [disabled]="splitOffset() === 0"
              (click)="splitOffset.set(Math.max(0, splitOffset() - PAGE))"
            >
              Previous
            </button>
            <button
              type="button"
              [disabled]="s.nextOffset === null"
              (click)="splitOffset.set(s.nextOffset ?? 0)"
            >
              Next
            </button>
          </div>
        }

        <h2>Aggregate</h2>
        <label class="field"
          ><span class="label">Networks (one per line)</span>
          <textarea
            rows="5"
            [value]="aggText()"
            (input)="aggText.set(value($event))"
            placeholder="10.0.0.0/24&#10;10.0.1.0/24"
            spellcheck="false"
            data-testid="aggregate-input"
          ></textarea>
        </label>
        @if (aggregate.error(); as e) {
          <p class="field-error" role="alert">{{ message(e) }}</p>
        }
        @if (aggregate.value(); as a) {
          <p class="small muted">
            {{ aggNetworks().length }} network(s) → {{ a.networks.length }} block(s)
          </p>
          <ul class="mono blocks" data-testid="aggregate-result">
            @for (n of a.networks; track n) {
              <li>{{ n }}</li>
            }
          </ul>
        }
      </section>
    </div>
  `,
  styles: `
    .report th {
      width: 8.5rem;
      text-transform: none;
      font-size: 0.82rem;
      letter-spacing: 0;
    }
    .strong {
      font-weight: 700;
    }
    .wrap {
      word-break: break-all;
    }
    .subnets {
      max-height: 18rem;
      overflow: auto;
      margin: 0;
      padding-left: 3.2rem;
      columns: 2;
    }
    .blocks {
      margin: 0;
      padding-left: 1.2rem;
    }
    textarea {
      width: 100%;
      font-family: var(--mono);
    }
  `,
})
export class IpCalcPage {
  private readonly tools = inject(ToolsService)
  protected readonly count = count
  protected readonly Math = Math
  protected readonly PAGE = PAGE
  // From the URL at once (also read below), so the first lookup is the link's, not the example.
  protected readonly text = signal(
    inject(ActivatedRoute).snapshot.queryParamMap.get("q") ?? EXAMPLE,
  )
  protected readonly newPrefix = signal<number | null>(null)
  protected readonly splitOffset = signal(0)
  protected readonly aggText = signal("")
  private readonly input = debounced(
    computed(() => parseCidrInput(this.text())),
    150,
  )
  protected readonly info = load(
    () => this.input() ?? undefined,
    (params, signal) => this.tools.ipCalc(params.address, params.prefix, signal),
  )
  protected readonly suggested = computed(() => {
    const i = this.info.value()
    return i === undefined ? "" : String(Math.min(i.prefix + 2, i.version === 4 ? 32 : 128))
  })
  protected readonly split = load(
    () => {
      const i = this.info.value()
      const n = this.newPrefix()
      if (i === undefined || n === null) return undefined
      return { network: i.network, prefix: String(i.prefix), n, offset: this.splitOffset() }
    },
    (params, signal) =>
      this.tools.subnets(params.network, params.prefix, params.n, params.offset, PAGE, signal),
  )
  protected readonly aggNetworks = debounced(
    computed(() => networkList(this.aggText())),
    200,
  )
  protected readonly aggregate = load(
    () => (this.aggNetworks().length === 0 ? undefined : { networks: this.aggNetworks() }),
    (params, signal) => this.tools.aggregate(params.networks, signal),
  )

  constructor() {
    // `?q=…&split=…&from=…&agg=…`: a reload, Back or a shared link opens the same calculation.
    // The example address stays out of the URL; an emptied box is kept as `q=`.
    queryState(
      () => ({
        q: this.text() === EXAMPLE ? null : this.text(),
        split: this.newPrefix(),
        from: this.splitOffset() === 0 ? null : this.splitOffset(),
        agg: this.aggText() === "" ? null : this.aggText(),
      }),
      (q) => {
        this.text.set(q.get("q") ?? EXAMPLE)
        this.setNewPrefix(q.get("split") ?? "")
        this.splitOffset.set(offsetParam(q.get("from")))
        this.aggText.set(q.get("agg") ?? "")
      },
    )
  }

  protected value(e: Event): string {
    return (e.target as HTMLInputElement).value
  }
  protected message(e: unknown): string {
    return e instanceof Error ? e.message : String(e)
  }
  protected setText(v: string): void {
    this.text.set(v)
    this.splitOffset.set(0)
  }
  protected setNewPrefix(v: string): void {
    this.newPrefix.set(v === "" || !Number.isFinite(Number(v)) ? null : Number(v))
    this.splitOffset.set(0)
  }
}
