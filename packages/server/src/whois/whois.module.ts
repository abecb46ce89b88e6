import { Module } from "@nestjs/common"
import { GeoIpModule } from "../geoip/geoip.module.js"
import { WhoisController } from "./whois.controller.js"
import { WhoisService, whoisOptionsProvider } from "./whois.service.js"

/** The WHOIS/RDAP route (`/whois`). */
@Module({
  imports: [GeoIpModule],
  controllers: [WhoisController],
  providers: [whoisOptionsProvider, WhoisService],
})
export class WhoisModule {}
