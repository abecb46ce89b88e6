import { applyDecorators, Controller, Get, Inject, Param, Query, Res } from "@nestjs/common"
import { ApiOperation, ApiParam, ApiQuery, ApiTags } from "@nestjs/swagger"
import type { FastifyReply } from "fastify"
import { ApiProblems, ApiSchemaResponse } from "../core/openapi.js"
import { SchemaPipe } from "../core/schema.pipe.js"
import { Lookup, LookupQuery, Resource } from "./whois.dto.js"
import { WhoisService } from "./whois.service.js"

/** Registration data of domains, IP networks and AS numbers (RDAP, WHOIS fallback). */
@ApiTags("whois")
@Controller("whois")
export class WhoisController {
  constructor(@Inject(WhoisService) private readonly whois: WhoisService) {}

  @Get(":resource")
  @ApiOperation({
    operationId: "whoisLookup",
    summary:
      "Who holds a domain, IP address or AS number (RDAP first, WHOIS fallback; GeoIP for IPs)",
  })
  @applyDecorators(
    ApiParam({
      name: "resource",
      schema: { type: "string", maxLength: 255 },
      description: "Domain, IP address or AS number",
      example: "example.com",
    }),
    ApiQuery({
      name: "source",
      required: false,
      schema: { type: "string", enum: ["auto", "rdap", "whois"], default: "auto" },
    }),
  )
  @ApiSchemaResponse(200, Lookup, "The normalized record, the raw answer and every server asked")
  // 404: no record, no RDAP server for it, or an address no registry holds (loopback, private…);
  // 422: a registry's server name that does not resolve; 503: the caller went away
  @ApiProblems(400, 404, 422, 502, 503, 504)
  lookup(
    @Param("resource", new SchemaPipe(Resource, "resource")) resource: string,
    @Query(new SchemaPipe(LookupQuery)) query: LookupQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Lookup> {
    // A lookup can wait on slow registries for many seconds: stop it when the caller leaves.
    const gone = new AbortController()
    reply.raw.once("close", () => {
      if (!reply.raw.writableFinished) gone.abort()
    })
    return this.whois.lookup(resource, query, gone.signal)
  }
}
