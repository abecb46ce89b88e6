import type { Routes } from "@angular/router"

/** Every page is its own lazy chunk, so the first load carries only the shell. */
export const routes: Routes = [
  {
    path: "",
    title: "Overview · Netwark",
    loadComponent: () =>
      import("./features/overview/pages/overview.page").then((m) => m.OverviewPage),
  },
  {
    path: "operations/new",
    title: "New operation · Netwark",
    loadComponent: () =>
      import("./features/operations/pages/new-operation.page").then((m) => m.NewOperationPage),
  },
  {
    path: "operations/:id",
    title: "Operation · Netwark",
    loadComponent: () =>
      import("./features/operations/pages/operation.page").then((m) => m.OperationPage),
  },
  {
    path: "operations",
    title: "Operations · Netwark",
    loadComponent: () =>
      import("./features/operations/pages/operations-list.page").then((m) => m.OperationsListPage),
  },
  {
    path: "tools/whois",
    title: "WHOIS · Netwark",
    loadComponent: () => import("./features/tools/pages/whois.page").then((m) => m.WhoisPage),
  },
  {
    path: "tools/oui",
    title: "MAC OUI · Netwark",
    loadComponent: () => import("./features/tools/pages/oui.page").then((m) => m.OuiPage),
  },
  {
    path: "tools/ipcalc",
    title: "IP calculator · Netwark",
    loadComponent: () => import("./features/tools/pages/ipcalc.page").then((m) => m.IpCalcPage),
  },
  { path: "tools", pathMatch: "full", redirectTo: "tools/ipcalc" },
  {
    path: "workers",
    title: "Workers · Netwark",
    loadComponent: () => import("./features/workers/pages/workers.page").then((m) => m.WorkersPage),
  },
  {
    path: "settings",
    title: "Settings · Netwark",
    loadComponent: () => import("./features/settings/settings.page").then((m) => m.SettingsPage),
  },
  {
    path: "**",
    title: "Not found · Netwark",
    loadComponent: () => import("./core/not-found.page").then((m) => m.NotFoundPage),
  },
]
