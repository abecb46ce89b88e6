import fc from "fast-check"
import { Either, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { Address, Prefix } from "../ipcalc/ipcalc.dto.js"
import { Problem } from "./problem.js"
import { SchemaPipe } from "./schema.pipe.js"

/** What decoding alone makes of a value: the decoded value, or the problem's field and detail. */
const byDecoding = <A, I>(schema: Schema.Schema<A, I, never>, value: unknown) => {
  const r = Schema.decodeUnknownEither(schema, { errors: "all", onExcessProperty: "error" })(value)
  return Either.isRight(r) ? { value: r.right } : { invalid: true }
}

const byPipe = <A, I>(schema: Schema.Schema<A, I, never>, field: string, value: unknown) => {
  try {
    return { value: new SchemaPipe(schema, field).transform(value) }
  } catch (error) {
    expect(error).toBeInstanceOf(Problem)
    const p = error as Problem
    expect(p.status).toBe(400)
    expect(p.field).toBe(field)
    expect(p.message.startsWith(`${field}: `)).toBe(true)
    return { invalid: true }
  }
}

// refined strings (tested by their filters first) and others (decoded only), side by side
const schemas: ReadonlyArray<readonly [string, Schema.Schema.AnyNoContext]> = [
  ["Address", Address],
  ["Prefix", Prefix],
  ["pattern", Schema.String.pipe(Schema.pattern(/^[0-9a-f]+$/), Schema.maxLength(8))],
  ["brand", Schema.String.pipe(Schema.minLength(2), Schema.brand("Two"))],
  ["trimmed", Schema.Trimmed],
  ["Trim (a transformation)", Schema.Trim],
  ["number", Schema.NumberFromString],
]

const values = fc.oneof(
  fc.string({ maxLength: 120 }),
  fc.constantFrom("", " a", "a ", "ff", "FF", "x".repeat(45), "x".repeat(46), "1".repeat(100)),
  fc.constantFrom("1".repeat(101), "12", null, undefined, 12, {}, ["a"]),
)

describe("SchemaPipe", () => {
  it("accepts and refuses exactly what decoding does, with a 400 naming the field", () => {
    for (const [name, schema] of schemas)
      fc.assert(
        fc.property(values, (value) => {
          expect(byPipe(schema, "f", value), name).toEqual(byDecoding(schema, value))
        }),
        { numRuns: 300 },
      )
  })

  it("words a refused path parameter as decoding does", () => {
    expect(() => new SchemaPipe(Address, "address").transform("1".repeat(101))).toThrow(
      "address: an address is at most 100 characters",
    )
    expect(() => new SchemaPipe(Prefix, "prefix").transform("")).toThrow(
      "prefix: a prefix is required",
    )
  })
})
