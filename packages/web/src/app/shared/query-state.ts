import { effect, inject, untracked } from "@angular/core"
import { takeUntilDestroyed } from "@angular/core/rxjs-interop"
import {
  ActivatedRoute,
  NavigationCancel,
  NavigationEnd,
  NavigationError,
  NavigationSkipped,
  NavigationStart,
  type ParamMap,
  type Params,
  Router,
} from "@angular/router"

/** Navigates this page to some query parameters, as a write of its own (see `followQuery`). */
export type QueryWrite = (
  queryParams: Params,
  options?: { readonly replaceUrl?: boolean; readonly merge?: boolean },
) => void

/**
 * The mechanism under `queryState`, for a page that writes its URL itself (a list whose pages
 * are history entries): `read` fills the page from the query parameters now and on any later
 * navigation to this page that it did not write itself (Back, a menu link); `arrived`, if given,
 * runs after every navigation to this page, its own included. The page writes through the
 * returned function, so its own URLs are told apart. Must be called in an injection context.
 */
export const followQuery = (read: (q: ParamMap) => void, arrived?: () => void): QueryWrite => {
  const router = inject(Router)
  const route = inject(ActivatedRoute)
  read(route.snapshot.queryParamMap)
  // The page's own navigations still under way, by URL (a keystroke's navigation can end after
  // the next one was asked). Each leaves once it ends, however it ends: a URL the page wrote
  // earlier (its bare URL, written when it opened) is again someone else's when a link leads
  // there later, so the menu's bare link clears the page instead of being taken for its own.
  const pending = new Map<string, number>()
  const settle = (url: string): boolean => {
    const n = pending.get(url) ?? 0
    if (n > 1) pending.set(url, n - 1)
    else pending.delete(url)
    return n > 0
  }
  const path = (url: string): string => url.split(/[?#]/)[0] ?? url
  const here = path(router.serializeUrl(router.createUrlTree([], { relativeTo: route })))
  let popped = false
  router.events.pipe(takeUntilDestroyed()).subscribe((e) => {
    if (e instanceof NavigationStart) popped = e.navigationTrigger === "popstate"
    else if (e instanceof NavigationEnd) {
      const own = settle(e.url)
      if (path(e.urlAfterRedirects) !== here) return
      if (popped || !own) read(route.snapshot.queryParamMap)
      arrived?.()
    } else if (
      e instanceof NavigationCancel ||
      e instanceof NavigationError ||
      e instanceof NavigationSkipped
    )
      settle(e.url)
  })
  return (queryParams, options = {}) => {
    const tree = router.createUrlTree([], {
      relativeTo: route,
      queryParams,
      ...(options.merge === true ? { queryParamsHandling: "merge" as const } : {}),
    })
    const url = router.serializeUrl(tree)
    pending.set(url, (pending.get(url) ?? 0) + 1)
    void router.navigateByUrl(tree, { replaceUrl: options.replaceUrl ?? false })
  }
}

/**
 * Keeps a page's inputs in its own URL, as the new-operation form does: `read` fills the page
 * from the query parameters (now, and on any later navigation to this page that it did not write
 * itself: Back, a menu link), and whatever `query` returns is written back as the user types,
 * replacing the history entry rather than adding one per keystroke. A reload, Back and a shared
 * link then open the same lookup. `query` maps a parameter to null to leave it out. Must be
 * called in an injection context (a component's field initializer or constructor).
 */
export const queryState = (query: () => Params, read: (q: ParamMap) => void): void => {
  const write = followQuery(read)
  effect(() => {
    const queryParams = query()
    untracked(() => write(queryParams, { replaceUrl: true }))
  })
}

/** A non-negative whole number from a query parameter (a page offset), else 0. */
export const offsetParam = (v: string | null): number => {
  const n = Number(v)
  return v !== null && Number.isSafeInteger(n) && n > 0 ? n : 0
}
