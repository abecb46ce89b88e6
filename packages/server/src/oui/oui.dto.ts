/**
 * Request and response schemas of the MAC OUI routes.
 *
 * @module
 */
import type { Oui } from "@netwark/tools"
import { Schema } from "effect"

/** A MAC address or a prefix of at least 6 hex digits, in any common spelling. */
export const Mac = Schema.String.pipe(
  Schema.minLength(1, { message: () => "a MAC address is required" }),
  Schema.maxLength(64, { message: () => "a MAC address is at most 64 characters" }),
).annotations({ description: "MAC address or prefix: 00:1A:2B:3C:4D:5E, 001a.2b3c.4d5e, 001A2B" })

const IntFromString = (min: number, max: number, what: string) =>
  Schema.NumberFromString.pipe(
    // a whole number past max fails int() too (Number.isSafeInteger): say the range there as well
    Schema.int({ message: () => `${what} must be a whole number from ${min} to ${max}` }),
    Schema.between(min, max, { message: () => `${what} must be from ${min} to ${max}` }),
  )

/** Query of `GET /mac-oui`. */
export const SearchQuery = Schema.Struct({
  search: Schema.String.pipe(
    Schema.maxLength(200, { message: () => "search is at most 200 characters" }),
    Schema.filter((s) => s.trim() !== "" || "search must not be empty"),
  ),
  offset: Schema.optional(IntFromString(0, Number.MAX_SAFE_INTEGER, "offset")),
  limit: Schema.optional(IntFromString(1, 10_000, "limit")),
})
/** Query of `GET /mac-oui`. */
export type SearchQuery = typeof SearchQuery.Type

/** One IEEE assignment. */
export const Assignment = Schema.Struct({
  registry: Schema.Literal("MA-L", "MA-M", "MA-S"),
  prefix: Schema.String.annotations({ description: "6, 7 or 9 uppercase hex digits" }),
  bits: Schema.Literal(24, 28, 36),
  organization: Schema.String,
  address: Schema.String,
}).annotations({ identifier: "OuiAssignment" })

/** One page of organization search results. */
export const Page = Schema.Struct({
  query: Schema.String,
  total: Schema.Int,
  offset: Schema.Int,
  limit: Schema.Int,
  items: Schema.Array(Assignment),
}).annotations({ identifier: "OuiPage" })

/** The answer to a MAC lookup (`vendor` is null for unassigned and locally administered MACs). */
export const Match = Schema.Struct({
  input: Schema.String,
  mac: Schema.String.annotations({ description: "Lowercase colon form" }),
  bits: Schema.Int,
  locallyAdministered: Schema.Boolean,
  multicast: Schema.Boolean,
  vendor: Schema.NullOr(Assignment),
  note: Schema.optional(Schema.String),
}).annotations({ identifier: "OuiMatch" })

// Compile-time guard: the library's types must fit the documented schemas.
const _match: (m: Oui.MatchJson) => typeof Match.Type = (m) => m
const _page: (p: Oui.Page) => typeof Page.Type = (p) => p
void _match
void _page
