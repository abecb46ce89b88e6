import { ChangeDetectionStrategy, Component, DOCUMENT, inject, signal } from "@angular/core"
import { SettingsService } from "../../core/settings.service"
import { type ThemeChoice, ThemeService } from "../../core/theme.service"
import { styleUrlError } from "./map-style"

/** Theme and map tiles, remembered in this browser. */
@Component({
  selector: "nw-settings-page",
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1>Settings</h1>
    <div class="grid two">
      <section class="card stack">
        <h2>Theme</h2>
        <div class="row" role="radiogroup" aria-label="Theme">
          @for (t of themes; track t) {
            <label class="chip selectable" [attr.aria-pressed]="theme.choice() === t">
              <input
                type="radio"
                name="theme"
                [checked]="theme.choice() === t"
                (change)="theme.choice.set(t)"
              />
              {{ t }}
            </label>
          }
        </div>
      </section>
      <form class="card stack" (submit)="save($event)">
        <h2>Map tiles</h2>
        <p class="small muted">
          Empty: the bundled world outline, which needs no network. A MapLibre style URL (Mapbox,
          MapTiler, your own tile server) switches to real tiles; the token is added to that host's
          requests as <code>access_token</code>, or wherever the URL says
          <code>{{ "{" }}token{{ "}" }}</code
          >.
        </p>
        <label class="field"
          ><span class="label">Style URL</span>
          <input
            type="text"
            [value]="style()"
            (input)="style.set(value($event)); error.set(null); saved.set(false)"
            placeholder="https://tiles.example.net/style.json?key={token}"
            [attr.aria-invalid]="!!error()"
            aria-describedby="style-error"
            data-testid="map-style"
          />
          @if (error(); as e) {
            <span class="field-error" id="style-error" role="alert" data-testid="map-style-error">{{
              e
            }}</span>
          }
        </label>
        <label class="field"
          ><span class="label">Access token</span>
          <input
            type="text"
            [value]="token()"
            (input)="token.set(value($event))"
            autocomplete="off"
        /></label>
        <div class="row">
          <button type="submit" class="primary">Save</button>
          @if (saved()) {
            <span class="small muted">Saved.</span>
          }
        </div>
      </form>
    </div>
  `,
  styles: `
    .chip input {
      margin: 0;
    }
  `,
})
export class SettingsPage {
  protected readonly theme = inject(ThemeService)
  private readonly settings = inject(SettingsService)
  protected readonly themes: ReadonlyArray<ThemeChoice> = ["system", "light", "dark"]
  protected readonly style = signal(this.settings.mapStyleUrl())
  protected readonly token = signal(this.settings.mapToken())
  protected readonly saved = signal(false)
  protected readonly error = signal<string | null>(null)
  private readonly document = inject(DOCUMENT)
  protected value(e: Event): string {
    return (e.target as HTMLInputElement).value
  }
  protected save(e: Event): void {
    e.preventDefault()
    const error = styleUrlError(this.style(), this.document.location.href)
    this.error.set(error)
    if (error !== null) return
    this.settings.saveMap(this.style(), this.token())
    this.saved.set(true)
  }
}
