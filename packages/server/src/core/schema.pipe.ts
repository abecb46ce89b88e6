import type { PipeTransform } from "@nestjs/common"
import { Either, ParseResult, Schema } from "effect"
import { type FieldError, Problem } from "./problem.js"

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
  private readonly decode: (u: unknown) => Either.Either<A, ParseResult.ParseError>

  /** `field` names a single path parameter; absent, issues are named by their path. */
  constructor(
    schema: Schema.Schema<A, I, never>,
    private readonly field?: string,
  ) {
    this.decode = Schema.decodeUnknownEither(schema, { errors: "all", onExcessProperty: "error" })
  }

  transform(value: unknown): A {
    const result = this.decode(value)
    if (Either.isRight(result)) return result.right
    const issues = ParseResult.ArrayFormatter.formatErrorSync(result.left)
    const errors: Array<FieldError> = issues.slice(0, 20).map((issue) => {
      const path = issue.path.map(String).join(".")
      const field = this.field ?? (path === "" ? "body" : path)
      return { field, message: issue.message }
    })
    const first = errors[0] ?? { field: this.field ?? "body", message: "invalid" }
    throw new Problem(400, "InvalidInput", `${first.field}: ${first.message}`, first.field, errors)
  }
}
