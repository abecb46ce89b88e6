import { applyDecorators, Controller, Get, Inject, Param, Query } from "@nestjs/common"
import { ApiOperation, ApiParam, ApiQuery, ApiTags } from "@nestjs/swagger"
import type { Oui } from "@netwark/tools"
import { ApiProblems, ApiSchemaResponse } from "../core/openapi.js"
import { SchemaPipe } from "../core/schema.pipe.js"
import { Mac, Match, Page, SearchQuery } from "./oui.dto.js"
import { OuiService } from "./oui.service.js"

/** MAC address vendor lookup over the IEEE MA-L, MA-M and MA-S registries. */
@ApiTags("mac-oui")
@Controller("mac-oui")
export class OuiController {
  constructor(@Inject(OuiService) private readonly oui: OuiService) {}

  @Get()
  @ApiOperation({
    operationId: "macOuiSearch",
    summary: "Search the registries by organization name (case-insensitive substring)",
  })
  @applyDecorators(
    ApiQuery({ name: "search", required: true, schema: { type: "string", maxLength: 200 } }),
    ApiQuery({
      name: "offset",
      required: false,
      schema: { type: "integer", minimum: 0, default: 0 },
    }),
    ApiQuery({
      name: "limit",
      required: false,
      schema: { type: "integer", minimum: 1, maximum: 10000, default: 20 },
    }),
  )
  @ApiSchemaResponse(200, Page, "One page of matching assignments, MA-L then MA-M then MA-S")
  @ApiProblems(400)
  search(@Query(new SchemaPipe(SearchQuery)) query: SearchQuery): Oui.Page {
    return this.oui.search(query)
  }

  @Get(":mac")
  @ApiOperation({
    operationId: "macOuiLookup",
    summary: "The registered holder of a MAC address or prefix (longest prefix wins)",
  })
  @ApiParam({
    name: "mac",
    schema: { type: "string", maxLength: 64 },
    description: "MAC address or prefix",
    example: "00:1a:2b:3c:4d:5e",
  })
  @ApiSchemaResponse(200, Match, "The match; `vendor` is null when no one holds the prefix")
  @ApiProblems(400)
  lookup(@Param("mac", new SchemaPipe(Mac, "mac")) mac: string): Oui.MatchJson {
    return this.oui.lookup(mac)
  }
}
