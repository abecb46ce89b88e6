import { DOCUMENT, Injectable, effect, inject, signal } from "@angular/core"

/** The user's theme choice; "system" follows the OS setting. */
export type ThemeChoice = "system" | "light" | "dark"

const KEY = "netwark.theme"

/** Light/dark theme, remembered in this browser and applied as `html[data-theme]`. */
@Injectable({ providedIn: "root" })
export class ThemeService {
  private readonly document = inject(DOCUMENT)
  /** The current choice. */
  readonly choice = signal<ThemeChoice>(read())

  constructor() {
    effect(() => {
      const choice = this.choice()
      const root = this.document.documentElement
      if (choice === "system") delete root.dataset["theme"]
      else root.dataset["theme"] = choice
      try {
        if (choice === "system") localStorage.removeItem(KEY)
        else localStorage.setItem(KEY, choice)
      } catch {
        // Private mode without storage: the choice lasts for this page only.
      }
    })
  }

  /** Whether the page currently renders dark (the choice, or the OS when "system"). */
  isDark(): boolean {
    const choice = this.choice()
    if (choice !== "system") return choice === "dark"
    return globalThis.matchMedia?.("(prefers-color-scheme: dark)").matches ?? false
  }

  /** Cycles system → light → dark. */
  cycle(): void {
    this.choice.update((c) => (c === "system" ? "light" : c === "light" ? "dark" : "system"))
  }
}

const read = (): ThemeChoice => {
  try {
    const v = localStorage.getItem(KEY)
    return v === "light" || v === "dark" ? v : "system"
  } catch {
    return "system"
  }
}
