import { ChangeDetectionStrategy, Component, inject, signal } from "@angular/core"
import { Router, RouterLink, RouterLinkActive, RouterOutlet } from "@angular/router"
import { ThemeService } from "./core/theme.service"

interface NavItem {
  readonly path: string
  readonly label: string
  readonly key: string
  readonly exact?: boolean
}

/** Single-key shortcuts (outside text fields), shown in the navigation as hints. */
const NAV: ReadonlyArray<NavItem> = [
  { path: "/", label: "Overview", key: "h", exact: true },
  { path: "/operations/new", label: "New operation", key: "n", exact: true },
  { path: "/operations", label: "Operations", key: "o", exact: true },
  { path: "/workers", label: "Workers", key: "w" },
  { path: "/tools/whois", label: "WHOIS", key: "i" },
  { path: "/tools/oui", label: "MAC OUI", key: "m" },
  { path: "/tools/ipcalc", label: "IP calculator", key: "c" },
  { path: "/settings", label: "Settings", key: "s" },
]

/** The shell: navigation (a sidebar on wide screens, a drawer on phones), theme switch, outlet. */
@Component({
  selector: "nw-root",
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterOutlet, RouterLink, RouterLinkActive],
  host: { "(document:keydown)": "onKey($event)" },
  template: `
    <a class="skip-link" href="#main">Skip to content</a>
    <header class="topbar">
      <button
        type="button"
        class="menu"
        [attr.aria-expanded]="menuOpen()"
        aria-controls="nav"
        (click)="menuOpen.set(!menuOpen())"
      >
        <span aria-hidden="true">☰</span><span class="visually-hidden">Menu</span>
      </button>
      <a routerLink="/" class="brand">
        <svg viewBox="0 0 32 32" width="22" height="22" aria-hidden="true">
          <rect width="32" height="32" rx="7" fill="var(--accent)" />
          <path
            d="M6 22 L12 12 L17 18 L21 9 L26 22"
            fill="none"
            stroke="var(--accent-text)"
            stroke-width="3"
            stroke-linejoin="round"
            stroke-linecap="round"
          />
        </svg>
        Netwark
      </a>
      <span class="spacer"></span>
      <button
        type="button"
        class="theme"
        (click)="theme.cycle()"
        [attr.aria-label]="'Theme: ' + theme.choice()"
        title="Switch theme (light, dark, system)"
      >
        {{
          theme.choice() === "dark" ? "☾ Dark" : theme.choice() === "light" ? "☀ Light" : "◐ System"
        }}
      </button>
    </header>
    <div class="layout">
      <nav id="nav" [class.open]="menuOpen()" aria-label="Main">
        @for (item of nav; track item.path) {
          <a
            [routerLink]="item.path"
            routerLinkActive="active"
            [routerLinkActiveOptions]="{ exact: item.exact ?? false }"
            (click)="menuOpen.set(false)"
          >
            <span>{{ item.label }}</span><kbd [attr.aria-label]="'shortcut ' + item.key">{{
              item.key
            }}</kbd>
          </a>
        }
      </nav>
      <main id="main" tabindex="-1">
        <router-outlet />
      </main>
    </div>
  `,
  styles: `
    :host {
      display: flex;
      flex-direction: column;
      min-height: 100vh;
    }
    .topbar {
      display: flex;
      align-items: center;
      gap: 0.75rem;
      height: 52px;
      padding: 0 1rem;
      background: var(--surface);
      border-bottom: 1px solid var(--border);
      position: sticky;
      top: 0;
      z-index: 5;
    }
    .brand {
      display: inline-flex;
      align-items: center;
      gap: 0.5rem;
      font-weight: 700;
      font-size: 1.05rem;
      color: var(--text);
      text-decoration: none;
    }
    .menu {
      display: none;
    }
    .layout {
      display: flex;
      flex: 1;
      min-height: 0;
    }
    nav {
      width: 200px;
      flex: none;
      padding: 0.75rem 0.5rem;
      border-right: 1px solid var(--border);
      background: var(--surface);
    }
    nav a {
      display: flex;
      justify-content: space-between;
      align-items: center;
      padding: 0.45rem 0.7rem;
      border-radius: 6px;
      color: var(--text);
      text-decoration: none;
      margin-bottom: 2px;
    }
    nav a:hover {
      background: var(--surface-2);
    }
    nav a.active {
      background: color-mix(in srgb, var(--accent) 14%, transparent);
      color: var(--accent);
      font-weight: 600;
    }
    kbd {
      font: 0.7rem var(--mono);
      color: var(--muted);
      border: 1px solid var(--border);
      border-radius: 4px;
      padding: 0 0.3rem;
    }
    main {
      flex: 1;
      min-width: 0;
      padding: 1.25rem 1.5rem 3rem;
      outline: none;
    }
    @media (max-width: 760px) {
      .menu {
        display: inline-flex;
      }
      nav {
        position: fixed;
        top: 52px;
        bottom: 0;
        left: 0;
        z-index: 6;
        transform: translateX(-100%);
        transition: transform 0.15s;
      }
      nav.open {
        transform: none;
        box-shadow: 4px 0 20px rgb(0 0 0 / 20%);
      }
      main {
        padding: 1rem 0.75rem 2rem;
      }
      kbd {
        display: none;
      }
    }
  `,
})
export class AppComponent {
  protected readonly theme = inject(ThemeService)
  private readonly router = inject(Router)
  protected readonly nav = NAV
  protected readonly menuOpen = signal(false)

  protected onKey(event: KeyboardEvent): void {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return
    const target = event.target as HTMLElement | null
    if (
      target !== null &&
      (target.isContentEditable || /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName))
    )
      return
    if (event.key === "Escape") this.menuOpen.set(false)
    const item = NAV.find((n) => n.key === event.key)
    if (item === undefined) return
    event.preventDefault()
    void this.router.navigateByUrl(item.path)
  }
}
