import { Either } from "effect"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as Envelope from "../src/Envelope.js"

/** Each decoder, reduced to what the tests look at: refused (and why) or accepted. */
const outcome =
  <A>(decode: (bytes: Uint8Array) => Either.Either<A, Envelope.DecodeFailure>) =>
  (bytes: Uint8Array): string | undefined =>
    Either.match(decode(bytes), { onLeft: (f) => f.reason, onRight: () => undefined })

const decoders = {
  job: outcome(Envelope.decodeJob),
  reply: outcome(Envelope.decodeReply),
  presence: outcome(Envelope.decodePresence),
}

/** JSON whose objects may carry keys that shadow Object.prototype's conversions. */
const hostile = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.jsonValue({ maxDepth: 1 }),
    fc.dictionary(
      fc.oneof(
        fc.constantFrom("v", "kind", "type", "status", "mode", "toString", "valueOf", "toJSON"),
        fc.string(),
      ),
      tie("value"),
      { maxKeys: 6 },
    ),
  ),
}))

describe("Envelope decoders are total", () => {
  it("refuse a discriminator String() cannot convert instead of throwing", () => {
    for (const [kind, decode] of Object.entries(decoders))
      for (const text of [
        '{"v":1,"kind":{"toString":1}}',
        '{"v":{"toString":1},"kind":"result"}',
        '{"kind":"job","type":{"valueOf":{},"toString":[]}}',
      ]) {
        // refused, not thrown: Malformed, or UnknownVersion for the version that is an object
        expect(["Malformed", "UnknownVersion"], `${kind}: ${text}`).toContain(
          decode(Buffer.from(text)),
        )
      }
  })

  it("never throw on any JSON", () => {
    fc.assert(
      fc.property(hostile.value, fc.constantFrom(...Object.values(decoders)), (value, decode) => {
        const bytes = Buffer.from(JSON.stringify(value) ?? "null")
        expect(() => decode(bytes)).not.toThrow()
      }),
      { numRuns: 3000 },
    )
  })
})
