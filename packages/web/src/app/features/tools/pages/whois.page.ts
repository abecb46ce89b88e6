import { ChangeDetectionStrategy, Component, computed, inject, signal } from "@angular/core"
import { load } from "../../../shared/load"
import { queryState } from "../../../shared/query-state"
import { GeoIpCardComponent } from "../components/geoip-card.component"
import { isIpLiteral } from "../lib/ip-literal"
import { ToolsService } from "../services/tools.service"

const labels: Record<string, string> = {
  domain: "Domain",
  registrar: "Registrar",
  whoisServer: "WHOIS server",
  created: "Created",
  updated: "Updated",
  expires: "Expires",
  status: "Status",
  nameServers: "Name servers",
  dnssec: "DNSSEC",
  abuse: "Abuse contact",
  registrant: "Registrant",
  range: "Range",
  cidrs: "CIDRs",
  netName: "Net name",
  handle: "Handle",
  organization: "Organization",
  country: "Country",
  rir: "RIR",
  parent: "Parent",
  reverseName: "Reverse name",
  asn: "AS number",
  name: "Name",
  routes: "Routes",
  available: "Available",
}

/** WHOIS/RDAP for a domain, an IP (with a GeoIP pin on the map) or an AS number. */
@Component({
  selector: "nw-whois-page",
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [GeoIpCardComponent],
  template: `
    <h1>WHOIS</h1>
    <form class="card row search" (submit)="submit($event)" role="search">
      <label class="field grow">
        <span class="label">Domain, IP address or AS number</span>
        <input
          type="search"
          name="q"
          [value]="draft()"
          (input)="draft.set(value($event))"
          placeholder="example.com, 192.0.2.1, AS64500"
          autocomplete="off"
          spellcheck="false"
          autofocus
          data-testid="whois-input"
        />
      </label>
      <button type="submit" class="primary" [disabled]="lookup.isLoading()">
        {{ lookup.isLoading() ? "Looking up…" : "Look up" }}
      </button>
    </form>
    @if (lookup.error(); as e) {
      <p class="error-text card" role="alert" data-testid="whois-error">{{ message(e) }}</p>
      <!-- No registry reachable (offline): the local GeoIP database can still place an address. -->
      @if (localGeo.value(); as g) {
        <div class="grid two results">
          <nw-geoip-card [geoip]="g" />
        </div>
      }
    }
    @if (lookup.value(); as r) {
      <div class="grid two results">
        <section class="card" data-testid="whois-result">
          <div class="row">
            <h2>{{ r.normalized }}</h2>
            <span class="chip">{{ r.kind }}</span><span class="chip">{{ r.source }}</span>
            <span
              class="status"
              [class.ok]="r.status === 'ok'"
              [class.partial]="r.status !== 'ok'"
              >{{ r.status }}</span
            >
          </div>
          <table class="data fields">
            <tbody>
              @for (f of fields(); track f[0]) {
                <tr>
                  <th>{{ f[0] }}</th>
                  <td class="wrap">{{ f[1] }}</td>
                </tr>
              }
            </tbody>
          </table>
          <p class="small muted">
            Asked:
            @for (s of r.chain; track $index) {
              <span class="chip" [title]="s.error ?? ''">{{ s.protocol }} {{ s.server }}</span>
            }
          </p>
        </section>
        @if (r.kind === "ip") {
          <nw-geoip-card [geoip]="r.geoip ?? null" />
        }
      </div>
      <section class="card raw-card">
        <div class="row">
          <h2>Raw answer</h2>
          <span class="spacer"></span>
          <button type="button" (click)="showRaw.set(!showRaw())" [attr.aria-expanded]="showRaw()">
            {{ showRaw() ? "Hide" : "Show" }}
          </button>
        </div>
        @if (showRaw()) {
          <pre class="raw">{{ r.raw }}</pre>
        }
      </section>
    }
  `,
  styles: `
    .search {
      align-items: flex-end;
      margin-bottom: 1rem;
    }
    .grow {
      flex: 1;
      min-width: 14rem;
    }
    .fields th {
      width: 10rem;
      text-transform: none;
      letter-spacing: 0;
      font-size: 0.82rem;
    }
    .wrap {
      word-break: break-word;
    }
    .results {
      margin-bottom: 1rem;
    }
  `,
})
export class WhoisPage {
  private readonly tools = inject(ToolsService)
  /** The text in the box, looked up only when submitted. */
  protected readonly draft = signal("")
  /** The submitted lookup: the one in the URL. */
  protected readonly query = signal("")
  protected readonly showRaw = signal(false)
  protected readonly lookup = load(
    () => (this.query().trim() === "" ? undefined : this.query().trim()),
    (q, signal) => this.tools.whois(q, signal),
  )
  protected readonly fields = computed(() => {
    const rec = this.lookup.value()?.record ?? {}
    return Object.entries(rec)
      .filter(([k, v]) => k !== "kind" && show(v) !== "")
      .map(([k, v]) => [labels[k] ?? k, show(v)] as const)
  })
  /** GeoIP alone, from the local database, for an address whose WHOIS lookup failed. */
  protected readonly localGeo = load(
    () => {
      const e = this.lookup.error() as { problem?: { status?: number } } | undefined
      const q = this.query().trim()
      // Not for a query the API refused as malformed (400), nor for an address no registry holds
      // (404: reserved, such as 127.0.0.1): neither has anything to place.
      const status = e?.problem?.status
      return e !== undefined && status !== 400 && status !== 404 && isIpLiteral(q) ? q : undefined
    },
    (ip, signal) => this.tools.geoip(ip, signal),
  )

  constructor() {
    // `?q=…`: the submitted lookup (not each keystroke) is in the URL, replacing the entry, so a
    // reload or a shared link runs it again; a navigation here the page did not write (Back, the
    // menu's bare link) fills the box and looks that up instead.
    queryState(
      () => ({ q: this.query() === "" ? null : this.query() }),
      (q) => {
        const v = q.get("q") ?? ""
        this.draft.set(v)
        this.query.set(v)
      },
    )
  }

  protected value(e: Event): string {
    return (e.target as HTMLInputElement).value
  }
  protected message(e: unknown): string {
    return e instanceof Error ? e.message : String(e)
  }
  protected submit(e: Event): void {
    e.preventDefault()
    const q = this.draft().trim()
    if (q === this.query()) this.lookup.reload()
    this.query.set(q)
  }
}

/** A record field as one line of text (lists joined, contact objects flattened). */
const show = (v: unknown): string => {
  if (v === undefined || v === null) return ""
  if (Array.isArray(v))
    return v
      .map(show)
      .filter((x) => x !== "")
      .join(", ")
  if (typeof v === "object")
    return Object.values(v as Record<string, unknown>)
      .map(show)
      .filter((x) => x !== "")
      .join(" – ")
  if (typeof v === "boolean") return v ? "yes" : "no"
  return String(v)
}
