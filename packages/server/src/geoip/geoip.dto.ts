/**
 * Request and response schemas of the GeoIP route.
 *
 * @module
 */
import type { GeoIp } from "@netwark/tools"
import { Schema } from "effect"

/** An IPv4 or IPv6 address (a zone id is dropped). */
export const Ip = Schema.String.pipe(
  Schema.minLength(1, { message: () => "an IP address is required" }),
  Schema.maxLength(100, { message: () => "an IP address is at most 100 characters" }),
).annotations({ description: "IPv4 or IPv6 address", examples: ["81.2.69.160"] })

const Country = Schema.Struct({
  isoCode: Schema.optional(Schema.String),
  name: Schema.optional(Schema.String),
  geonameId: Schema.optional(Schema.Number),
  isInEuropeanUnion: Schema.optional(Schema.Boolean),
})

const Named = Schema.Struct({
  isoCode: Schema.optional(Schema.String),
  code: Schema.optional(Schema.String),
  name: Schema.optional(Schema.String),
  geonameId: Schema.optional(Schema.Number),
})

/** A normalized GeoIP record (`GeoIp.GeoIpRecord`). */
export const Record = Schema.Struct({
  ip: Schema.String,
  network: Schema.String.annotations({ description: "The database network holding the address" }),
  prefixLength: Schema.Int,
  country: Schema.optional(Country),
  registeredCountry: Schema.optional(Country),
  continent: Schema.optional(Named),
  subdivisions: Schema.Array(Named),
  city: Schema.optional(Named),
  postalCode: Schema.optional(Schema.String),
  location: Schema.optional(
    Schema.Struct({
      latitude: Schema.optional(Schema.Number),
      longitude: Schema.optional(Schema.Number),
      accuracyRadius: Schema.optional(Schema.Number.annotations({ description: "Kilometres" })),
      timeZone: Schema.optional(Schema.String),
      metroCode: Schema.optional(Schema.Number),
    }),
  ),
  asn: Schema.optional(
    Schema.Struct({
      number: Schema.Int,
      organization: Schema.optional(Schema.String),
      network: Schema.String,
    }),
  ),
  raw: Schema.Struct({
    city: Schema.optional(Schema.Unknown),
    asn: Schema.optional(Schema.Unknown),
  }).annotations({ description: "The records exactly as the MaxMind databases hold them" }),
}).annotations({ identifier: "GeoIpRecord" })

// Compile-time guard: the library's type must fit the documented schema.
const _record: (r: GeoIp.GeoIpRecord) => typeof Record.Type = (r) => r
void _record
