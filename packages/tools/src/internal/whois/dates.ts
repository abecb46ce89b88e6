/**
 * Registry date strings to ISO 8601 UTC. Registries use dozens of layouts; we read the common ones
 * and return `undefined` for anything else rather than guess.
 */

const MONTHS: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  sept: 9,
  oct: 10,
  nov: 11,
  dec: 12,
  january: 1,
  february: 2,
  march: 3,
  april: 4,
  june: 6,
  july: 7,
  august: 8,
  september: 9,
  october: 10,
  november: 11,
  december: 12,
}

// Offsets in minutes east of UTC for the zone names seen in registry output.
const ZONES: Record<string, number> = {
  z: 0,
  utc: 0,
  gmt: 0,
  ut: 0,
  jst: 540,
  kst: 540,
  cet: 60,
  cest: 120,
  met: 60,
  mest: 120,
  eet: 120,
  eest: 180,
  msk: 180,
  brt: -180,
  brst: -120,
  est: -300,
  edt: -240,
  pst: -480,
  pdt: -420,
  ist: 330,
  sgt: 480,
  eat: 180,
  wat: 60,
  cat: 120,
  sast: 120,
  art: -180,
  clt: -240,
  clst: -180,
  ict: 420,
  wib: 420,
  myt: 480,
  pht: 480,
  hkt: 480,
  awst: 480,
  aest: 600,
  nzst: 720,
  nzdt: 780,
}

const pad = (n: number, w = 2): string => String(n).padStart(w, "0")

const build = (
  y: number,
  mo: number,
  d: number,
  h = 0,
  mi = 0,
  s = 0,
  offsetMinutes = 0,
): string | undefined => {
  if (
    y < 1970 - 200 ||
    y > 9999 ||
    mo < 1 ||
    mo > 12 ||
    d < 1 ||
    d > 31 ||
    h > 24 ||
    mi > 59 ||
    s > 60
  ) {
    return undefined
  }
  const local = Date.UTC(y, mo - 1, d, h, mi, Math.min(s, 59))
  const probe = new Date(Date.UTC(y, mo - 1, d))
  if (probe.getUTCMonth() !== mo - 1 || probe.getUTCDate() !== d) return undefined
  const t = new Date(local - offsetMinutes * 60_000)
  return (
    `${pad(t.getUTCFullYear(), 4)}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}` +
    `T${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())}Z`
  )
}

/** Parses a trailing zone (`Z`, `+09:00`, `+0900`, `UTC`, `(JST)`, `(UTC+9:00)`) to minutes. */
const zone = (raw: string | undefined): number | undefined => {
  if (raw === undefined) return 0
  const z = raw
    .trim()
    .replace(/^\(|\)$/g, "")
    .trim()
    .toLowerCase()
  if (z === "") return 0
  const m = /^(?:utc|gmt)?\s*([+-])(\d{1,2}):?(\d{2})?$/.exec(z)
  if (m !== null) {
    const sign = m[1] === "-" ? -1 : 1
    return sign * (Number(m[2]) * 60 + Number(m[3] ?? 0))
  }
  return ZONES[z]
}

const TIME = String.raw`(?:[T\s]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?`
const TZ = String.raw`\s*(Z|[+-]\d{2}:?\d{2}|[+-]\d{1,2}|\(?(?:UTC|GMT)?[+-]\d{1,2}(?::?\d{2})?\)?|\(?[A-Za-z]{1,5}\)?)?`

const YMD = new RegExp(String.raw`^(\d{4})([-./])\s?(\d{1,2})\2\s?(\d{1,2})\.?${TIME}${TZ}$`)
const COMPACT = new RegExp(
  String.raw`^(\d{4})(\d{2})(\d{2})(?:\s*(\d{2}):?(\d{2}):?(\d{2})?)?${TZ}$`,
)
const DMY_NUM = new RegExp(String.raw`^(\d{1,2})([-./])(\d{1,2})\2(\d{4})${TIME}${TZ}$`)
const DMY_NAME = new RegExp(
  String.raw`^(\d{1,2})[-\s./]([A-Za-z]{3,9})\.?[-\s./,]+(\d{4})${TIME}${TZ}$`,
)
const MDY_NAME = new RegExp(
  String.raw`^([A-Za-z]{3,9})\.?[-\s]+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})${TIME}${TZ}$`,
)
// `Wed Mar 07 12:00:00 GMT 2012` (Java's Date.toString, seen at several registrars).
const CTIME =
  /^(?:[A-Za-z]{3},?\s+)?([A-Za-z]{3})\s+(\d{1,2})\s+(\d{1,2}):(\d{2}):(\d{2})\s+(?:([A-Za-z]{1,5}|[+-]\d{4})\s+)?(\d{4})$/
const YMON = new RegExp(String.raw`^(\d{4})-([A-Za-z]{3})-(\d{1,2})${TIME}${TZ}$`)

const num = (s: string | undefined): number => (s === undefined ? 0 : Number(s))

/** Normalizes a registry date string to `YYYY-MM-DDTHH:MM:SSZ`, or `undefined` when unreadable. */
export const normalizeDate = (input: string): string | undefined => {
  // Drop trailing commentary (`# 20120307 #nnn`, `(YYYY-MM-DD)` hints, weekday prefixes).
  let s = input
    .trim()
    // from the start of a blank run only (`(?<!\s)`): the same match, without trying every place
    // in a long run
    .replace(/(?<!\s)\s+#.*$/, "")
    .replace(/(?<!\s)\s+\((?:YYYY|dd|mm)[^)]*\)$/i, "")
    .trim()
  if (s === "") return undefined
  s = s
    .replace(/^(?:on|after)\s+/i, "")
    .replace(/^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+(?=\d)/i, "")
    .replace(/^(\d{1,2})(?:st|nd|rd|th)\b/i, "$1")
    .replace(/\.$/, "")
    .replace(/(\d{4})\s+at\s+(?=\d)/i, "$1 ")
    .replace(/^"(.*)"$/, "$1")
    // RPSL `changed:` lines: `hostmaster@example.net 20121216134104`.
    .replace(/^\S+\s+(?=\d{8}(?:\d{6})?(?:\s|$))/, "")
  // `Thu Aug 03 2006` (EURid, .ax): weekday, month name, day, year.
  const wk = /^(?:[A-Za-z]{3},?\s+)?([A-Za-z]{3,9})\s+(\d{1,2}),?\s+(\d{4})$/.exec(s)
  if (wk !== null) {
    const mo = MONTHS[(wk[1] ?? "").toLowerCase()]
    return mo === undefined ? undefined : build(num(wk[3]), mo, num(wk[2]))
  }
  let m = YMD.exec(s)
  if (m !== null) {
    const off = zone(m[8])
    if (off === undefined) return undefined
    return build(num(m[1]), num(m[3]), num(m[4]), num(m[5]), num(m[6]), num(m[7]), off)
  }
  m = COMPACT.exec(s)
  if (m !== null) {
    const off = zone(m[7])
    if (off === undefined) return undefined
    return build(num(m[1]), num(m[2]), num(m[3]), num(m[4]), num(m[5]), num(m[6]), off)
  }
  m = DMY_NUM.exec(s)
  if (m !== null) {
    const off = zone(m[8])
    if (off === undefined) return undefined
    let d = num(m[1])
    let mo = num(m[3])
    // Day first is the registry norm; a month above 12 means the string is US order.
    if (mo > 12 && d <= 12) [d, mo] = [mo, d]
    return build(num(m[4]), mo, d, num(m[5]), num(m[6]), num(m[7]), off)
  }
  m = DMY_NAME.exec(s)
  if (m !== null) {
    const mo = MONTHS[(m[2] ?? "").toLowerCase()]
    const off = zone(m[7])
    if (mo === undefined || off === undefined) return undefined
    return build(num(m[3]), mo, num(m[1]), num(m[4]), num(m[5]), num(m[6]), off)
  }
  m = MDY_NAME.exec(s)
  if (m !== null) {
    const mo = MONTHS[(m[1] ?? "").toLowerCase()]
    const off = zone(m[7])
    if (mo === undefined || off === undefined) return undefined
    return build(num(m[3]), mo, num(m[2]), num(m[4]), num(m[5]), num(m[6]), off)
  }
  m = YMON.exec(s)
  if (m !== null) {
    const mo = MONTHS[(m[2] ?? "").toLowerCase()]
    const off = zone(m[7])
    if (mo === undefined || off === undefined) return undefined
    return build(num(m[1]), mo, num(m[3]), num(m[4]), num(m[5]), num(m[6]), off)
  }
  m = CTIME.exec(s)
  if (m !== null) {
    const mo = MONTHS[(m[1] ?? "").toLowerCase()]
    const off = zone(m[6])
    if (mo === undefined || off === undefined) return undefined
    return build(num(m[7]), mo, num(m[2]), num(m[3]), num(m[4]), num(m[5]), off)
  }
  return undefined
}
