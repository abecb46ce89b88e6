import { ChangeDetectionStrategy, Component, computed, input } from "@angular/core"

/** Options the API takes in seconds. */
const seconds = new Set(["interval", "timeout", "deadline", "wait", "gracePeriod", "tryTimeout"])

/** An operation's options as compact chips ("count 5", "protocol tcp"). */
@Component({
  selector: "nw-options-list",
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `@if (entries().length > 0) {
    <p class="row small">
      @for (e of entries(); track e[0]) {
        <span class="chip">{{ e[0] }} {{ e[1] }}</span>
      }
    </p>
  }`,
})
export class OptionsListComponent {
  /** The options object sent with the operation. */
  readonly options = input<Readonly<Record<string, unknown>> | null | undefined>(undefined)
  protected readonly entries = computed(() =>
    Object.entries(this.options() ?? {})
      .filter(([, v]) => v !== undefined && v !== null && v !== false)
      .map(
        ([k, v]) =>
          [
            k,
            v === true
              ? ""
              : typeof v === "object"
                ? JSON.stringify(v)
                : `${String(v)}${typeof v === "number" && seconds.has(k) ? " s" : ""}`,
          ] as const,
      ),
  )
}
