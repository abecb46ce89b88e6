/** WHOIS parsers for IP networks and autonomous systems (ARIN, RPSL registries, LACNIC, IRRs). */
import { formatAddr, parseAddr, parseCidr, rangeToCidrs, reverseOf } from "./ip.js"
import type { AbuseContact, AsnRecord, IpRecord, Parsed, Rir } from "./record.js"
import { readable } from "./text.js"

/** One RPSL-style object: its lines as lower-cased key and value, in order. */
type RpslObject = ReadonlyArray<readonly [string, string]>

/** Splits a response into objects at blank lines, dropping `%`/`#` comments. */
export const objects = (raw: string): Array<RpslObject> => {
  const out: Array<RpslObject> = []
  // a value's parts, joined once its object ends: appending each continuation line to a string
  // and trimming it copied the value every time (20,000 such lines: 1.3 s)
  let cur: Array<readonly [string, Array<string>]> = []
  const end = () => {
    if (cur.length > 0)
      out.push(cur.map(([key, parts]) => [key, parts.filter((p) => p !== "").join(" ")] as const))
    cur = []
  }
  for (const line of raw.replace(/\r\n?/g, "\n").split("\n")) {
    if (line.trim() === "") {
      end()
      continue
    }
    if (/^\s*[%#]/.test(line)) continue
    const m = /^([A-Za-z][\w-]*):\s*(.*)$/.exec(line)
    if (m !== null) cur.push([(m[1] ?? "").toLowerCase(), [(m[2] ?? "").trim()]])
    else if (/^\s+\S/.test(line) && cur.length > 0) cur[cur.length - 1]?.[1].push(line.trim())
  }
  end()
  return out
}

const get = (o: RpslObject | undefined, key: string): string | undefined => {
  const v = o?.find(([k, val]) => k === key && val !== "")?.[1]
  // `(?<!\s)`: tried from the start of a blank run only, as in `normalizeDate`
  return v === undefined ? undefined : v.replace(/(?<!\s)\s+#.*$/, "").trim()
}

const findObject = (
  objs: ReadonlyArray<RpslObject>,
  key: string,
  last = false,
): RpslObject | undefined => {
  const hits = objs.filter((o) => o.some(([k]) => k === key))
  return last ? hits[hits.length - 1] : hits[0]
}

const RIR_SOURCES: Record<string, Rir> = {
  ripe: "ripe",
  "ripe-nonauth": "ripe",
  apnic: "apnic",
  afrinic: "afrinic",
  lacnic: "lacnic",
  arin: "arin",
}

/** Which RIR printed this text, from `source:` lines, ARIN's field names or LACNIC's banner. */
export const detectRir = (raw: string): Rir | undefined => {
  const src = /^source:\s*([A-Za-z-]+)/im.exec(raw)?.[1]?.toLowerCase()
  // An IRR (RADB, NTTCOM…) is not a registry: its route objects say nothing about the RIR.
  if (src !== undefined) return RIR_SOURCES[src]
  if (
    /^(?:NetRange|ASNumber|OrgName|NetHandle):/m.test(raw) ||
    /whois\.arin\.net|ARIN WHOIS/i.test(raw)
  )
    return "arin"
  if (/lacnic/i.test(raw) || /^ownerid:/m.test(raw)) return "lacnic"
  if (/afrinic/i.test(raw)) return "afrinic"
  if (/apnic/i.test(raw)) return "apnic"
  if (/ripe/i.test(raw)) return "ripe"
  return undefined
}

// `(?<![\w.+-])`: tried from the start of a word only (where the leftmost match starts anyway);
// from every place in a long word, the work grew with its square
const EMAIL = /(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+/

const abuseOf = (
  raw: string,
  objs: ReadonlyArray<RpslObject>,
  net: RpslObject | undefined,
): AbuseContact => {
  // RIPE and AFRINIC print the resolved abuse address as a comment.
  const comment = /^%\s*Abuse contact for .* is '([^']+)'/im.exec(raw)?.[1]
  const arinEmail = /^OrgAbuseEmail:\s*(\S+)/im.exec(raw)?.[1]
  // the line's rest, trimmed: `(.+?)\s*$` tried the blank run's end at every character
  const arinPhone = /^OrgAbusePhone:(.*)$/im.exec(raw)?.[1]?.trim() || undefined
  if (arinEmail !== undefined || arinPhone !== undefined)
    return { email: arinEmail, phone: arinPhone }
  const mailbox = objs.map((o) => get(o, "abuse-mailbox")).find((v) => v !== undefined)
  let email = comment ?? mailbox
  let phone: string | undefined
  const abuseC = get(net, "abuse-c")
  if (abuseC !== undefined) {
    const holder = objs.find((o) => get(o, "nic-hdl") === abuseC || get(o, "nic-hdl-br") === abuseC)
    email ??= get(holder, "abuse-mailbox") ?? get(holder, "e-mail")
    phone = get(holder, "phone")
  }
  // the first address after the first "abuse" (a lazy `[^@]*?` before it took the square of the
  // remark's length)
  const remarks = get(net, "remarks") ?? ""
  const after = remarks.search(/abuse/i)
  email ??= after < 0 ? undefined : remarks.slice(after).match(EMAIL)?.[0]
  email ??= objs
    .flatMap((o) => o.filter(([k]) => k === "remarks").map(([, v]) => v))
    .find((v) => /abuse/i.test(v) && EMAIL.test(v))
    ?.match(EMAIL)?.[0]
  return { email, phone }
}

const rangeOf = (
  value: string,
): { start: string; end: string; cidrs: Array<string> } | undefined => {
  const dash = /^(\S+)\s*-\s*(\S+)$/.exec(value.trim())
  if (dash !== null) {
    const a = parseAddr(dash[1] ?? "")
    const b = parseAddr(dash[2] ?? "")
    if (a === undefined || b === undefined) return undefined
    return { start: formatAddr(a), end: formatAddr(b), cidrs: rangeToCidrs(a, b) }
  }
  const c = parseCidr(value.trim())
  if (c === undefined) return undefined
  return {
    start: formatAddr(c.start),
    end: formatAddr(c.end),
    cidrs: [`${formatAddr(c.start)}/${c.prefix}`],
  }
}

/** Parses an IP WHOIS response; `query` (the address asked about) fills `reverseName`. Total. */
const parseIpText = (raw: string, query?: string): Parsed<IpRecord> => {
  const objs = objects(raw)
  const rir = detectRir(raw)
  const addr = query === undefined ? undefined : parseAddr(query.replace(/\/\d+$/, ""))
  const reverseName = addr === undefined ? undefined : reverseOf(addr)
  // ARIN lists nets from widest to narrowest; RPSL registries return the best match first.
  const arinNet = findObject(objs, "netrange", true)
  if (arinNet !== undefined) {
    const range = rangeOf(get(arinNet, "netrange") ?? "")
    const cidrText = get(arinNet, "cidr")
    const cidrs =
      cidrText
        ?.split(",")
        .map((c) => c.trim())
        .filter((c) => parseCidr(c) !== undefined) ??
      range?.cidrs ??
      []
    const org =
      get(arinNet, "organization") ??
      get(findObject(objs, "orgname"), "orgname") ??
      get(arinNet, "customer")
    const origin = get(arinNet, "originas")?.match(/AS(\d+)/i)?.[1]
    const record: IpRecord = {
      kind: "ip",
      range: range === undefined ? undefined : { start: range.start, end: range.end },
      cidrs,
      netName: get(arinNet, "netname"),
      handle: get(arinNet, "nethandle"),
      organization: org?.replace(/(?<!\s)\s*\([A-Z0-9-]+\)\s*$/, ""),
      country:
        get(arinNet, "country") ?? objs.map((o) => get(o, "country")).find((v) => v !== undefined),
      rir: "arin",
      abuse: abuseOf(raw, objs, arinNet),
      parent: get(arinNet, "parent")?.match(/\(([^)]+)\)/)?.[1] ?? get(arinNet, "parent"),
      reverseName,
      asn: origin === undefined ? undefined : Number(origin),
    }
    return { raw, status: "ok", record }
  }
  const net = findObject(objs, "inetnum") ?? findObject(objs, "inet6num")
  if (net === undefined) {
    const notFound = /no match|not found|no entries|0 objects/i.test(raw)
    return {
      raw,
      status: raw.trim() === "" ? "empty" : notFound ? "notFound" : "partial",
      record: { kind: "ip", cidrs: [], rir, abuse: {}, reverseName },
    }
  }
  const rangeText = get(net, "inetnum") ?? get(net, "inet6num") ?? ""
  const range = rangeOf(rangeText)
  const orgHandle = get(net, "org")
  const orgObj = objs.find((o) => get(o, "organisation") === orgHandle && orgHandle !== undefined)
  const originRaw = get(net, "aut-num") ?? get(findObject(objs, "origin"), "origin")
  const origin = originRaw?.match(/(?:AS)?(\d+)/i)?.[1]
  const record: IpRecord = {
    kind: "ip",
    range: range === undefined ? undefined : { start: range.start, end: range.end },
    cidrs: range?.cidrs ?? [],
    netName: get(net, "netname"),
    handle: rir === "lacnic" ? get(net, "inetnum") : rangeText,
    organization: get(orgObj, "org-name") ?? get(net, "owner") ?? get(net, "descr"),
    country: get(net, "country")?.toUpperCase(),
    rir,
    abuse: abuseOf(raw, objs, net),
    parent: get(net, "parent"),
    reverseName,
    asn: origin === undefined ? undefined : Number(origin),
  }
  return { raw, status: "ok", record }
}

/** Parses an ASN WHOIS response (ARIN, RPSL `aut-num`, LACNIC, or IRR route dumps). Total. */
const parseAsnText = (raw: string, query?: number): Parsed<AsnRecord> => {
  const objs = objects(raw)
  const rir = detectRir(raw)
  const routes: Array<string> = []
  for (const o of objs) {
    const r = get(o, "route") ?? get(o, "route6")
    const origin = get(o, "origin")?.match(/AS(\d+)/i)?.[1]
    if (r !== undefined && (query === undefined || Number(origin) === query) && !routes.includes(r))
      routes.push(r)
  }
  const arin = findObject(objs, "asnumber")
  if (arin !== undefined) {
    const n = get(arin, "asnumber")?.match(/^(\d+)/)?.[1]
    const org = get(arin, "organization") ?? get(findObject(objs, "orgname"), "orgname")
    return {
      raw,
      status: "ok",
      record: {
        kind: "asn",
        asn: n === undefined ? query : Number(n),
        name: get(arin, "asname"),
        organization: org?.replace(/(?<!\s)\s*\([A-Z0-9-]+\)\s*$/, ""),
        country: objs.map((o) => get(o, "country")).find((v) => v !== undefined),
        rir: "arin",
        routes,
      },
    }
  }
  const aut = findObject(objs, "aut-num")
  if (aut === undefined) {
    const originAs =
      routes.length > 0
        ? (query ?? Number(get(findObject(objs, "origin"), "origin")?.replace(/^AS/i, "")))
        : undefined
    const notFound = routes.length === 0 && /no match|not found|no entries|0 objects/i.test(raw)
    return {
      raw,
      status:
        raw.trim() === "" ? "empty" : notFound ? "notFound" : routes.length > 0 ? "ok" : "partial",
      record: {
        kind: "asn",
        asn: originAs !== undefined && Number.isFinite(originAs) ? originAs : query,
        name: undefined,
        organization: get(findObject(objs, "route") ?? findObject(objs, "route6"), "descr"),
        rir,
        routes,
      },
    }
  }
  const n = get(aut, "aut-num")?.match(/(\d+)/)?.[1]
  const orgHandle = get(aut, "org")
  const orgObj = objs.find((o) => orgHandle !== undefined && get(o, "organisation") === orgHandle)
  return {
    raw,
    status: "ok",
    record: {
      kind: "asn",
      asn: n === undefined ? query : Number(n),
      name: get(aut, "as-name"),
      organization: get(orgObj, "org-name") ?? get(aut, "owner") ?? get(aut, "descr"),
      country: (get(aut, "country") ?? get(orgObj, "country"))?.toUpperCase(),
      rir,
      routes,
    },
  }
}

/** The reverse-DNS name of an IPv4/IPv6 literal, `undefined` for anything else. */
export const reverseNameOf = (ip: string): string | undefined => {
  const a = parseAddr(ip)
  return a === undefined ? undefined : reverseOf(a)
}

/** Parses a WHOIS answer about an IP network (pure, total), its lines cut as `readable` cuts them. */
export const parseIp = (answer: string, query?: string): Parsed<IpRecord> => ({
  ...parseIpText(readable(answer), query),
  raw: answer,
})

/** Parses a WHOIS answer about an AS number (pure, total), its lines cut as `readable` cuts them. */
export const parseAsn = (answer: string, query?: number): Parsed<AsnRecord> => ({
  ...parseAsnText(readable(answer), query),
  raw: answer,
})
