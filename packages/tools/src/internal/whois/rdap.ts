/** RDAP JSON (RFC 9083) → normalized records. Pure and total: odd JSON yields empty fields. */
import { normalizeDate } from "./dates.js"
import { formatAddr, parseAddr, parseCidr, rangeToCidrs, reverseOf } from "./ip.js"
import type {
  AbuseContact,
  AsnRecord,
  DomainRecord,
  IpRecord,
  Parsed,
  Rir,
  WhoisRecord,
} from "./record.js"
import { detectRir } from "./network.js"

type Json = Record<string, unknown>

const obj = (v: unknown): Json | undefined =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Json) : undefined
const arr = (v: unknown): Array<unknown> => (Array.isArray(v) ? v : [])
const str = (v: unknown): string | undefined =>
  typeof v === "string" && v.trim() !== "" ? v.trim() : undefined

interface Entity {
  readonly roles: ReadonlyArray<string>
  readonly json: Json
}

// Entities nest (an abuse contact inside the registrar): flatten them, keeping roles.
const entitiesOf = (j: Json | undefined): Array<Entity> => {
  const out: Array<Entity> = []
  const walk = (list: Array<unknown>, depth: number) => {
    if (depth > 4) return
    for (const e of list) {
      const o = obj(e)
      if (o === undefined) continue
      out.push({ roles: arr(o.roles).filter((r): r is string => typeof r === "string"), json: o })
      walk(arr(o.entities), depth + 1)
    }
  }
  walk(arr(j?.entities), 0)
  return out
}

/** A vCard property's value (`fn`, `org`, `email`, `tel`), from jCard `["vcard", [...]]`. */
const vcard = (e: Json | undefined, prop: string): string | undefined => {
  const props = arr(arr(e?.vcardArray)[1])
  for (const p of props) {
    const a = arr(p)
    if (a[0] !== prop) continue
    const v = a[3]
    if (typeof v === "string" && v.trim() !== "")
      return v
        .trim()
        .replace(/^tel:/i, "")
        .replace(/^mailto:/i, "")
    if (Array.isArray(v)) {
      const joined = v.filter((x) => typeof x === "string" && x !== "").join(" ")
      if (joined !== "") return joined
    }
  }
  return undefined
}

// The country of an `adr` property: its `cc` parameter or the last address component.
const vcardCountry = (e: Json | undefined): string | undefined => {
  for (const p of arr(arr(e?.vcardArray)[1])) {
    const a = arr(p)
    if (a[0] !== "adr") continue
    const cc = str(obj(a[1])?.cc)
    if (cc !== undefined) return cc.toUpperCase()
    const parts = arr(a[3])
    const last = str(parts[parts.length - 1])
    if (last !== undefined && /^[A-Za-z]{2}$/.test(last)) return last.toUpperCase()
  }
  return undefined
}

const withRole = (list: ReadonlyArray<Entity>, role: string): Entity | undefined =>
  list.find((e) => e.roles.includes(role))

const abuseOf = (list: ReadonlyArray<Entity>): AbuseContact => {
  const a = withRole(list, "abuse")?.json
  return { email: vcard(a, "email"), phone: vcard(a, "tel") }
}

const eventDate = (j: Json, action: string): string | undefined => {
  for (const e of arr(j.events)) {
    const o = obj(e)
    if (o?.eventAction === action) {
      const d = str(o.eventDate)
      if (d !== undefined) return normalizeDate(d)
    }
  }
  return undefined
}

const rirOf = (j: Json): Rir | undefined => {
  const port43 = str(j.port43)
  if (port43 !== undefined) {
    const r = detectRir(`whois ${port43}`)
    if (r !== undefined) return r
  }
  const self = arr(j.links)
    .map((l) => str(obj(l)?.href) ?? "")
    .join(" ")
  const m = /(arin|ripe|apnic|afrinic|lacnic)\.net/i.exec(self)
  return m === null ? undefined : (m[1]?.toLowerCase() as Rir)
}

const isError = (j: Json | undefined): boolean => j === undefined || typeof j.errorCode === "number"

/** Normalizes an RDAP domain object. */
export const rdapDomain = (json: unknown): Parsed<DomainRecord> => {
  const j = obj(json)
  const raw = JSON.stringify(json ?? null)
  const ents = entitiesOf(j)
  const registrar = withRole(ents, "registrar")?.json
  const registrant = withRole(ents, "registrant")?.json
  const nameServers: Array<string> = []
  for (const ns of arr(j?.nameservers)) {
    const n = str(obj(ns)?.ldhName)?.toLowerCase().replace(/\.$/, "")
    if (n !== undefined && !nameServers.includes(n)) nameServers.push(n)
  }
  const signed = obj(j?.secureDNS)?.delegationSigned
  const notFound = isError(j) && (j?.errorCode === 404 || j === undefined)
  const record: DomainRecord = {
    kind: "domain",
    domain: (str(j?.ldhName) ?? str(j?.unicodeName))?.toLowerCase(),
    available: j !== undefined && j.errorCode === 404,
    registrar: vcard(registrar, "fn") ?? vcard(registrar, "org"),
    whoisServer: str(j?.port43),
    created: j === undefined ? undefined : eventDate(j, "registration"),
    updated: j === undefined ? undefined : eventDate(j, "last changed"),
    expires: j === undefined ? undefined : eventDate(j, "expiration"),
    status: arr(j?.status).filter((s): s is string => typeof s === "string"),
    nameServers,
    dnssec: signed === true ? "signed" : signed === false ? "unsigned" : undefined,
    abuse: abuseOf(ents),
    registrant: {
      organization: vcard(registrant, "org") ?? vcard(registrant, "fn"),
      country: vcardCountry(registrant),
    },
  }
  return { raw, status: notFound ? "notFound" : isError(j) ? "partial" : "ok", record }
}

// RDAP servers print `074.125.000.000` or `62.239.237.0/32`: strip zero padding and host prefixes.
const cleanAddr = (v: unknown): ReturnType<typeof parseAddr> => {
  const s = str(v)?.replace(/\/\d+$/, "")
  if (s === undefined) return undefined
  return parseAddr(
    s.includes(":")
      ? s
      : s
          .split(".")
          .map((o) => String(Number(o)))
          .join("."),
  )
}

/** Normalizes an RDAP IP network object; `query` fills `reverseName`. */
export const rdapIp = (json: unknown, query?: string): Parsed<IpRecord> => {
  const j = obj(json)
  const raw = JSON.stringify(json ?? null)
  const ents = entitiesOf(j)
  const start = cleanAddr(j?.startAddress)
  const end = cleanAddr(j?.endAddress)
  const cidr0 = arr(j?.cidr0_cidrs)
    .map((c) => {
      const o = obj(c)
      const p = str(o?.v4prefix) ?? str(o?.v6prefix)
      return p === undefined ? undefined : `${p}/${String(o?.length)}`
    })
    .filter((c): c is string => c !== undefined && parseCidr(c) !== undefined)
  const registrant = withRole(ents, "registrant")?.json
  const q = query === undefined ? undefined : parseAddr(query)
  const record: IpRecord = {
    kind: "ip",
    range:
      start !== undefined && end !== undefined
        ? { start: formatAddr(start), end: formatAddr(end) }
        : undefined,
    cidrs:
      cidr0.length > 0
        ? cidr0
        : start !== undefined && end !== undefined
          ? rangeToCidrs(start, end)
          : [],
    netName: str(j?.name),
    handle: str(j?.handle),
    organization: vcard(registrant, "org") ?? vcard(registrant, "fn"),
    country: str(j?.country)?.toUpperCase() ?? vcardCountry(registrant),
    rir: j === undefined ? undefined : rirOf(j),
    abuse: abuseOf(ents),
    parent: str(j?.parentHandle),
    reverseName: q === undefined ? undefined : reverseOf(q),
  }
  return {
    raw,
    status: isError(j) ? (j?.errorCode === 404 ? "notFound" : "partial") : "ok",
    record,
  }
}

/** Normalizes an RDAP autnum object. */
export const rdapAsn = (json: unknown): Parsed<AsnRecord> => {
  const j = obj(json)
  const raw = JSON.stringify(json ?? null)
  const ents = entitiesOf(j)
  const registrant = withRole(ents, "registrant")?.json
  const n = j?.startAutnum
  const record: AsnRecord = {
    kind: "asn",
    asn: typeof n === "number" ? n : undefined,
    name: str(j?.name),
    organization: vcard(registrant, "org") ?? vcard(registrant, "fn"),
    country: str(j?.country)?.toUpperCase() ?? vcardCountry(registrant),
    rir: j === undefined ? undefined : rirOf(j),
    routes: [],
  }
  return {
    raw,
    status: isError(j) ? (j?.errorCode === 404 ? "notFound" : "partial") : "ok",
    record,
  }
}

/** How deep an RDAP answer is read: real ones nest under ten levels. */
const maxDepth = 64

const nestsWithin = (value: unknown, depth: number): boolean => {
  if (typeof value !== "object" || value === null) return true
  if (depth >= maxDepth) return false
  for (const inner of Object.values(value)) if (!nestsWithin(inner, depth + 1)) return false
  return true
}

const prune = (value: unknown, depth: number): unknown => {
  if (typeof value !== "object" || value === null) return value
  if (depth >= maxDepth) return null
  if (Array.isArray(value)) return value.map((v) => prune(v, depth + 1))
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, prune(v, depth + 1)]))
}

/**
 * `json` with whatever nests past 64 levels replaced by null (itself when nothing does). A server
 * answering thousands of levels made the parse, and JSON.stringify of the answer, overflow the
 * stack.
 */
export const shallow = (json: unknown): unknown => (nestsWithin(json, 0) ? json : prune(json, 0))

/** Normalizes RDAP JSON of the given kind; `query` fills an IP record's `reverseName`. */
export const rdapRecord = (
  json: unknown,
  kind: "domain" | "ip" | "asn",
  query?: string,
): Parsed<WhoisRecord> => {
  const j = shallow(json)
  return kind === "domain" ? rdapDomain(j) : kind === "ip" ? rdapIp(j, query) : rdapAsn(j)
}
