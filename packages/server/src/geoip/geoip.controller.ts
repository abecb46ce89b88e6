import { Controller, Get, Inject, Param } from "@nestjs/common"
import { ApiOperation, ApiParam, ApiTags } from "@nestjs/swagger"
import type { GeoIp } from "@netwark/tools"
import { ApiProblems, ApiSchemaResponse } from "../core/openapi.js"
import { SchemaPipe } from "../core/schema.pipe.js"
import { Ip, Record } from "./geoip.dto.js"
import { GeoIpService } from "./geoip.service.js"

/** Where an IP address is and which AS announces it, from MaxMind databases. */
@ApiTags("geoip")
@Controller("geoip")
export class GeoIpController {
  constructor(@Inject(GeoIpService) private readonly geoip: GeoIpService) {}

  @Get(":ip")
  @ApiOperation({
    operationId: "geoIpLookup",
    summary: "Country, city, location and AS of an IP address",
  })
  @ApiParam({
    name: "ip",
    schema: { type: "string", maxLength: 100 },
    description: "IPv4 or IPv6 address",
    example: "81.2.69.160",
  })
  @ApiSchemaResponse(200, Record, "The record from the City/Country and ASN databases")
  @ApiProblems(400, 404, 503)
  lookup(@Param("ip", new SchemaPipe(Ip, "ip")) ip: string): Promise<GeoIp.GeoIpRecord> {
    return this.geoip.lookup(ip)
  }
}
