import { ChangeDetectionStrategy, Component, inject, signal } from "@angular/core"
import { debounced } from "../../../shared/debounce"
import { load } from "../../../shared/load"
import { count } from "../../../shared/format"
import { offsetParam, queryState } from "../../../shared/query-state"
import { ToolsService } from "../services/tools.service"

const PAGE = 20

/** MAC vendor lookup as you type, and a search of vendors by name. */
@Component({
  selector: "nw-oui-page",
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1>MAC OUI</h1>
    <div class="grid two">
      <section class="card stack">
        <h2>Look up a MAC address</h2>
        <label class="field">
          <span class="label">MAC address or prefix</span>
          <input
            type="text"
            [value]="mac()"
            (input)="mac.set(value($event))"
            placeholder="00:1A:2B:3C:4D:5E, 001a.2b3c.4d5e, 00-1A-2B"
            autocomplete="off"
            spellcheck="false"
            autofocus
            data-testid="oui-input"
            [attr.aria-invalid]="!!match.error()"
          />
          @if (match.error(); as e) {
            <span class="field-error" role="alert">{{ message(e) }}</span>
          }
        </label>
        @if (match.value(); as m) {
          <div data-testid="oui-result" aria-live="polite">
            @if (m.vendor; as v) {
              <p class="vendor">{{ v.organization }}</p>
              <p class="small muted">{{ v.address }}</p>
              <p class="row small">
                <span class="chip">{{ v.registry }}</span><span class="chip mono"
                  >{{ v.prefix }}/{{ v.bits }}</span
                >
              </p>
            } @else {
              <p class="muted">No registered vendor.</p>
            }
            <p class="row small">
              <span class="mono">{{ m.mac }}</span>
              @if (m.locallyAdministered) {
                <span class="chip">locally administered</span>
              }
              @if (m.multicast) {
                <span class="chip">multicast</span>
              }
            </p>
            @if (m.note) {
              <p class="small muted">{{ m.note }}</p>
            }
          </div>
        }
      </section>
      <section class="card stack">
        <h2>Search vendors</h2>
        <label class="field">
          <span class="label">Vendor name</span>
          <input
            type="search"
            [value]="search()"
            (input)="search.set(value($event)); offset.set(0)"
            placeholder="Cisco, Raspberry, Apple"
            autocomplete="off"
            data-testid="oui-search"
          />
        </label>
        @if (results.error(); as e) {
          <p class="field-error" role="alert">{{ message(e) }}</p>
        }
        @if (results.value(); as p) {
          <p class="small muted">{{ count(p.total) }} assignment(s)</p>
          <div class="table-wrap">
            <table class="data" data-testid="oui-search-results">
              <thead>
                <tr>
                  <th>Prefix</th>
                  <th>Organization</th>
                  <th>Registry</th>
                </tr>
              </thead>
              <tbody>
                @for (a of p.items; track a.registry + a.prefix) {
                  <tr>
                    <td class="mono">{{ a.prefix }}/{{ a.bits }}</td>
                    <td>{{ a.organization }}</td>
                    <td>{{ a.registry }}</td>
                  </tr>
                }
              </tbody>
            </table>
          </div>
          <div class="row">
            <button type="button" [disabled]="offset() === 0" (click)="offset.set(offset() - PAGE)">
              Previous
            </button>
            <button
              type="button"
              [disabled]="p.offset + p.items.length >= p.total"
              (click)="offset.set(offset() + PAGE)"
            >
              Next
            </button>
          </div>
        }
      </section>
    </div>
  `,
  styles: `
    .vendor {
      font-size: 1.2rem;
      font-weight: 650;
      margin: 0;
    }
  `,
})
export class OuiPage {
  private readonly tools = inject(ToolsService)
  protected readonly count = count
  protected readonly PAGE = PAGE
  protected readonly mac = signal("")
  protected readonly search = signal("")
  protected readonly offset = signal(0)
  private readonly macQuery = debounced(this.mac, 120)
  private readonly searchQuery = debounced(this.search, 200)
  protected readonly match = load(
    () => (this.macQuery().trim().length < 6 ? undefined : this.macQuery().trim()),
    (mac, signal) => this.tools.ouiLookup(mac, signal),
  )
  protected readonly results = load(
    () =>
      this.searchQuery().trim().length < 2
        ? undefined
        : { q: this.searchQuery().trim(), offset: this.offset() },
    (p, signal) => this.tools.ouiSearch(p.q, p.offset, PAGE, signal),
  )

  constructor() {
    // `?mac=…&q=…&offset=…`: a reload, Back or a shared link opens the same lookup and search.
    queryState(
      () => ({
        mac: this.mac() === "" ? null : this.mac(),
        q: this.search() === "" ? null : this.search(),
        offset: this.offset() === 0 ? null : this.offset(),
      }),
      (q) => {
        this.mac.set(q.get("mac") ?? "")
        this.search.set(q.get("q") ?? "")
        this.offset.set(offsetParam(q.get("offset")))
      },
    )
  }

  protected value(e: Event): string {
    return (e.target as HTMLInputElement).value
  }
  protected message(e: unknown): string {
    return e instanceof Error ? e.message : String(e)
  }
}
