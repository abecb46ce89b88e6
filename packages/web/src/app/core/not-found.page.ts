import { ChangeDetectionStrategy, Component } from "@angular/core"
import { RouterLink } from "@angular/router"

/** Shown for any URL the console does not know. */
@Component({
  selector: "nw-not-found",
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterLink],
  template: `<h1>Page not found</h1>
    <p class="muted">
      Nothing lives at this address. <a routerLink="/">Back to the overview</a>.
    </p>`,
})
export class NotFoundPage {}
