/**
 * An RFC 4180 CSV reader: quoted fields may hold commas, doubled quotes and line breaks; lines
 * end in CRLF or LF. It is total: a malformed file yields its rows so far plus the problems found,
 * so a truncated download is reported, not thrown.
 */

/** One problem in a CSV text, with its 1-based line. */
export interface CsvProblem {
  readonly line: number
  readonly message: string
}

/** The rows of a CSV text and any problems; `complete` is false when the text ends inside quotes. */
export interface CsvResult {
  readonly rows: ReadonlyArray<ReadonlyArray<string>>
  readonly problems: ReadonlyArray<CsvProblem>
  readonly complete: boolean
  /** RFC 4180 makes it optional, but the IEEE files have one: its absence hints at a cut download. */
  readonly finalLineBreak: boolean
}

const QUOTE = 34
const COMMA = 44
const CR = 13
const LF = 10

/** Splits `text` into records of fields. Blank lines are skipped; a leading BOM is ignored. */
export const parseCsv = (text: string): CsvResult => {
  const rows: Array<Array<string>> = []
  const problems: Array<CsvProblem> = []
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0
  const n = text.length
  let line = 1
  let record: Array<string> = []
  const finalLineBreak = n > 0 && (text.charCodeAt(n - 1) === LF || text.charCodeAt(n - 1) === CR)
  const endRecord = (): void => {
    if (!(record.length === 1 && record[0] === "")) rows.push(record)
    record = []
  }
  while (i < n) {
    const fieldLine = line
    // One field per iteration.
    let field: string
    if (text.charCodeAt(i) === QUOTE) {
      let out = ""
      let from = i + 1
      let j = from
      let closed = false
      while (j < n) {
        const c = text.charCodeAt(j)
        if (c === QUOTE) {
          if (text.charCodeAt(j + 1) === QUOTE) {
            out += text.slice(from, j + 1)
            j += 2
            from = j
            continue
          }
          out += text.slice(from, j)
          closed = true
          j++
          break
        }
        if (c === LF) line++
        j++
      }
      if (!closed) {
        problems.push({
          line: fieldLine,
          message: "unterminated quoted field (the text ends inside quotes)",
        })
        record.push(out + text.slice(from, j))
        rows.push(record)
        return { rows, problems, complete: false, finalLineBreak }
      }
      field = out
      i = j
      const c = text.charCodeAt(i)
      if (i < n && c !== COMMA && c !== CR && c !== LF) {
        problems.push({ line, message: "text after a closing quote" })
        let k = i
        while (
          k < n &&
          text.charCodeAt(k) !== COMMA &&
          text.charCodeAt(k) !== LF &&
          text.charCodeAt(k) !== CR
        )
          k++
        field += text.slice(i, k)
        i = k
      }
    } else {
      let j = i
      while (j < n) {
        const c = text.charCodeAt(j)
        if (c === COMMA || c === CR || c === LF) break
        j++
      }
      field = text.slice(i, j)
      i = j
    }
    record.push(field)
    if (i >= n) break
    const c = text.charCodeAt(i)
    if (c === COMMA) {
      i++
      if (i >= n) record.push("")
      continue
    }
    if (c === CR) i++
    if (text.charCodeAt(i) === LF) i++
    line++
    endRecord()
  }
  if (record.length > 0) endRecord()
  return { rows, problems, complete: true, finalLineBreak }
}
