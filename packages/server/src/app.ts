/**
 * Build the server: the Effect runtime (database, transport, background fibers) first, then the
 * Nest application on Fastify with the `/api/v1` prefix, the problem-details filter, OpenAPI and
 * the static web console.
 *
 * @module
 */
import "reflect-metadata"
import { existsSync, readFileSync } from "node:fs"
import * as path from "node:path"
import type { LogLevel } from "@nestjs/common"
import { NestFactory } from "@nestjs/core"
import { FastifyAdapter, type NestFastifyApplication } from "@nestjs/platform-fastify"
import { ManagedRuntime } from "effect"
import type { Socket } from "node:net"
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify"
import { AppModule } from "./app.module.js"
import type { ServerConfig } from "./config.js"
import { setupOpenApi } from "./core/openapi.js"
import { Problem, titleOf, toProblem } from "./core/problem.js"
import { ProblemFilter } from "./core/problem.filter.js"
import { EffectRuntime } from "./core/runtime.js"
import * as Metrics from "./health/metrics.js"
import * as ServerLayer from "./server.layer.js"

/** The API's path prefix. */
export const apiPrefix = "api/v1"

/** How to build the app. */
export interface CreateOptions {
  /** Nest log levels; `false` silences Nest (tests). Default: log, warn, error. */
  readonly logger?: false | ReadonlyArray<LogLevel>
}

/** A built (not yet listening) server. */
export interface Server {
  readonly app: NestFastifyApplication
  readonly runtime: EffectRuntime<ServerLayer.AppServices>
  readonly config: ServerConfig
  /** Listen on the configured host and port; resolves to the base URL (`http://host:port`). */
  readonly listen: () => Promise<string>
  /** Stop HTTP, then background fibers, the worker, the transport and the database. */
  readonly close: () => Promise<void>
}

const sendProblem = (error: unknown, request: FastifyRequest, reply: FastifyReply): void => {
  const { body } = toProblem(error)
  void reply
    .status(body.status)
    .header("content-type", "application/problem+json; charset=utf-8")
    .send({ ...body, instance: request.url })
}

/**
 * Requests Node's HTTP parser refuses before Fastify sees them (headers over 16 KiB, a malformed
 * request line, a request too slow to arrive): a problem document like every other error (it was
 * Fastify's own `{"error","message","statusCode"}`).
 */
const clientError = (error: NodeJS.ErrnoException, socket: Socket): void => {
  if (error.code === "ECONNRESET" || socket.destroyed) return
  const [status, detail] =
    error.code === "HPE_HEADER_OVERFLOW"
      ? [431, "the request headers are too large"]
      : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? [408, "the request did not arrive in time"]
        : [400, "the request is not valid HTTP"]
  const { body: problem } = toProblem(
    new Problem(status, titleOf(status).replaceAll(" ", ""), detail),
  )
  const body = JSON.stringify(problem)
  if (socket.writable)
    socket.write(
      `HTTP/1.1 ${status} ${problem.title}\r\nContent-Type: application/problem+json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    )
  socket.destroy(error)
}

/** Whether a `Content-Type` is `application/json` (with or without parameters). */
const isJson = (contentType: string): boolean =>
  contentType.split(";", 1)[0]!.trim().toLowerCase() === "application/json"

/**
 * Every request body the API takes is JSON. Fastify also reads text/plain and Nest form bodies,
 * so a JSON document sent as text/plain failed validation as one string, and `curl -d '{…}'`
 * (form-encoded unless told otherwise) got "type: is missing": any other type is a 415 that
 * says what to send.
 */
const jsonBodiesOnly = (request: FastifyRequest, reply: FastifyReply, done: () => void): void => {
  const type = request.headers["content-type"]
  const hasBody =
    request.headers["transfer-encoding"] !== undefined ||
    (request.headers["content-length"] !== undefined && request.headers["content-length"] !== "0")
  if (!hasBody || (type !== undefined && isJson(type))) return done()
  sendProblem(
    new Problem(
      415,
      "UnsupportedMediaType",
      `the request body must be JSON: send it with Content-Type: application/json (got ${type === undefined ? "none" : JSON.stringify(type.slice(0, 100))})`,
      "content-type",
    ),
    request,
    reply,
  )
}

/**
 * The Fastify adapter with the API's limits. Errors the router raises before any handler runs
 * (a path parameter over `maxParamLength`, a malformed URL) get the problem shape as well.
 */
export const fastifyAdapter = (): FastifyAdapter => {
  const adapter = new FastifyAdapter({
    bodyLimit: 1024 * 1024,
    routerOptions: { maxParamLength: 1024 },
    // No Nest middleware here (hooks and filters do that work): without @fastify/middie no
    // request runs its hook. A module that configures middleware fails the start, not a request.
    skipMiddie: true,
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) =>
      sendProblem(error, request, reply),
    clientErrorHandler: clientError,
  })
  adapter.getInstance().addHook("onRequest", jsonBodiesOnly)
  return adapter
}

/**
 * What every request meets besides its route: the `/api/v1` prefix, the problem filter, the
 * request counter of `GET /metrics`, and OpenAPI. (The benchmark builds its app with it too.)
 */
export const configureHttp = (app: NestFastifyApplication, counters: Metrics.Counters): void => {
  app.setGlobalPrefix(apiPrefix)
  app.useGlobalFilters(new ProblemFilter())
  app
    .getHttpAdapter()
    .getInstance()
    .addHook("onResponse", (_request, reply, done) => {
      // a numeric key: no status string made per request, the same "200" key in the record
      const code = reply.statusCode
      counters.httpRequests[code] = (counters.httpRequests[code] ?? 0) + 1
      done()
    })
  setupOpenApi(app)
}

/** Build the server for a configuration. */
export const createApp = async (
  config: ServerConfig,
  options: CreateOptions = {},
): Promise<Server> => {
  const managed = ManagedRuntime.make(ServerLayer.layer(config))
  // build every layer now, so a bad database URL fails the start rather than the first request
  await managed.runtime()
  const runtime = new EffectRuntime<ServerLayer.AppServices>(managed)
  const adapter = fastifyAdapter()
  let app: NestFastifyApplication
  try {
    app = await NestFactory.create<NestFastifyApplication>(
      AppModule.forRoot(runtime, config),
      adapter,
      {
        logger:
          options.logger === undefined
            ? ["log", "warn", "error"]
            : options.logger === false
              ? false
              : [...options.logger],
        abortOnError: false,
      },
    )
  } catch (error) {
    await runtime.dispose()
    throw error
  }
  configureHttp(app, runtime.service(Metrics.Metrics))
  const index = config.webDir === undefined ? undefined : path.join(config.webDir, "index.html")
  if (config.webDir !== undefined && index !== undefined && existsSync(index)) {
    app.useStaticAssets({
      root: config.webDir,
      prefix: "/",
      wildcard: false,
      index: ["index.html"],
      // the web build writes .br/.gz beside each asset: ~4x less to send, no per-request CPU
      preCompressed: true,
    })
    // the console routes in the browser: a deep link (/operations/…) gets index.html
    const html = readFileSync(index)
    app
      .getHttpAdapter()
      .getInstance()
      .addHook("onRequest", (request, reply, done) => {
        // every API request passes here: the cheap tests first, the path only for a browser's
        if (
          request.method === "GET" &&
          (request.headers.accept ?? "").includes("text/html") &&
          !request.url.startsWith("/api/")
        ) {
          const pathname = request.url.split("?")[0] ?? ""
          if (!/\.[a-zA-Z0-9]+$/.test(pathname)) {
            void reply.type("text/html; charset=utf-8").send(html)
            return
          }
        }
        done()
      })
  }
  await app.init()
  let closed = false
  return {
    app,
    runtime,
    config,
    listen: async () => {
      await app.listen(config.port, config.host)
      const address = app.getHttpServer().address()
      const port = typeof address === "object" && address !== null ? address.port : config.port
      const host = config.host === "0.0.0.0" || config.host === "::" ? "localhost" : config.host
      return `http://${host.includes(":") ? `[${host}]` : host}:${port}`
    },
    close: async () => {
      if (closed) return
      closed = true
      try {
        // open event streams would hold the shutdown back until their operations end
        const closing = app.close()
        app.getHttpServer().closeAllConnections()
        await closing
      } finally {
        await runtime.dispose()
      }
    },
  }
}
