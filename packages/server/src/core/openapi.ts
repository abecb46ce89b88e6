/**
 * OpenAPI descriptions from the same Effect Schemas that validate requests: one source of truth
 * for the server, the committed `openapi.json` and the generated client.
 *
 * @module
 */
import { type INestApplication, applyDecorators } from "@nestjs/common"
import {
  ApiBody,
  ApiResponse,
  DocumentBuilder,
  type OpenAPIObject,
  type SchemaObject,
  SwaggerModule,
} from "@nestjs/swagger"
import { JSONSchema, type Schema } from "effect"

type Json = Record<string, unknown>

const inline = (node: unknown, defs: Json, depth = 0): unknown => {
  if (Array.isArray(node)) return node.map((n) => inline(n, defs, depth))
  if (typeof node !== "object" || node === null) return node
  const record = node as Json
  const ref = record["$ref"]
  if (typeof ref === "string" && ref.startsWith("#/$defs/") && depth < 32) {
    const target = defs[ref.slice("#/$defs/".length)]
    return inline(target, defs, depth + 1)
  }
  const out: Json = {}
  for (const [key, value] of Object.entries(record)) {
    if (key === "$schema" || key === "$defs") continue
    out[key] = inline(value, defs, depth)
  }
  return out
}

/** The OpenAPI 3.1 schema object of an Effect Schema, with its definitions inlined. */
export const openApiSchema = <A, I, R>(schema: Schema.Schema<A, I, R>): SchemaObject => {
  const root = JSONSchema.make(schema, { target: "openApi3.1" }) as unknown as Json
  const defs = (root["$defs"] ?? {}) as Json
  return inline(root, defs) as SchemaObject
}

/** The problem-details schema every error response uses. */
export const problemSchema: SchemaObject = {
  type: "object",
  required: ["type", "title", "status", "detail", "reason"],
  properties: {
    type: { type: "string" },
    title: { type: "string" },
    status: { type: "integer" },
    detail: { type: "string" },
    instance: { type: "string" },
    reason: { type: "string" },
    field: { type: "string" },
    errors: {
      type: "array",
      items: {
        type: "object",
        required: ["field", "message"],
        properties: { field: { type: "string" }, message: { type: "string" } },
      },
    },
  },
}

/** Document a JSON request body with its Effect Schema. */
export const ApiSchemaBody = <A, I, R>(schema: Schema.Schema<A, I, R>, description?: string) =>
  ApiBody({ schema: openApiSchema(schema), ...(description === undefined ? {} : { description }) })

/** Document a success response with its Effect Schema. */
export const ApiSchemaResponse = <A, I, R>(
  status: number,
  schema: Schema.Schema<A, I, R>,
  description: string,
) => ApiResponse({ status, description, schema: openApiSchema(schema) })

/** Document the problem responses a route can give (RFC 9457, `application/problem+json`). */
export const ApiProblems = (...statuses: ReadonlyArray<number>) =>
  applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: "Problem details (RFC 9457)",
        content: { "application/problem+json": { schema: problemSchema } },
      }),
    ),
  )

/** The OpenAPI 3.1 document of the running app (what the committed `openapi.json` is made of). */
export const buildDocument = (app: INestApplication): OpenAPIObject =>
  SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setOpenAPIVersion("3.1.0")
      .setTitle("Netwark")
      .setDescription(
        "Network diagnostics from many machines at once: operations (ping, mtr, traceroute, DNS) run by workers, and synchronous tools. Errors are RFC 9457 problem details.",
      )
      .setVersion("1")
      .setLicense("MIT", "https://opensource.org/licenses/MIT")
      .build(),
  )

/** Serve the document at `/api/v1/openapi.json` and Swagger UI at `/api/docs`. */
export const setupOpenApi = (app: INestApplication): OpenAPIObject => {
  const document = buildDocument(app)
  SwaggerModule.setup("api/docs", app, document, {
    useGlobalPrefix: false,
    jsonDocumentUrl: "api/v1/openapi.json",
    yamlDocumentUrl: "api/v1/openapi.yaml",
  })
  return document
}
