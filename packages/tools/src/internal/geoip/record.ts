/**
 * Turns raw GeoIP2/GeoLite2 records into Netwark's flat shape. Raw records are untrusted JSON-ish
 * values, so every field is read defensively: a missing or oddly typed field is left out.
 */

/** A country as the databases give it. */
export interface Country {
  readonly isoCode?: string
  readonly name?: string
  readonly geonameId?: number
  readonly isInEuropeanUnion?: boolean
}

/** A continent (two-letter code such as `EU`). */
export interface Continent {
  readonly code?: string
  readonly name?: string
  readonly geonameId?: number
}

/** A first- or second-level subdivision (region, state). */
export interface Subdivision {
  readonly isoCode?: string
  readonly name?: string
  readonly geonameId?: number
}

/** A city. */
export interface City {
  readonly name?: string
  readonly geonameId?: number
}

/** Where the address is, roughly. `accuracyRadius` is in kilometres. */
export interface Location {
  readonly latitude?: number
  readonly longitude?: number
  readonly accuracyRadius?: number
  readonly timeZone?: string
  readonly metroCode?: number
}

/** The autonomous system announcing the address. */
export interface Asn {
  readonly number: number
  readonly organization?: string
  /** The ASN database's network for the address. */
  readonly network: string
}

/** The location part of a lookup, from a City or Country database. */
export interface Place {
  readonly country?: Country
  readonly registeredCountry?: Country
  readonly continent?: Continent
  readonly subdivisions: ReadonlyArray<Subdivision>
  readonly city?: City
  readonly postalCode?: string
}

const obj = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === "object" && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined)
const num = (v: unknown): number | undefined =>
  typeof v === "number" && Number.isFinite(v) ? v : undefined
const bool = (v: unknown): boolean | undefined => (typeof v === "boolean" ? v : undefined)

/** Drops undefined fields so results compare and print cleanly under exactOptionalPropertyTypes. */
const compact = <T extends object>(o: Record<string, unknown>): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T

const englishName = (o: Record<string, unknown>): string | undefined => str(obj(o["names"])?.["en"])

const country = (v: unknown): Country | undefined => {
  const o = obj(v)
  if (o === undefined) return undefined
  return compact<Country>({
    isoCode: str(o["iso_code"]),
    name: englishName(o),
    geonameId: num(o["geoname_id"]),
    isInEuropeanUnion: bool(o["is_in_european_union"]),
  })
}

/** Reads the place fields of a City/Country/Enterprise record. */
export const place = (raw: unknown): Place => {
  const r = obj(raw) ?? {}
  const continent = obj(r["continent"])
  const city = obj(r["city"])
  const subs = Array.isArray(r["subdivisions"]) ? (r["subdivisions"] as Array<unknown>) : []
  return compact<Place>({
    country: country(r["country"]),
    registeredCountry: country(r["registered_country"]),
    continent:
      continent &&
      compact<Continent>({
        code: str(continent["code"]),
        name: englishName(continent),
        geonameId: num(continent["geoname_id"]),
      }),
    subdivisions: subs.flatMap((s) => {
      const o = obj(s)
      return o === undefined
        ? []
        : [
            compact<Subdivision>({
              isoCode: str(o["iso_code"]),
              name: englishName(o),
              geonameId: num(o["geoname_id"]),
            }),
          ]
    }),
    city: city && compact<City>({ name: englishName(city), geonameId: num(city["geoname_id"]) }),
    postalCode: str(obj(r["postal"])?.["code"]),
  })
}

/** Reads the location block of a City record. */
export const location = (raw: unknown): Location | undefined => {
  const l = obj(obj(raw)?.["location"])
  return (
    l &&
    compact<Location>({
      latitude: num(l["latitude"]),
      longitude: num(l["longitude"]),
      accuracyRadius: num(l["accuracy_radius"]),
      timeZone: str(l["time_zone"]),
      metroCode: num(l["metro_code"]),
    })
  )
}

/** Reads an ASN/ISP record (or a City record's traits, as Enterprise databases carry the ASN there). */
export const asn = (raw: unknown, network: string): Asn | undefined => {
  const r = obj(raw)
  const source = r !== undefined && "autonomous_system_number" in r ? r : obj(r?.["traits"])
  const n = num(source?.["autonomous_system_number"])
  if (n === undefined) return undefined
  return compact<Asn>({
    number: n,
    organization: str(source?.["autonomous_system_organization"]),
    network,
  })
}
