/**
 * Splits WHOIS text into key/value entries. Registries print `Key: value`, `[Key] value` (JPRS),
 * `Key.......: value`, and indented sections (`Name servers:` then one value per line, Nominet,
 * EURid, .it). Entries keep their section so field tables can ask for `registrar/name`.
 */

/** One key/value pair read from a WHOIS response. */
export interface Entry {
  /** Normalized key: lower-case letters and digits only. */
  readonly key: string
  /** Normalized section key, "" at the top level. */
  readonly section: string
  readonly value: string
}

/** Lower-case alphanumerics only, so `Registry Expiry Date`, `registry-expiry-date` compare equal. */
export const normKey = (k: string): string => k.toLowerCase().replace(/[^\p{L}\p{N}]/gu, "")

// `Record created on 2000-08-29 (YYYY-MM-DD)` (TWNIC, EENet): a key and a date with no colon.
const BARE_DATE =
  /^\s*((?:record\s+)?(?:created|expires|last\s+updated|updated|registered|changed)\s+on)\s+(\d.*|[A-Za-z]{3}\s.*\d{4})$/i

// `Registrar<TAB>MarkMonitor` (SWITCH): a tab separates key and value.
const TAB_KV = /^([A-Za-z][A-Za-z ]{1,30}?)\t+(\S.*)$/

// `Data de registo / Creation Date (dd/mm/yyyy)`: keep the English half, drop format hints.
const cleanKey = (k: string): string => {
  const noHint = k.replace(/\([^)]*\)/g, " ")
  const halves = noHint.split(/\s+\/\s+/)
  return halves[halves.length - 1] ?? noHint
}

// A colon inside an IPv6 literal (`ns1.example.net 2001:db8::1`) does not make a key.
const isKeyValue = (line: string): boolean => {
  const m = KV.exec(line)
  if (m === null || /^https?$/i.test(m[1] ?? "")) return false
  return !(/[\s[][0-9a-fA-F]{1,4}$/.test(m[1] ?? "") && /^[0-9a-fA-F]{0,4}:/.test(m[2] ?? ""))
}

const indentOf = (line: string): number => line.length - line.trimStart().length

const JPRS = /^\s*(?:[a-z]\.?\s+)?\[\s*([^\]]{1,60}?)\s*\]\s*(.*)$/
const KV = /^\s*([^:\s][^:]{0,60}?)[\s.]*:(?!\/\/)\s*(.*)$/

/** The longest line the parsers read; a WHOIS line is far shorter. */
export const maxLine = 1024

/**
 * The answer as the parsers read it: each line cut to {@link maxLine} characters. A backstop: an
 * answer is the remote server's to write, and a pattern whose work grows with the square of a
 * line's length (several did, see the tests) then stays bounded. Lines end as `entries` ends
 * them (CR, LF or both): split at LF alone, an answer with CR line ends was one line, cut short.
 */
export const readable = (answer: string): string => {
  const lines = answer.split(/\r\n?|\n/)
  return lines.some((l) => l.length > maxLine)
    ? lines.map((l) => (l.length > maxLine ? l.slice(0, maxLine) : l)).join("\n")
    : answer
}

/** Reads the entries of a WHOIS response (pure, never throws). */
export const entries = (raw: string): Array<Entry> => {
  const lines = raw.replace(/\r\n?/g, "\n").split("\n")
  const out: Array<Entry> = []
  let section = ""
  let sectionIndent = -1
  let last: { key: string; indent: number } | undefined
  let sectionCount = 0
  // A section whose values sit at the header's own indent ends only at a blank line.
  let sectionFlat = false
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? "").replace(/\t/g, "    ")
    const trimmed = line.trim()
    if (trimmed === "") {
      // `Name servers:` then a blank line then the list (HKIRC, .kg) keeps the section open.
      if (section !== "" && sectionCount === 0) continue
      section = ""
      sectionIndent = -1
      sectionFlat = false
      last = undefined
      continue
    }
    if (/^(%|#|>>>|;|--)/.test(trimmed)) continue
    const indent = indentOf(line)
    const isKv = isKeyValue(line) || JPRS.test(line)
    // Values may sit at the header's own indent (`Name servers:` then hosts at column 0, SWITCH).
    if (
      section !== "" &&
      !sectionFlat &&
      indent <= sectionIndent &&
      (isKv || indent < sectionIndent)
    ) {
      section = ""
      sectionIndent = -1
    }
    const tabbed = TAB_KV.exec(lines[i] ?? "")
    if (tabbed !== null && section === "") {
      out.push({ key: normKey(tabbed[1] ?? ""), section: "", value: (tabbed[2] ?? "").trim() })
      continue
    }
    const bare = BARE_DATE.exec(line)
    if (bare !== null) {
      out.push({ key: normKey(bare[1] ?? ""), section: "", value: (bare[2] ?? "").trim() })
      continue
    }
    const jp = JPRS.exec(line)
    if (jp !== null) {
      const key = normKey(jp[1] ?? "")
      const value = (jp[2] ?? "").trim()
      // `[Registrar]` alone on a line heads an INI-style block (.lv).
      if (
        value === "" &&
        /^\s*\[/.test(line) &&
        KV.test(lines[i + 1] ?? "") &&
        !JPRS.test(lines[i + 1] ?? "")
      ) {
        section = key
        sectionIndent = -1
        sectionCount = 0
        last = undefined
        continue
      }
      section = ""
      out.push({ key, section: "", value })
      last = { key, indent: line.indexOf("]") + 1 }
      continue
    }
    const kv = isKeyValue(line) ? KV.exec(line) : null
    if (kv !== null) {
      const key = normKey(cleanKey(kv[1] ?? ""))
      // `Name Server (DB):...ns1.example.net` (JWhoisServer) pads the value with dots.
      const value = (kv[2] ?? "").trim().replace(/^\.{2,}\s*/, "")
      const words = (kv[1] ?? "").trim().split(/\s+/).length
      if (value === "" && section === "" && words <= 6 && key.length <= 40) {
        section = key
        sectionIndent = indent
        sectionCount = 0
        last = undefined
        continue
      }
      if (section !== "") sectionCount++
      out.push({ key, section, value })
      last = { key, indent }
      if (section === "" && value !== "") last = { key, indent }
      continue
    }
    // A bare line followed by deeper-indented lines opens a section (`Nameservers` in .it).
    const next = lines[i + 1] ?? ""
    const nextIndent = indentOf(next.replace(/\t/g, "    "))
    if (
      section === "" &&
      next.trim() !== "" &&
      (nextIndent > indent ||
        (nextIndent === indent &&
          /^(?:name ?servers?|nameservers|dns servers?)$/i.test(trimmed))) &&
      indent < 4 &&
      trimmed.split(/\s+/).length <= 4 &&
      !/[.!?]$/.test(trimmed)
    ) {
      section = normKey(trimmed)
      sectionIndent = indent
      sectionCount = 0
      sectionFlat = nextIndent === indent
      last = undefined
      continue
    }
    if (section !== "") {
      sectionCount++
      out.push({ key: section, section, value: trimmed })
      continue
    }
    // A continuation line of a JPRS-style or wrapped value.
    if (last !== undefined && indent >= last.indent && indent > 0) {
      out.push({ key: last.key, section: "", value: trimmed })
    }
  }
  return out
}
