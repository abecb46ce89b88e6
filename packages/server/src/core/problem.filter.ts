import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from "@nestjs/common"
import type { FastifyReply, FastifyRequest } from "fastify"
import { toProblem } from "./problem.js"

/** The one exception filter: every error leaves as `application/problem+json`, never a stack. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger("ProblemFilter")

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp()
    const reply = http.getResponse<FastifyReply>()
    const request = http.getRequest<FastifyRequest>()
    const { body, unexpected } = toProblem(exception)
    if (unexpected)
      this.logger.error(
        `${request.method} ${request.url}: ${String(exception)}`,
        exception instanceof Error ? exception.stack : undefined,
      )
    // an SSE stream that failed after its headers went out cannot change its status
    if (reply.sent || reply.raw.headersSent) {
      reply.raw.end()
      return
    }
    void reply
      .status(body.status)
      .header("content-type", "application/problem+json; charset=utf-8")
      .send({ ...body, instance: request.url })
  }
}
