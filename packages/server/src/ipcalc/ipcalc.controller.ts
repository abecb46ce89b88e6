import {
  applyDecorators,
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  Post,
  Query,
} from "@nestjs/common"
import { ApiOperation, ApiParam, ApiQuery, ApiTags } from "@nestjs/swagger"
import type { IpCalc } from "@netwark/tools"
import { ApiProblems, ApiSchemaBody, ApiSchemaResponse } from "../core/openapi.js"
import { PathParam, SchemaPipe } from "../core/schema.pipe.js"
import {
  Address,
  AggregateBody,
  Blocks,
  Contains,
  ContainsBody,
  Info,
  Prefix,
  Range,
  Subnets,
  SubnetsQuery,
} from "./ipcalc.dto.js"
import { IpCalcService } from "./ipcalc.service.js"

const addressParam = ApiParam({
  name: "address",
  schema: { type: "string", maxLength: 100 },
  description: "IPv4 or IPv6 address; host bits are kept and reported",
  example: "192.168.1.10",
})
const prefixParam = ApiParam({
  name: "prefix",
  schema: { type: "string", maxLength: 45 },
  description: "Prefix length, or an IPv4 netmask",
  example: "24",
})

/** Subnet calculator: network reports, subnets, aggregation, ranges and containment. */
@ApiTags("ip-calc")
@Controller("ip-calc")
export class IpCalcController {
  constructor(@Inject(IpCalcService) private readonly ipcalc: IpCalcService) {}

  @Get("range/:start/:end")
  @ApiOperation({
    operationId: "ipCalcRange",
    summary: "The fewest CIDR blocks covering an address range",
  })
  @applyDecorators(
    ApiParam({
      name: "start",
      schema: { type: "string", maxLength: 100 },
      description: "First address of the range",
      example: "10.0.0.5",
    }),
    ApiParam({
      name: "end",
      schema: { type: "string", maxLength: 100 },
      description: "Last address of the range",
      example: "10.0.0.20",
    }),
  )
  @ApiSchemaResponse(200, Range, "The CIDR blocks, in address order")
  @ApiProblems(400)
  range(
    @PathParam("start", Address) start: string,
    @PathParam("end", Address) end: string,
  ): typeof Range.Type {
    return this.ipcalc.range(start, end)
  }

  @Post("aggregate")
  @HttpCode(200)
  @ApiOperation({
    operationId: "ipCalcAggregate",
    summary: "Merge networks into the minimal set of CIDR blocks",
  })
  @ApiSchemaBody(AggregateBody)
  @ApiSchemaResponse(200, Blocks, "The merged blocks, IPv4 first, then IPv6")
  @ApiProblems(400, 413, 415)
  aggregate(@Body(new SchemaPipe(AggregateBody)) body: AggregateBody): typeof Blocks.Type {
    return this.ipcalc.aggregate(body)
  }

  @Post("contains")
  @HttpCode(200)
  @ApiOperation({
    operationId: "ipCalcContains",
    summary: "Whether some networks together contain every given address or network",
  })
  @ApiSchemaBody(ContainsBody)
  @ApiSchemaResponse(200, Contains, "The answer")
  @ApiProblems(400, 413, 415)
  contains(@Body(new SchemaPipe(ContainsBody)) body: ContainsBody): typeof Contains.Type {
    return this.ipcalc.contains(body)
  }

  @Get(":address")
  @ApiOperation({
    operationId: "ipCalcAddress",
    summary: "Report on one address (a host route: /32 or /128)",
  })
  @addressParam
  @ApiSchemaResponse(200, Info, "The report")
  @ApiProblems(400)
  address(@PathParam("address", Address) address: string): IpCalc.Info {
    return this.ipcalc.info(address)
  }

  @Get(":address/:prefix")
  @ApiOperation({
    operationId: "ipCalcNetwork",
    summary: "Report on a network: mask, hosts, broadcast, registry type, reverse zone",
  })
  @applyDecorators(addressParam, prefixParam)
  @ApiSchemaResponse(200, Info, "The report")
  @ApiProblems(400)
  network(
    @PathParam("address", Address) address: string,
    @PathParam("prefix", Prefix) prefix: string,
  ): IpCalc.Info {
    return this.ipcalc.info(address, prefix)
  }

  @Get(":address/:prefix/subnets")
  @ApiOperation({
    operationId: "ipCalcSubnets",
    summary: "Split a network into subnets of a longer prefix, one page at a time",
  })
  @applyDecorators(
    addressParam,
    prefixParam,
    ApiQuery({
      name: "newPrefix",
      required: true,
      schema: { type: "integer", minimum: 0, maximum: 128 },
    }),
    ApiQuery({ name: "offset", required: false, schema: { type: "integer", minimum: 0 } }),
    ApiQuery({
      name: "limit",
      required: false,
      schema: { type: "integer", minimum: 1, maximum: 65536, default: 256 },
    }),
  )
  @ApiSchemaResponse(200, Subnets, "One page of subnets")
  @ApiProblems(400)
  subnets(
    @PathParam("address", Address) address: string,
    @PathParam("prefix", Prefix) prefix: string,
    @Query(new SchemaPipe(SubnetsQuery)) query: SubnetsQuery,
  ): IpCalc.SplitResult {
    return this.ipcalc.subnets(address, prefix, query)
  }
}
