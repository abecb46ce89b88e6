import { Module } from "@nestjs/common"
import { OuiController } from "./oui.controller.js"
import { OuiService, ouiRegistryProvider } from "./oui.service.js"

/** The MAC OUI routes (`/mac-oui`); the registry is loaded once at start. */
@Module({ controllers: [OuiController], providers: [ouiRegistryProvider, OuiService] })
export class OuiModule {}
