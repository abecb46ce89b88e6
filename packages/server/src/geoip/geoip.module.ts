import { Module } from "@nestjs/common"
import { GeoIpController } from "./geoip.controller.js"
import { GeoIpService, geoIpOptionsProvider } from "./geoip.service.js"

/** The GeoIP route (`/geoip`); its service is shared with WHOIS, which adds GeoIP to IP answers. */
@Module({
  controllers: [GeoIpController],
  providers: [geoIpOptionsProvider, GeoIpService],
  exports: [GeoIpService],
})
export class GeoIpModule {}
