import { Controller, Get, Header, Inject, Res } from "@nestjs/common"
import { ApiOperation, ApiProduces, ApiResponse, ApiTags } from "@nestjs/swagger"
import type { FastifyReply } from "fastify"
import { HealthService } from "./health.service.js"
import { MetricsService } from "./metrics.service.js"

/** Liveness of the server and of what it depends on. */
@ApiTags("health")
@Controller()
export class HealthController {
  constructor(
    @Inject(HealthService) private readonly health: HealthService,
    @Inject(MetricsService) private readonly metrics: MetricsService,
  ) {}

  @Get("metrics")
  @Header("content-type", "text/plain; version=0.0.4; charset=utf-8")
  @ApiOperation({ summary: "Prometheus metrics (text exposition format)" })
  @ApiProduces("text/plain")
  @ApiResponse({
    status: 200,
    description: "Metrics",
    content: { "text/plain": { schema: { type: "string" } } },
  })
  metricsText(): Promise<string> {
    return this.metrics.render()
  }

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
