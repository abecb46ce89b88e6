/** The WHOIS domain parser: entries → `DomainRecord`. Pure and total. */
import { normalizeDate } from "./dates.js"
import type { DomainRecord, Parsed } from "./record.js"
import { entries, normKey, readable, type Entry } from "./text.js"

const keys = (...names: ReadonlyArray<string>): ReadonlyArray<string> =>
  names.map((n) => n.split("/").map(normKey).join("/"))

const F = {
  domain: keys(
    "Domain Name",
    "Domain",
    "domainname",
    "Domain name/Domain name",
    "Nom de domaine",
    "Dominio",
    "query",
    "Domain/Domain",
  ),
  registrar: keys(
    "Registrar",
    "Registrar Name",
    "Sponsoring Registrar",
    "Registrar Organization",
    "registrar/organization",
    "registrar/name",
    "Registrar/Registrar",
    "Registrar Organization Name",
    "Sponsoring Registrar Organization",
    "Registration Service Provider",
    "Registrar Handle",
    "registrar/organisation",
    "Registrar information/Name",
    "Registrar Information/Registrar",
    "Technical contact/Organization",
    "Authorized Agency",
  ),
  whoisServer: keys("Registrar WHOIS Server", "Whois Server", "WHOIS", "Registrar Whois"),
  created: keys(
    "Creation Date",
    "Created",
    "Created On",
    "Created Date",
    "Registered On",
    "Registered",
    "Registration Date",
    "Domain Registration Date",
    "Registration Time",
    "Domain record activated",
    "Record Created",
    "Domain Create Date",
    "Created date",
    "Registered date",
    "Fecha de registro",
    "Fecha de Creacion",
    "Data de registo",
    "Activated",
    "Creation date",
    "Relevant dates/Registered on",
    "Registration",
    "Domain Name Commencement Date",
    "Entry created",
    "First registration date",
    "Date de création",
    "Registered Date",
    "Domain created",
    "Date created",
    "Created on..............",
    "Domain Registered",
    "登録年月日",
    "Registration date",
    "Created/Date",
    "Commencement Date",
    "Record created on",
    "Creation-Date",
    "Submission date",
    "Registro",
    "Date registered",
    "date_approved",
    "Domain creation date",
    "activated on",
    "domain_dateregistered",
    "Record Created",
    "Entry created",
    "Created On",
    "Registered",
    "registered date",
    "Date of registration",
    "Registration Date/Time",
  ),
  updated: keys(
    "Updated Date",
    "Last Updated",
    "Last Updated On",
    "Updated On",
    "Last Modified",
    "Changed",
    "Modified",
    "Last Update",
    "Domain Last Updated Date",
    "Domain record last updated",
    "Record Last Updated",
    "Last updated date",
    "Updated",
    "Relevant dates/Last updated",
    "Last-Update",
    "Fecha de ultima actualizacion",
    "Last Modified Date",
    "Entry updated",
    "最終更新",
    "Domain Last Updated",
    "Modified Date",
    "Record last updated on",
    "last-modified",
    "Last change",
    "Modification date",
    "Date of last change",
    "Update Date",
    "Updated date",
    "Last Update On",
    "Last Updated Date",
    "Record last updated",
    "domain_datelastmodified",
    "Record Last Modified",
    "Entry updated",
    "Updated On",
  ),
  expires: keys(
    "Registry Expiry Date",
    "Registrar Registration Expiration Date",
    "Expiration Date",
    "Expiry Date",
    "Expires",
    "Expires On",
    "Expire Date",
    "Paid-till",
    "Renewal Date",
    "Expiration Time",
    "Domain Expiration Date",
    "Record expires on",
    "Expiry",
    "Relevant dates/Expiry date",
    "Valid Until",
    "Validity",
    "Fecha de vencimiento",
    "Fecha de expiracion",
    "Expire",
    "Expired",
    "Domain Expires",
    "Expiration",
    "有効期限",
    "Date of expiry",
    "Expiration date",
    "Expires date",
    "Registered until",
    "Free-date",
    "Renewal",
    "Expire date",
    "Expiry date",
    "Expires on..............",
    "Record expires",
    "Registration Expiration Date",
    "Exp date",
    "Data de expiração",
    "date_renewal",
    "Domain expiration date",
    "expires at",
    "domain_datebilleduntil",
    "Record Expired",
    "Renewal date",
    "Renewal date",
    "Expiration-Date",
  ),
  status: keys(
    "Domain Status",
    "Status",
    "State",
    "Registration status",
    "Registration status/Registration status",
    "Domain status",
    "状態",
    "Estado",
    "Domain Status/Status",
    "Epp status",
    "Domain State",
    "EPP Status",
    "eppstatus",
  ),
  nameServers: keys(
    "Name Server",
    "Nameserver",
    "Nameservers",
    "Name Servers",
    "nserver",
    "DNS",
    "Name servers/Name servers",
    "Nameservers/Nameservers",
    "Host Name",
    "Name Server Handle",
    "Domain servers in listed order",
    "Name servers",
    "Nameservers/Name",
    "Servidor DNS",
    "Name servers/Name",
    "Hostname",
    "Server name",
    "DNS servers",
    "ネームサーバ",
    "Primary server",
    "Secondary server",
    "Name server",
    "Nserver",
    "DNS Server",
    "Name Server Hostname",
    "ns_name",
  ),
  dnssec: keys("DNSSEC", "Signing Key", "DS Record", "DNSSEC signed", "Dnssec"),
  abuseEmail: keys(
    "Registrar Abuse Contact Email",
    "Abuse Contact Email",
    "Abuse Email",
    "abuse-mailbox",
  ),
  abusePhone: keys("Registrar Abuse Contact Phone", "Abuse Contact Phone", "Abuse Phone"),
  registrantOrg: keys(
    "Registrant Organization",
    "Registrant Organisation",
    "Registrant/Registrant",
    "Registrant Name",
    "org",
    "Owner",
    "Registrant/Organization",
    "Registrant/Organisation",
    "Registrant",
    "Holder",
    "Registrant Contact/Organization",
  ),
  registrantCountry: keys(
    "Registrant Country",
    "Registrant Country Code",
    "Registrant/Country",
    "Country",
  ),
} as const

// Line-anchored patterns take spaces and tabs, not `\s`: with the `m` flag `^\s*` ran on over the
// following lines from every line start, and `^\s*%?\s*no match` split each blank run in two
// ways: 6 KB of blank lines took 195 s (a WHOIS answer is the server's to write).
const NOT_FOUND = [
  /^[ \t]*(?:%[ \t]*)?no match\b/im,
  /\bno match for\b/i,
  /^[ \t]*(?:%+[ \t]*)?(?:object |domain |domain name )?not found\.?[ \t]*$/im,
  /\bdomain (?:name )?not found\b/i,
  /\bno entries found\b/i,
  /\bno data found\b/i,
  /\bno object found\b/i,
  /\bobject does not exist\b/i,
  /\bnothing found\b/i,
  /\bno matching record/i,
  /\bnot (?:been )?registered\b/i,
  /^[ \t]*status:[ \t]*(?:free|available|not[ \t]*registered|avail|no object found)[ \t]*$/im,
  /\bis (?:available|free) for (?:registration|purchase)\b/i,
  /\bdoes not exist\b/i,
  /\bno such domain\b/i,
  /^[ \t]*no (?:information|records?) (?:available|found)/im,
  /^[ \t]*available[ \t]*$/im,
  /\bis free\b/i,
  /\bnot exist\b/i,
  /\bno se encontr/i,
  /\bno found\b/i,
  /\bnot available for registration\b|\bis available\b(?! at| from| on| in| through| via)/i,
  /\b220 available\b/i,
  /\bNO OBJECT FOUND\b/,
  /\bsin resultados\b/i,
  /\bno match\b/i,
  /\bno records matching\b/i,
  /^[ \t]*(?:domain |registration )?status:[ \t]*(?:free|available|not[ \t]*registered|avail|no object found|not found)[ \t]*$/im,
  /\bnot found\b/i,
  /\bnot known\b/i,
  /\bdo not have an entry\b/i,
  /\bno existe\b/i,
  /\breturned 0 objects\b/i,
  /\bnot registred\b/i,
  /\bno entries\b/i,
  /\bno matching\b/i,
  /\bno information\b/i,
  /\bfree[ \t]*$/im,
  /^[ \t]*no (?:such|domain|object|entry|record)/im,
  /\bno está registrado\b|\bnão encontrado\b|\bnon trouv/i,
  /\bunassigned\b|\bnot assigned\b/i,
  /not found/i,
  /no se encuentra registrado/i,
  /object_not_found/i,
]

const HOST = /^[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)+$/

const pick = (list: ReadonlyArray<Entry>, names: ReadonlyArray<string>): Array<string> => {
  const out: Array<string> = []
  for (const name of names) {
    for (const e of list) {
      const full = e.section === "" ? e.key : `${e.section}/${e.key}`
      const plainOk =
        e.key === name &&
        (e.section === "" || e.section === e.key || !CONTACT_SECTION.test(e.section))
      if ((name.includes("/") ? full === name : plainOk) && e.value !== "") {
        out.push(e.value)
      }
    }
    if (out.length > 0) return out
  }
  return out
}

// Every value of any of `names`, in document order (statuses are spread over several keys).
const all = (list: ReadonlyArray<Entry>, names: ReadonlyArray<string>): Array<string> => {
  const wanted = new Set(names)
  return list
    .filter(
      (e) =>
        e.value !== "" &&
        (wanted.has(e.key) || wanted.has(`${e.section}/${e.key}`)) &&
        !CONTACT_SECTION.test(e.section),
    )
    .map((e) => e.value)
}

const first = (list: ReadonlyArray<Entry>, names: ReadonlyArray<string>): string | undefined => {
  for (const v of pick(list, names)) {
    if (!/^(?:n\/?a|none|-|redacted.*|not disclosed|data protected.*)$/i.test(v)) return v
  }
  return undefined
}

// Dates are taken in document order: the domain object comes first, later objects (name-server
// sets, contacts) carry their own `created:` lines.
const firstDate = (
  list: ReadonlyArray<Entry>,
  names: ReadonlyArray<string>,
): string | undefined => {
  const wanted = new Set(names)
  for (const e of list) {
    const full = e.section === "" ? e.key : `${e.section}/${e.key}`
    if (!(
      wanted.has(full) ||
      (wanted.has(e.key) &&
        (e.section === "" || e.section === e.key || !DATE_SECTIONS_SKIP.test(e.section)))
    ))
      continue
    const d = normalizeDate(e.value)
    if (d !== undefined) return d
  }
  return undefined
}

const DATE_SECTIONS_SKIP =
  /registrant|admin|tech|contact|billing|holder|registrar$|nameserver|nsset|keyset/

/** Cleans a name-server value: first token, no trailing dot, lower case; `undefined` if not a host. */
export const cleanNameServer = (v: string): string | undefined => {
  const token = (v.trim().split(/[\s,[(]+/)[0] ?? "").replace(/\.$/, "").toLowerCase()
  return HOST.test(token) && token !== "not.defined" ? token : undefined
}

const splitStatus = (v: string): Array<string> => {
  const noUrl = v.replace(/\(?https?:\/\/\S+\)?/g, "").trim()
  if (noUrl === "") return []
  if (/^[A-Za-z]+(?:\s*,\s*[A-Za-z-]+)+$/.test(noUrl)) return noUrl.split(/\s*,\s*/)
  return [noUrl]
}

const cleanServer = (v: string | undefined): string | undefined => {
  if (v === undefined) return undefined
  const host = v
    .replace(/^[a-z]+:\/\//i, "")
    .replace(/\/.*$/, "")
    .trim()
    .toLowerCase()
  return /^[a-z0-9.-]+(?::\d+)?$/.test(host) && host.includes(".") ? host : undefined
}

const cleanRegistrar = (v: string | undefined): string | undefined => {
  if (v === undefined) return undefined
  // Nominet: `Markmonitor Inc. t/a Markmonitor [Tag = MARKMONITOR]`.
  // `(?<!\s)`: only from the start of a blank run (where the leftmost match starts anyway); from
  // every place in it, a long run cost its length squared
  const s = v.replace(/(?<!\s)\s*\[Tag = [^\]]*\]\s*$/i, "").trim()
  return s === "" ? undefined : s
}

const NS_KEYS = new Set(F.nameServers.filter((k) => !k.includes("/")))
const NS_SECTION = /nameserver|nserver|servers|servidor|^dns|ネームサーバ/
const CONTACT_SECTION = /registrant|admin|tech|contact|billing|holder|owner/

// Name servers come as `Name Server: x`, `Name Server 1: x`, a `Name servers:` section with one
// host a line, or `DNS: x` inside such a section (.mx).
const nameServerValues = (list: ReadonlyArray<Entry>): Array<string> => {
  const out: Array<string> = []
  for (const e of list) {
    if (e.value === "" || CONTACT_SECTION.test(e.section)) continue
    const key = e.key.replace(/\d+$/, "")
    if (NS_KEYS.has(key) || (e.key === e.section && NS_SECTION.test(e.section))) out.push(e.value)
    else if (
      NS_SECTION.test(e.section) &&
      /^(?:dns|ns|nameserver|hostname|name|host|\w*serverhostname)$/.test(key)
    )
      out.push(e.value)
  }
  return out
}

/** Whether the text says the domain is not registered. */
export const saysNotFound = (raw: string): boolean => NOT_FOUND.some((re) => re.test(raw))

/** Parses a WHOIS domain response (pure, total). */
export const parseDomain = (answer: string): Parsed<DomainRecord> => {
  const raw = readable(answer)
  const list = entries(raw)
  const nameServers: Array<string> = []
  for (const v of nameServerValues(list)) {
    for (const part of /^\S+\s+\S+\.\S+/.test(v) && !/\d+\.\d+\.\d+\.\d+|:/.test(v)
      ? v.split(/\s+/)
      : [v]) {
      const ns = cleanNameServer(part)
      if (ns !== undefined && !nameServers.includes(ns)) nameServers.push(ns)
    }
  }
  const domainValue = first(list, F.domain)
  const domain = domainValue?.split(/\s+/)[0]?.toLowerCase().replace(/\.$/, "")
  // `DNS: example.dk` names the domain itself (DK Hostmaster), not a name server.
  if (domain !== undefined) {
    const self = nameServers.indexOf(domain)
    if (self >= 0) nameServers.splice(self, 1)
  }
  const status: Array<string> = []
  for (const v of all(list, F.status))
    for (const s of splitStatus(v)) if (!status.includes(s)) status.push(s)
  const created = firstDate(list, F.created)
  const expires = firstDate(list, F.expires)
  const updated = firstDate(list, F.updated)
  const registrar = cleanRegistrar(first(list, F.registrar))
  const dnssecRaw = first(list, F.dnssec)
  const dnssec =
    dnssecRaw === undefined
      ? undefined
      : /^(?:unsigned|no|false|inactive|not signed|unsigned delegation.*|none)$/i.test(dnssecRaw)
        ? "unsigned"
        : /^(?:signed|yes|true|active|signeddelegation|signed delegation)/i.test(dnssecRaw) ||
            dnssecRaw.length > 10
          ? "signed"
          : undefined
  const available =
    saysNotFound(raw) &&
    created === undefined &&
    expires === undefined &&
    (nameServers.length === 0 || registrar === undefined)
  const record: DomainRecord = {
    kind: "domain",
    domain: domain !== undefined && /\./.test(domain) ? domain : undefined,
    available,
    registrar,
    whoisServer: cleanServer(first(list, F.whoisServer)),
    created,
    updated,
    expires,
    status,
    nameServers,
    dnssec,
    abuse: { email: first(list, F.abuseEmail), phone: first(list, F.abusePhone) },
    registrant: {
      organization: first(list, F.registrantOrg),
      country: first(list, F.registrantCountry),
    },
  }
  const status_ =
    raw.trim() === ""
      ? "empty"
      : available
        ? "notFound"
        : (created ?? expires ?? nameServers[0] ?? registrar)
          ? "ok"
          : "partial"
  return { raw: answer, status: status_, record }
}
