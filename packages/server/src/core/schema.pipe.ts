import { createParamDecorator, type PipeTransform } from "@nestjs/common"
import { Either, Option, ParseResult, Schema, SchemaAST as AST } from "effect"
import { type FieldError, Problem } from "./problem.js"

const options: AST.ParseOptions = { errors: "all", onExcessProperty: "error" }

/** Whether a value is one a schema accepts, as decoding would return it. */
type Test = (value: unknown) => boolean

/**
 * For a schema without transformations (keywords, literals, filters, unions, arrays and structs
 * without index signatures: every request body and path parameter but the list query), a test
 * of whether decoding accepts a value, answered with the schema's own filters and no parse
 * results. What the test accepts, decoding accepts too and returns with the same values (a
 * struct in a new object). It refuses where that is less plain (a missing key, an array as a
 * struct, a symbol or a non-enumerable key): there, decoding answers. Any other schema:
 * undefined.
 *
 * Effect's parse results cost a valid `POST /operations` body ~9 KB of garbage, and the server
 * ~6 % of its CPU under load (the decoding and the collection of its garbage); the test is all a
 * valid value costs now, and decoding is left to name the issues of an invalid one.
 */
const acceptTest = (ast: AST.AST): Test | undefined => {
  switch (ast._tag) {
    case "StringKeyword":
      return (value) => typeof value === "string"
    case "NumberKeyword":
      return (value) => typeof value === "number"
    case "BooleanKeyword":
      return (value) => typeof value === "boolean"
    case "UndefinedKeyword":
      return (value) => value === undefined
    case "Literal": {
      const literal = ast.literal
      return (value) => value === literal
    }
    case "Refinement": {
      const from = acceptTest(ast.from)
      if (from === undefined) return undefined
      return (value) => from(value) && Option.isNone(ast.filter(value, options, ast))
    }
    case "Union": {
      const members: Array<Test> = []
      for (const member of ast.types) {
        const test = acceptTest(member)
        if (test === undefined) return undefined
        members.push(test)
      }
      return (value) => members.some((test) => test(value))
    }
    case "TupleType": {
      if (ast.elements.length !== 0 || ast.rest.length !== 1) return undefined
      const item = acceptTest(ast.rest[0]!.type)
      if (item === undefined) return undefined
      return (value) => Array.isArray(value) && value.every((v) => item(v))
    }
    case "TypeLiteral": {
      if (ast.indexSignatures.length !== 0) return undefined
      const properties: Array<{ name: string; optional: boolean; test: Test }> = []
      for (const ps of ast.propertySignatures) {
        const test = acceptTest(ps.type)
        if (typeof ps.name !== "string" || test === undefined) return undefined
        properties.push({ name: ps.name, optional: ps.isOptional, test })
      }
      return (value) => {
        if (typeof value !== "object" || value === null || Array.isArray(value)) return false
        const record = value as Record<string, unknown>
        let present = 0
        for (const { name, optional, test } of properties) {
          if (Object.hasOwn(record, name)) {
            if (!test(record[name])) return false
            present++
          } else if (!optional) return false
        }
        // no key the schema does not name (onExcessProperty: "error")
        return Reflect.ownKeys(record).length === present
      }
    }
    default:
      return undefined
  }
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

/** How deep a request value may nest: far past any body the API takes. */
const maxDepth = 32

/**
 * Where a value nests deeper than `maxDepth` levels (its top-level key, "" for an array), or
 * undefined. Effect's issue messages print the value they refuse recursively, and a body of
 * 5,000 nested arrays (10 KB) overflowed the stack there: a 500.
 */
const nestedTooDeep = (value: unknown): string | undefined => {
  const past = (v: unknown, depth: number): boolean => {
    if (typeof v !== "object" || v === null) return false
    if (depth >= maxDepth) return true
    for (const inner of Object.values(v)) if (past(inner, depth + 1)) return true
    return false
  }
  if (typeof value !== "object" || value === null) return undefined
  // an array where a body's object belongs is wrong as a whole
  if (Array.isArray(value)) return past(value, 0) ? "" : undefined
  for (const [key, inner] of Object.entries(value)) if (past(inner, 1)) return key
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

/** The most of an issue's message or field name an answer repeats. */
const maxEcho = 256

/**
 * `text` cut at `maxEcho` characters, saying how long it was. Effect's messages quote the value
 * they refuse, and a field names the body's own keys: a 900 KB target came back twice in a 1.8 MB
 * answer.
 */
const cut = (text: string): string =>
  text.length <= maxEcho ? text : `${text.slice(0, maxEcho)}… (${text.length} characters)`

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
  const accepts = acceptTest(schema.ast)
  return (value) => {
    // only a value the test refuses needs the decoder: it names the issues
    if (accepts?.(value) === true) return value as A
    const deep = nestedTooDeep(value)
    if (deep !== undefined) {
      const where = field ?? (deep === "" ? "body" : deep)
      const message = `is nested deeper than ${maxDepth} levels`
      throw new Problem(400, "InvalidInput", `${where}: ${message}`, where, [
        { field: where, message },
      ])
    }
    const result = decode(value)
    if (Either.isRight(result)) return result.right
    const issues = ParseResult.ArrayFormatter.formatErrorSync(result.left)
    // the first thousand issues are plenty to name twenty (a 1 MiB body can hold far more)
    const errors = tidyErrors(
      issues.slice(0, 1000).map((issue) => {
        const path = cut(issue.path.map(String).join("."))
        return { field: field ?? (path === "" ? "body" : path), message: cut(issue.message) }
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
