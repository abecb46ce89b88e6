import { Controller, Get, Inject } from "@nestjs/common"
import { ApiOperation, ApiTags } from "@nestjs/swagger"
import { ApiProblems, ApiSchemaResponse } from "../core/openapi.js"
import { QueueList, WorkerList } from "./workers.dto.js"
import { WorkersService } from "./workers.service.js"

/** Worker presence and the configured queues. */
@ApiTags("workers")
@Controller()
export class WorkersController {
  constructor(@Inject(WorkersService) private readonly workers: WorkersService) {}

  @Get("workers")
  @ApiOperation({
    summary:
      "Workers online now and those gone offline within the retention period (24 h by default), with their status, last seen time, queues, locations and capabilities",
  })
  @ApiSchemaResponse(200, WorkerList, "Workers online first, then offline ones by last seen")
  @ApiProblems(503)
  list(): Promise<WorkerList> {
    return this.workers.workers()
  }

  @Get("management/backend/queues")
  @ApiOperation({
    summary:
      "The queues operations can target, with their locations and the workers online on each",
  })
  @ApiSchemaResponse(200, QueueList, "Configured and built-in queues")
  @ApiProblems(503)
  queues(): Promise<QueueList> {
    return this.workers.queues()
  }
}
