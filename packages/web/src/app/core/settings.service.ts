import { DOCUMENT, Injectable, inject, signal } from "@angular/core"

const STYLE_KEY = "netwark.mapStyleUrl"
const TOKEN_KEY = "netwark.mapToken"

/**
 * Console settings kept in this browser; the map style falls back to what the server's
 * index.html carries in `<meta name="netwark-map-style">`, so an operator can set it for everyone.
 */
@Injectable({ providedIn: "root" })
export class SettingsService {
  private readonly document = inject(DOCUMENT)
  /** A MapLibre style URL for real tiles; empty: the bundled offline world outline. */
  readonly mapStyleUrl = signal(this.read(STYLE_KEY, "netwark-map-style"))
  /** The style provider's access token, sent with that provider's requests only. */
  readonly mapToken = signal(this.read(TOKEN_KEY, "netwark-map-token"))

  /** Saves the map settings (empty values clear them). */
  saveMap(styleUrl: string, token: string): void {
    this.mapStyleUrl.set(styleUrl.trim())
    this.mapToken.set(token.trim())
    try {
      for (const [k, v] of [
        [STYLE_KEY, styleUrl.trim()],
        [TOKEN_KEY, token.trim()],
      ] as const) {
        if (v === "") localStorage.removeItem(k)
        else localStorage.setItem(k, v)
      }
    } catch {
      // No storage: the settings last for this page.
    }
  }

  private read(key: string, meta: string): string {
    try {
      const stored = localStorage.getItem(key)
      if (stored !== null) return stored
    } catch {
      // Fall back to the page's meta tag.
    }
    return (
      this.document.querySelector<HTMLMetaElement>(`meta[name="${meta}"]`)?.content.trim() ?? ""
    )
  }
}
