import { createParamDecorator, type PipeTransform } from "@nestjs/common"
import { Either, Option, ParseResult, Schema, SchemaAST as AST } from "effect"
import { type FieldError, Problem } from "./problem.js"

const options: AST.ParseOptions = { errors: "all", onExcessProperty: "error" }

/**
 * For a string refined by filters (lengths, patterns: every path parameter), whether decoding
 * would accept a value, answered by calling the filters themselves: decoding a refinement
 * accepts exactly when its base does and its filter finds nothing, and returns the input. It
 * skips Effect's parse-result machinery, most of a path parameter's validation cost. Any other
 * schema: undefined.
 */
const refinedStringTest = (ast: AST.AST): ((value: unknown) => boolean) | undefined => {
  const refinements: Array<AST.Refinement> = []
  while (AST.isRefinement(ast)) {
    refinements.push(ast)
    ast = ast.from
  }
  if (!AST.isStringKeyword(ast)) return undefined
  return (value) =>
    typeof value === "string" &&
    refinements.every((r) => Option.isNone(r.filter(value, options, r)))
}

/**
 * The path of the first value `String()` cannot convert (an object whose own `toString` and
 * `valueOf` are not functions, as JSON can send: `{"toString": 1}`), depth-first, or undefined.
 */
const unreadable = (
  value: unknown,
  path: ReadonlyArray<string> = [],
  depth = 0,
): string | undefined => {
  if (typeof value !== "object" || value === null || depth > 64) return undefined
  try {
    String(value)
  } catch {
    return path.join(".")
  }
  for (const [key, inner] of Object.entries(value)) {
    const found = unreadable(inner, [...path, key], depth + 1)
    if (found !== undefined) return found
  }
  return undefined
}

/**
 * Decode with Effect Schema, which converts discriminator values with `String()` while it picks a
 * union member, and so throws on such a value: that is bad input, a 400, not a 500.
 */
const safely =
  <A, E>(decode: (value: unknown) => Either.Either<A, E>, field: string | undefined) =>
  (value: unknown): Either.Either<A, E> => {
    try {
      return decode(value)
    } catch (error) {
      if (!(error instanceof TypeError)) throw error
      const path = unreadable(value)
      const where = field ?? (path === undefined || path === "" ? "body" : path)
      throw new Problem(
        400,
        "InvalidInput",
        `${where}: is not a value of the expected type`,
        where,
        [{ field: where, message: "is not a value of the expected type" }],
      )
    }
  }

const EXPECTED = /^Expected (.+), actual (.+)$/s

/**
 * The issues of a failed decoding as a reader wants them. A union fails once per member, so a
 * literal union said `Expected "pending", actual "weird"`, naming the first allowed value only,
 * and an optional field added `Expected undefined` besides its real issue. Issues of one field
 * that all say `Expected …, actual X` become one listing every allowed value; an `Expected
 * undefined` is dropped where the field (or one inside it) has another issue.
 */
export const tidyErrors = (errors: ReadonlyArray<FieldError>): Array<FieldError> => {
  // linear in the issues: a 1 MiB body can hold hundreds of thousands of them
  const undefinedOnly = (message: string) => message.startsWith("Expected undefined, actual ")
  /** Every field with another issue, and each field holding one. */
  const covered = new Set<string>()
  for (const { field, message } of errors) {
    if (undefinedOnly(message)) continue
    covered.add(field)
    for (let dot = field.lastIndexOf("."); dot > 0; dot = field.lastIndexOf(".", dot - 1))
      covered.add(field.slice(0, dot))
  }
  const kept = errors.filter((e) => !undefinedOnly(e.message) || !covered.has(e.field))
  const byField = new Map<string, Array<FieldError>>()
  for (const e of kept) {
    const same = byField.get(e.field)
    if (same === undefined) byField.set(e.field, [e])
    else same.push(e)
  }
  /** A field's issues as one, where they all say `Expected …, actual X` with the same X. */
  const merged = (same: ReadonlyArray<FieldError>): FieldError | undefined => {
    const parts = same.map((o) => EXPECTED.exec(o.message))
    const actual = parts[0]?.[2]
    return parts.every((m) => m !== null && m[2] === actual)
      ? {
          field: same[0]!.field,
          message: `Expected ${[...new Set(parts.map((m) => m![1]))].join(" | ")}, actual ${actual}`,
        }
      : undefined
  }
  const one = new Map<string, FieldError | undefined>()
  for (const [field, same] of byField) one.set(field, same.length === 1 ? undefined : merged(same))
  const out: Array<FieldError> = []
  const said = new Set<string>()
  for (const e of kept) {
    const m = one.get(e.field)
    if (m === undefined) out.push(e)
    // the field's first issue stands for all of them
    else if (!said.has(e.field)) {
      said.add(e.field)
      out.push(m)
    }
  }
  return out
}

/**
 * A decoder that returns the decoded value or throws the 400 problem naming every invalid field:
 * `field` names a single path parameter; absent, issues are named by their path.
 */
const validator = <A, I>(
  schema: Schema.Schema<A, I, never>,
  field: string | undefined,
): ((value: unknown) => A) => {
  const decode = safely(Schema.decodeUnknownEither(schema, options), field)
  const accepts = refinedStringTest(schema.ast)
  return (value) => {
    // a refined string decodes to itself: only a value the test refuses needs the decoder
    if (accepts?.(value) === true) return value as A
    const result = decode(value)
    if (Either.isRight(result)) return result.right
    const issues = ParseResult.ArrayFormatter.formatErrorSync(result.left)
    // the first thousand issues are plenty to name twenty (a 1 MiB body can hold far more)
    const errors = tidyErrors(
      issues.slice(0, 1000).map((issue) => {
        const path = issue.path.map(String).join(".")
        return { field: field ?? (path === "" ? "body" : path), message: issue.message }
      }),
    ).slice(0, 20)
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
    // the request is argument 0 of an HTTP handler; `switchToHttp()` would first assign three
    // new closures to the context, for each parameter of each request
    data.check(context.getArgByIndex<{ params: Record<string, string> }>(0).params[data.name]),
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
