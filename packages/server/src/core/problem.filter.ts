import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  Logger,
  NotFoundException,
} from "@nestjs/common"
import type { FastifyReply, FastifyRequest } from "fastify"
import { Problem, toProblem } from "./problem.js"

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"] as const

/**
 * The methods that have a route at the request's path, when its own method has none (Nest then
 * throws a 404 "Cannot PUT /…"), else undefined.
 */
const allowedMethods = (request: FastifyRequest): ReadonlyArray<string> | undefined => {
  const url = request.url.split("?", 1)[0] ?? request.url
  const find = (method: string) => request.server.findRoute({ method, url }) !== null
  if (find(request.method)) return undefined
  const allowed = METHODS.filter(find)
  return allowed.length === 0 ? undefined : allowed
}

/** The one exception filter: every error leaves as `application/problem+json`, never a stack. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger("ProblemFilter")

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp()
    const reply = http.getResponse<FastifyReply>()
    const request = http.getRequest<FastifyRequest>()
    // A path that exists with other methods: 405 with Allow (a 404 said the resource was not
    // there), and OPTIONS answers which methods it takes.
    const allow = exception instanceof NotFoundException ? allowedMethods(request) : undefined
    if (allow !== undefined && !reply.sent) {
      if (request.method === "OPTIONS") {
        void reply
          .status(204)
          .header("allow", [...allow, "OPTIONS"].join(", "))
          .send()
        return
      }
      void reply.header("allow", [...allow, "OPTIONS"].join(", "))
      exception = new Problem(
        405,
        "MethodNotAllowed",
        `${request.method} is not allowed here: use ${allow.join(", ")}`,
      )
    }
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
