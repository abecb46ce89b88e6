import { Inject, Injectable } from "@nestjs/common"
import { Oui } from "@netwark/tools"
import { Effect, Either } from "effect"
import { Problem } from "../core/problem.js"
import type { SearchQuery } from "./oui.dto.js"

/** Injection token of the loaded OUI registry. */
export const OUI_REGISTRY = Symbol.for("netwark.OuiRegistry")

/** Loads the registry once: an installed update (`NETWARK_OUI_DIR` or the data dir), else the bundled snapshot. */
export const ouiRegistryProvider = {
  provide: OUI_REGISTRY,
  useFactory: (): Promise<Oui.Registry> => Effect.runPromise(Oui.load()),
}

/** MAC vendor lookups and organization search over `@netwark/tools` `Oui`. */
@Injectable()
export class OuiService {
  constructor(@Inject(OUI_REGISTRY) private readonly registry: Oui.Registry) {}

  /** The holder of a MAC address or prefix. */
  lookup(mac: string): Oui.MatchJson {
    const r = Oui.lookup(this.registry, mac)
    if (Either.isLeft(r)) throw Problem.invalid("mac", r.left.message)
    return Oui.toJson(r.right)
  }

  /** A page of assignments whose organization name contains the search text. */
  search(query: SearchQuery): Oui.Page {
    const r = Oui.search(this.registry, query.search, {
      ...(query.offset === undefined ? {} : { offset: query.offset }),
      ...(query.limit === undefined ? {} : { limit: query.limit }),
    })
    if (Either.isLeft(r))
      throw Problem.invalid(
        r.left.field === "query" ? "search" : (r.left.field ?? "search"),
        r.left.message,
      )
    return r.right
  }
}
