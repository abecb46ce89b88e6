import { type ApplicationConfig, provideBrowserGlobalErrorListeners } from "@angular/core"
import { provideRouter, withComponentInputBinding, withInMemoryScrolling } from "@angular/router"
import { routes } from "./app.routes"
import { provideApi } from "./core/api.provider"

/** Root providers: zoneless change detection (Angular's default), router with inputs from routes. */
export const appConfig: ApplicationConfig = {
  providers: [
    provideBrowserGlobalErrorListeners(),
    provideApi(),
    provideRouter(
      routes,
      withComponentInputBinding(),
      withInMemoryScrolling({ scrollPositionRestoration: "enabled" }),
    ),
  ],
}
