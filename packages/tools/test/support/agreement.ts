/**
 * Scores the WHOIS domain parser against the expected parses shipped by other parsers' test
 * suites (weppos, likexian, richardpenman, php-whois). Each field counts as agreeing or not; the
 * test asserts a floor per source and field and prints the rates.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { parseDomain } from "../../src/internal/whois/domain.js"
import type { DomainRecord } from "../../src/internal/whois/record.js"

/** The fields scored. */
export const FIELDS = [
  "available",
  "registrar",
  "created",
  "updated",
  "expires",
  "nameServers",
  "status",
  "dnssec",
] as const
/** One scored field. */
export type Field = (typeof FIELDS)[number]

/** Hits and totals per field, plus the mismatches for debugging. */
export interface Score {
  readonly hits: Record<Field, number>
  readonly total: Record<Field, number>
  readonly misses: Array<{ file: string; field: Field; expected: unknown; got: unknown }>
  /** How many fields were scored per file. */
  readonly perFile: Map<string, number>
}

const emptyScore = (): Score => ({
  hits: Object.fromEntries(FIELDS.map((f) => [f, 0])) as Record<Field, number>,
  total: Object.fromEntries(FIELDS.map((f) => [f, 0])) as Record<Field, number>,
  misses: [],
  perFile: new Map(),
})

/** Rate in percent, one decimal. */
export const rate = (s: Score, f: Field): number =>
  s.total[f] === 0 ? 100 : Math.round((1000 * s.hits[f]) / s.total[f]) / 10

/** A one-line summary `registrar 95.1% (78/82), …`. */
export const summary = (s: Score): string =>
  FIELDS.filter((f) => s.total[f] > 0)
    .map((f) => `${f} ${rate(s, f)}% (${s.hits[f]}/${s.total[f]})`)
    .join(", ")

const norm = (s: unknown): string =>
  String(s ?? "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, "")

const day = (s: unknown): string | undefined => {
  if (typeof s !== "string" || s === "") return undefined
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(s)
  return m === null ? undefined : `${m[1]}-${m[2]}-${m[3]}`
}

// Days may differ by one when the expected value was read in another zone (weppos notes this).
const sameDay = (a: string | undefined, b: string | undefined): boolean => {
  if (a === undefined || b === undefined) return a === b
  return Math.abs(Date.parse(a) - Date.parse(b)) <= 86_400_000
}

const score = (
  s: Score,
  file: string,
  field: Field,
  expected: unknown,
  got: unknown,
  ok: boolean,
): void => {
  s.total[field]++
  s.perFile.set(file, (s.perFile.get(file) ?? 0) + 1)
  if (ok) s.hits[field]++
  else s.misses.push({ file, field, expected, got })
}

const compareRegistrar = (expected: string, got: string | undefined): boolean => {
  const e = norm(expected)
  const g = norm(got)
  return g !== "" && (e === g || e.includes(g) || g.includes(e))
}

const compareNs = (expected: ReadonlyArray<string>, got: ReadonlyArray<string>): boolean => {
  const e = new Set(expected.map((n) => n.toLowerCase().replace(/\.$/, "")))
  return e.size === new Set(got).size && got.every((n) => e.has(n))
}

const compareStatus = (expected: ReadonlyArray<string>, got: ReadonlyArray<string>): boolean => {
  const g = new Set(got.map(norm))
  const e = expected.map(norm).filter((x) => x !== "")
  return (
    e.length > 0 &&
    e.every((x) => g.has(x) || [...g].some((y) => y.startsWith(x) || x.startsWith(y)))
  )
}

const dates = (
  s: Score,
  file: string,
  r: DomainRecord,
  e: Partial<Record<"created" | "updated" | "expires", unknown>>,
): void => {
  for (const f of ["created", "updated", "expires"] as const) {
    const v = e[f]
    if (v === undefined || v === null || v === "") continue
    const exp = day(Array.isArray(v) ? v[0] : v)
    if (exp === undefined) continue
    score(s, file, f, exp, r[f], sameDay(exp, day(r[f])))
  }
}

interface Assertion {
  readonly property: string
  readonly path: string
  readonly op: string
  readonly value: unknown
}

/** weppos `*.expected.json`: property/op/value assertions. */
export const scoreWeppos = (root: string): Score => {
  const s = emptyScore()
  const base = join(root, "responses")
  const files = (readdirSync(base, { recursive: true }) as Array<string>).filter((n) =>
    n.endsWith(".expected.json"),
  )
  for (const f of files) {
    const txt = join(base, f.replace(/\.expected\.json$/, ".txt"))
    if (!existsSync(txt)) continue
    const a = (JSON.parse(readFileSync(join(base, f), "utf8")) as { assertions: Array<Assertion> })
      .assertions
    const r = parseDomain(readFileSync(txt, "utf8")).record
    const id = f
    const ns: Array<string> = []
    for (const x of a) {
      if (x.property === "available?" && x.op === "eq")
        score(s, id, "available", x.value, r.available, x.value === r.available)
      if (x.path === "registrar.name" && x.op === "eq" && typeof x.value === "string")
        score(s, id, "registrar", x.value, r.registrar, compareRegistrar(x.value, r.registrar))
      if (x.op === "time" && typeof x.value === "string") {
        const field = (
          { created_on: "created", updated_on: "updated", expires_on: "expires" } as const
        )[x.property as "created_on"]
        if (field !== undefined) dates(s, id, r, { [field]: x.value })
      }
      if (x.op === "eq" && /^nameservers\[\d+\]\.name$/.test(x.path) && typeof x.value === "string")
        ns.push(x.value)
      if (
        x.property === "nameservers" &&
        x.path === "nameservers" &&
        x.op === "size" &&
        x.value === 0
      )
        score(s, id, "nameServers", [], r.nameServers, r.nameServers.length === 0)
    }
    if (ns.length > 0) score(s, id, "nameServers", ns, r.nameServers, compareNs(ns, r.nameServers))
  }
  return s
}

interface Likexian {
  readonly domain?: {
    readonly status?: ReadonlyArray<string>
    readonly name_servers?: ReadonlyArray<string>
    readonly created_date_in_time?: string
    readonly updated_date_in_time?: string
    readonly expiration_date_in_time?: string
  }
  readonly registrar?: { readonly name?: string }
}

/** likexian `noterror/<tld>_<domain>` + `.json`, and `notfound/` (all available). */
export const scoreLikexian = (root: string): Score => {
  const s = emptyScore()
  const ok = join(root, "noterror")
  for (const f of readdirSync(ok).filter((n) => n.endsWith(".json"))) {
    const txt = join(ok, f.replace(/\.json$/, ""))
    if (!existsSync(txt)) continue
    const e = JSON.parse(readFileSync(join(ok, f), "utf8")) as Likexian
    const r = parseDomain(readFileSync(txt, "utf8")).record
    score(s, f, "available", false, r.available, !r.available)
    if (e.registrar?.name !== undefined && e.registrar.name !== "")
      score(
        s,
        f,
        "registrar",
        e.registrar.name,
        r.registrar,
        compareRegistrar(e.registrar.name, r.registrar),
      )
    dates(s, f, r, {
      created: e.domain?.created_date_in_time,
      updated: e.domain?.updated_date_in_time,
      expires: e.domain?.expiration_date_in_time,
    })
    if (e.domain?.name_servers !== undefined && e.domain.name_servers.length > 0)
      score(
        s,
        f,
        "nameServers",
        e.domain.name_servers,
        r.nameServers,
        compareNs(e.domain.name_servers, r.nameServers),
      )
    if (e.domain?.status !== undefined && e.domain.status.length > 0)
      score(s, f, "status", e.domain.status, r.status, compareStatus(e.domain.status, r.status))
  }
  const nf = join(root, "notfound")
  if (existsSync(nf)) {
    for (const f of readdirSync(nf).filter((n) => !n.endsWith(".json"))) {
      const r = parseDomain(readFileSync(join(nf, f), "utf8")).record
      score(s, `notfound/${f}`, "available", true, r.available, r.available)
    }
  }
  return s
}

interface Penman {
  readonly registrar?: string | null
  readonly creation_date?: unknown
  readonly updated_date?: unknown
  readonly expiration_date?: unknown
  readonly status?: string | ReadonlyArray<string> | null
}

/** richardpenman `whois/<domain>` + `expected/<domain>`. */
export const scorePenman = (root: string): Score => {
  const s = emptyScore()
  for (const f of readdirSync(join(root, "expected"))) {
    const txt = join(root, "whois", f)
    if (!existsSync(txt)) continue
    const e = JSON.parse(readFileSync(join(root, "expected", f), "utf8")) as Penman
    const r = parseDomain(readFileSync(txt, "utf8")).record
    score(s, f, "available", false, r.available, !r.available)
    if (typeof e.registrar === "string" && e.registrar !== "")
      score(s, f, "registrar", e.registrar, r.registrar, compareRegistrar(e.registrar, r.registrar))
    dates(s, f, r, {
      created: e.creation_date,
      updated: e.updated_date,
      expires: e.expiration_date,
    })
    const st =
      e.status === null || e.status === undefined
        ? []
        : typeof e.status === "string"
          ? [e.status]
          : e.status
    const firstWords = st.map((x) => x.split(/\s+/)[0] ?? "")
    if (firstWords.length > 0)
      score(s, f, "status", firstWords, r.status, compareStatus(firstWords, r.status))
  }
  return s
}

interface PhpCase {
  readonly query: string
  readonly input: string
  readonly expected: string | null
  readonly files_present?: boolean
}

interface PhpExpected {
  readonly registrar?: string
  readonly nameServers?: ReadonlyArray<string>
  readonly creationDate?: string
  readonly expirationDate?: string
  readonly updatedDate?: string
  readonly states?: ReadonlyArray<string>
  readonly dnssec?: string
}

/** php-whois `tld_cases.json`: `expected: null` means available. */
export const scorePhp = (root: string): Score => {
  const s = emptyScore()
  const cases = JSON.parse(readFileSync(join(root, "tld_cases.json"), "utf8")) as Array<PhpCase>
  const year = String(new Date().getUTCFullYear())
  for (const c of cases) {
    const input = join(root, c.input)
    if (!existsSync(input)) continue
    const r = parseDomain(readFileSync(input, "utf8")).record
    if (c.expected === null) {
      score(s, c.input, "available", true, r.available, r.available)
      continue
    }
    const ep = join(root, c.expected)
    if (!existsSync(ep)) continue
    const e = JSON.parse(readFileSync(ep, "utf8").replaceAll("%Y", year)) as PhpExpected
    score(s, c.input, "available", false, r.available, !r.available)
    if (e.registrar !== undefined && e.registrar !== "")
      score(
        s,
        c.input,
        "registrar",
        e.registrar,
        r.registrar,
        compareRegistrar(e.registrar, r.registrar),
      )
    dates(s, c.input, r, {
      created: e.creationDate,
      updated: e.updatedDate,
      expires: e.expirationDate,
    })
    if (e.nameServers !== undefined && e.nameServers.length > 0)
      score(
        s,
        c.input,
        "nameServers",
        e.nameServers,
        r.nameServers,
        compareNs(e.nameServers, r.nameServers),
      )
    if (e.dnssec !== undefined && e.dnssec !== "") {
      const want = /^(?:active|signed ?delegation|signed|yes|true)$/i.test(e.dnssec)
        ? "signed"
        : "unsigned"
      score(s, c.input, "dnssec", want, r.dnssec, r.dnssec === want)
    }
    if (e.states !== undefined && e.states.length > 0)
      score(s, c.input, "status", e.states, r.status, compareStatus(e.states, r.status))
  }
  return s
}
