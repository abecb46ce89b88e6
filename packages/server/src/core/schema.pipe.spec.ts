import fc from "fast-check"
import { Arbitrary, Either, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { Address, Prefix } from "../ipcalc/ipcalc.dto.js"
import { CreateOperation, ListQuery } from "../operations/operations.dto.js"
import { Problem } from "./problem.js"
import { SchemaPipe } from "./schema.pipe.js"

/** The problem a pipe throws for `value`. */
const problemOf = <A, I>(schema: Schema.Schema<A, I, never>, value: unknown) => {
  try {
    new SchemaPipe(schema).transform(value)
  } catch (error) {
    expect(error).toBeInstanceOf(Problem)
    const p = error as Problem
    return { detail: p.message, field: p.field, errors: p.errors }
  }
  throw new Error("accepted")
}

/**
 * What decoding alone makes of a value: the decoded value, or invalid. A union converts its
 * discriminator with `String()`, which throws on a value such as `{ "toString": false }`: bad
 * input too (the pipe answers it with a 400).
 */
const byDecoding = <A, I>(schema: Schema.Schema<A, I, never>, value: unknown) => {
  const decode = Schema.decodeUnknownEither(schema, { errors: "all", onExcessProperty: "error" })
  try {
    const r = decode(value)
    return Either.isRight(r) ? { value: r.right } : { invalid: true }
  } catch (error) {
    if (error instanceof TypeError) return { invalid: true }
    throw error
  }
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

  it("accepts and refuses every body decoding does, the valid ones without decoding", () => {
    const bodies = Arbitrary.make(CreateOperation)
    const keys = ["type", "target", "queues", "timeout", "options", "extra", "count", "__proto__"]
    /** A valid body, then maybe one change: a key gone, a key added or set to anything. */
    const changed = fc
      .tuple(bodies, fc.nat(3), fc.constantFrom(...keys), fc.anything())
      .map(([body, how, key, value]) => {
        const b: Record<string, unknown> = { ...body }
        const options: Record<string, unknown> | undefined =
          typeof b["options"] === "object" ? { ...(b["options"] as object) } : undefined
        if (how === 1) delete b[key]
        else if (how === 2) Object.defineProperty(b, key, { value, enumerable: true })
        else if (how === 3 && options !== undefined) {
          options[key === "type" ? "count" : key] = value
          b["options"] = options
        }
        return { body: b, changed: how !== 0 }
      })
    fc.assert(
      fc.property(changed, ({ body, changed }) => {
        const piped = byPipe(CreateOperation, "body", body)
        const decoded = byDecoding(CreateOperation, body)
        if ("invalid" in decoded) expect(piped).toEqual({ invalid: true })
        else {
          expect(piped.value).toEqual(decoded.value)
          // decoding makes a new object: the same one back means the test accepted it
          if (!changed) expect(piped.value).toBe(body)
        }
      }),
      { numRuns: 2000 },
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

describe("SchemaPipe problems", () => {
  it("a value outside a literal union lists every allowed value, once", () => {
    expect(problemOf(ListQuery, { status: "weird" })).toEqual({
      detail:
        'status: Expected "pending" | "running" | "done" | "partial" | "error" | "timeout", actual "weird"',
      field: "status",
      errors: [
        {
          field: "status",
          message:
            'Expected "pending" | "running" | "done" | "partial" | "error" | "timeout", actual "weird"',
        },
      ],
    })
    const ip = problemOf(CreateOperation, {
      type: "ping",
      target: "127.0.0.1",
      options: { ipVersion: 5 },
    })
    expect(ip.errors).toEqual([
      { field: "options.ipVersion", message: 'Expected 4 | 6 | "auto", actual 5' },
    ])
  })

  it("an operation timeout out of range says the range", () => {
    expect(
      problemOf(CreateOperation, { type: "ping", target: "127.0.0.1", timeout: 0 }).errors,
    ).toEqual([{ field: "timeout", message: "must be from 1 to 3600 seconds" }])
  })

  it("an optional field's real issue is not followed by `Expected undefined`", () => {
    expect(problemOf(ListQuery, { limit: "0" }).errors).toEqual([
      { field: "limit", message: "Expected a number between 1 and 500, actual 0" },
    ])
    expect(problemOf(CreateOperation, { type: "ping", target: "x", queues: [] }).errors).toEqual([
      { field: "queues", message: "Expected an array of at least 1 item(s), actual []" },
    ])
  })

  it("a value nested past 32 levels is refused, naming its top-level field (it overflowed the stack)", () => {
    const nest = (depth: number): unknown => JSON.parse("[".repeat(depth) + "]".repeat(depth))
    // the body is the first level: 32 arrays in it make 33
    for (const depth of [32, 5_000, 100_000])
      expect(
        problemOf(CreateOperation, { type: "ping", target: "127.0.0.1", options: nest(depth) }),
      ).toEqual({
        detail: "options: is nested deeper than 32 levels",
        field: "options",
        errors: [{ field: "options", message: "is nested deeper than 32 levels" }],
      })
    expect(problemOf(CreateOperation, { type: "ping", target: nest(5_000) }).field).toBe("target")
    // at the limit, the schema's own issue
    expect(
      problemOf(CreateOperation, { type: "ping", target: "127.0.0.1", options: nest(31) }).detail,
    ).toMatch(/^options: Expected PingOptions, actual \[\[/)
  })

  it("a long refused value or key is quoted cut, saying its length (it was echoed whole, twice)", () => {
    const long = "a".repeat(900_000)
    const target = problemOf(CreateOperation, { type: "ping", target: long })
    expect(target.field).toBe("target")
    expect(target.detail).toMatch(
      /^target: Expected IP address or host name.*, actual "a+… \(\d+ characters\)$/s,
    )
    expect(target.detail.length).toBeLessThan(400)
    const key = problemOf(CreateOperation, { type: "ping", target: "127.0.0.1", [long]: 1 })
    expect(key.field).toBe(`${"a".repeat(256)}… (900000 characters)`)
    expect(JSON.stringify(key).length).toBeLessThan(2_000)
    // short ones stay whole
    expect(problemOf(ListQuery, { limit: "0" }).detail).toBe(
      "limit: Expected a number between 1 and 500, actual 0",
    )
  })

  it("query text PostgreSQL cannot take is refused, naming the field", () => {
    // a NUL in target, a date JavaScript reads but PostgreSQL's timestamps do not: once a 503
    expect(problemOf(ListQuery, { target: "a\u0000b" })).toMatchObject({
      field: "target",
      detail: "target: must not contain control characters",
    })
    for (const since of ["99999", "+275760-09-13T00:00:00Z", "-271821-04-20T00:00:00Z"])
      expect(problemOf(ListQuery, { since })).toMatchObject({
        field: "since",
        detail: "since: must be a date-time from year 1 to 9999 (ISO 8601)",
      })
    expect(new SchemaPipe(ListQuery).transform({ since: "2026-01-01T00:00:00Z" })).toEqual({
      since: new Date("2026-01-01T00:00:00Z"),
    })
  })
})
