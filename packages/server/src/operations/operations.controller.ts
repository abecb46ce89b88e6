import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
  Res,
} from "@nestjs/common"
import {
  ApiHeader,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from "@nestjs/swagger"
import type { FastifyReply } from "fastify"
import { ApiProblems, ApiSchemaBody, ApiSchemaResponse, openApiSchema } from "../core/openapi.js"
import { SchemaPipe } from "../core/schema.pipe.js"
import { openSse } from "../core/sse.js"
import {
  CreateOperation,
  ListQuery,
  Operation,
  OperationDetail,
  OperationId,
  OperationPage,
  OperationStatus,
  OperationType,
  QueueName,
} from "./operations.dto.js"
import { OperationsService } from "./operations.service.js"

/** Operations: measurements run by workers, stored, and streamed as they come in. */
@ApiTags("operations")
@Controller("operations")
export class OperationsController {
  constructor(@Inject(OperationsService) private readonly operations: OperationsService) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary: "Start an operation",
    description:
      "Validates the target and options with the rules of @netwark/tools, stores the operation and answers at once; workers run it. Follow it at the Location URL or its events.",
  })
  @ApiSchemaBody(CreateOperation)
  @ApiSchemaResponse(202, Operation, "Accepted; the Location header names the operation")
  @ApiProblems(400, 403, 413, 415, 503)
  async create(
    @Body(new SchemaPipe(CreateOperation)) body: CreateOperation,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Operation> {
    const operation = await this.operations.create(body)
    void reply.header("location", `/api/v1/operations/${operation.id}`)
    return operation
  }

  @Get()
  @ApiOperation({ summary: "List operations, newest first, with cursor pagination" })
  @ApiQuery({ name: "status", required: false, schema: openApiSchema(OperationStatus) })
  @ApiQuery({ name: "type", required: false, schema: openApiSchema(OperationType) })
  @ApiQuery({ name: "target", required: false, schema: { type: "string" } })
  @ApiQuery({ name: "queue", required: false, schema: openApiSchema(QueueName) })
  @ApiQuery({
    name: "since",
    required: false,
    description: "Created at or after",
    schema: { type: "string", format: "date-time" },
  })
  @ApiQuery({
    name: "until",
    required: false,
    description: "Created before",
    schema: { type: "string", format: "date-time" },
  })
  @ApiQuery({
    name: "limit",
    required: false,
    schema: { type: "integer", minimum: 1, maximum: 500, default: 50 },
  })
  @ApiQuery({
    name: "cursor",
    required: false,
    description:
      "A page's nextCursor (the page after it) or previousCursor (the page before it); opaque",
    schema: { type: "string" },
  })
  @ApiSchemaResponse(200, OperationPage, "A page of operations")
  @ApiProblems(400, 503)
  list(@Query(new SchemaPipe(ListQuery)) query: ListQuery): Promise<OperationPage> {
    return this.operations.list(query)
  }

  @Get(":id")
  @ApiOperation({ summary: "An operation with one result per worker" })
  @ApiParam({ name: "id", schema: { type: "string", format: "uuid" } })
  @ApiSchemaResponse(200, OperationDetail, "The operation and its results")
  @ApiProblems(400, 404, 503)
  get(@Param("id", new SchemaPipe(OperationId, "id")) id: string): Promise<OperationDetail> {
    return this.operations.get(id)
  }

  @Get(":id/events")
  @ApiOperation({
    summary: "Live events of an operation (Server-Sent Events)",
    description:
      "Event types: `snapshot` (the operation as GET /operations/{id}), then the operation's recent `progress` buffered by this server (also when it was emitted before the stream opened), then `progress`, `result` (one WorkerResult) and `status` ({id, status}) as they happen; the stream ends after the final status. Progress events carry an SSE `id` that increases per operation: reconnect with `Last-Event-ID` to get only the progress after it (the snapshot is sent again, as the current state). Progress is kept in memory per server process, bounded, and for a grace period after the operation ends.",
  })
  @ApiParam({ name: "id", schema: { type: "string", format: "uuid" } })
  @ApiHeader({
    name: "Last-Event-ID",
    required: false,
    description: "The id of the last event received: replay only the progress after it",
  })
  @ApiProduces("text/event-stream")
  @ApiResponse({
    status: 200,
    description: "An event stream",
    content: { "text/event-stream": { schema: { type: "string" } } },
  })
  @ApiProblems(400, 404, 503)
  async events(
    @Param("id", new SchemaPipe(OperationId, "id")) id: string,
    @Headers("last-event-id") lastEventId: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    // an unknown id is thrown from here, before any header is sent: a 404 problem
    const feed = await this.operations.events(id, { lastEventId })
    feed.start(openSse(reply.raw, { headers: reply.getHeaders() }))
  }
}
