import { Controller, Get, Inject, Res } from "@nestjs/common"
import { ApiOperation, ApiResponse, ApiTags } from "@nestjs/swagger"
import type { FastifyReply } from "fastify"
import { HealthService } from "./health.service.js"

/** Liveness of the server and of what it depends on. */
@ApiTags("health")
@Controller()
export class HealthController {
  constructor(@Inject(HealthService) private readonly health: HealthService) {}

  @Get("health")
  @ApiOperation({ summary: "Database and broker status; 503 when either is down" })
  @ApiResponse({ status: 200, description: "Everything is up" })
  @ApiResponse({ status: 503, description: "The database or the broker is down" })
  async check(@Res({ passthrough: true }) reply: FastifyReply) {
    const report = await this.health.check()
    void reply.status(report.status === "ok" ? 200 : 503)
    return report
  }
}
