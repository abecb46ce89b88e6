import { type DynamicModule, Global, Module } from "@nestjs/common"
import type { ServerConfig } from "./config.js"
import type { AppServices } from "./server.layer.js"
import { EffectRuntime } from "./core/runtime.js"
import { SERVER_CONFIG } from "./core/tokens.js"
import { GeoIpModule } from "./geoip/geoip.module.js"
import { HealthModule } from "./health/health.module.js"
import { IpCalcModule } from "./ipcalc/ipcalc.module.js"
import { OperationsModule } from "./operations/operations.module.js"
import { OuiModule } from "./oui/oui.module.js"
import { WhoisModule } from "./whois/whois.module.js"
import { WorkersModule } from "./workers/workers.module.js"

/**
 * The feature modules of the API, one per feature folder. A new feature adds its module here
 * (and nowhere else): its controllers are mounted under `/api/v1` and documented in OpenAPI.
 */
export const featureModules = [
  OperationsModule,
  WorkersModule,
  HealthModule,
  IpCalcModule,
  OuiModule,
  GeoIpModule,
  WhoisModule,
]

/** Shares the Effect runtime and the configuration with every feature module. */
@Global()
@Module({})
export class CoreModule {
  static forRoot(runtime: EffectRuntime<AppServices>, config: ServerConfig): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: EffectRuntime, useValue: runtime },
        { provide: SERVER_CONFIG, useValue: config },
      ],
      exports: [EffectRuntime, SERVER_CONFIG],
    }
  }
}

/** The root module: the core providers plus every feature module. */
@Module({})
export class AppModule {
  static forRoot(runtime: EffectRuntime<AppServices>, config: ServerConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [CoreModule.forRoot(runtime, config), ...featureModules],
    }
  }
}
