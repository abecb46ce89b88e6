import { createParamDecorator, type PipeTransform } from "@nestjs/common"
import { Either, ParseResult, Schema } from "effect"
import { type FieldError, Problem } from "./problem.js"

/**
 * A decoder that returns the decoded value or throws the 400 problem naming every invalid field:
 * `field` names a single path parameter; absent, issues are named by their path.
 */
const validator = <A, I>(
  schema: Schema.Schema<A, I, never>,
  field: string | undefined,
): ((value: unknown) => A) => {
  const decode = Schema.decodeUnknownEither(schema, { errors: "all", onExcessProperty: "error" })
  return (value) => {
    const result = decode(value)
    if (Either.isRight(result)) return result.right
    const issues = ParseResult.ArrayFormatter.formatErrorSync(result.left)
    const errors: Array<FieldError> = issues.slice(0, 20).map((issue) => {
      const path = issue.path.map(String).join(".")
      return { field: field ?? (path === "" ? "body" : path), message: issue.message }
    })
    const first = errors[0] ?? { field: field ?? "body", message: "invalid" }
    throw new Problem(400, "InvalidInput", `${first.field}: ${first.message}`, first.field, errors)
  }
}

/**
 * Validates one route argument (body, query or a path parameter) with an Effect Schema, so that
 * validation never depends on reflected parameter types (esbuild does not emit them). A failure
 * is a 400 problem naming every invalid field.
 *
 * Usage: `@Body(new SchemaPipe(CreateOperation)) body: CreateOperation`,
 * `@Query(new SchemaPipe(ListQuery)) query: ListQuery`,
 * `@Param("id", new SchemaPipe(OperationId, "id")) id: string`.
 */
export class SchemaPipe<A, I> implements PipeTransform<unknown, A> {
  private readonly check: (value: unknown) => A

  /** `field` names a single path parameter; absent, issues are named by their path. */
  constructor(schema: Schema.Schema<A, I, never>, field?: string) {
    this.check = validator(schema, field)
  }

  transform(value: unknown): A {
    return this.check(value)
  }
}

const pathParam = createParamDecorator(
  (data: { readonly name: string; readonly check: (value: unknown) => unknown }, context) =>
    data.check(
      context.switchToHttp().getRequest<{ params: Record<string, string> }>().params[data.name],
    ),
)

/**
 * A path parameter validated by an Effect Schema: the same check and the same 400 problem as
 * `@Param(name, new SchemaPipe(schema, name))`, made while Nest reads the parameter. A pipe
 * costs each request several promises per parameter (Nest chains pipes asynchronously), which
 * shows on the cheap synchronous routes; this is for those.
 *
 * Usage: `@PathParam("address", Address) address: string`.
 */
export const PathParam = <A>(name: string, schema: Schema.Schema<A, string, never>) =>
  pathParam({ name, check: validator(schema, name) })
