/**
 * Reading the IEEE registry CSVs (`oui.csv`, `mam.csv`, `oui36.csv`) into registry rows, with the
 * checks a download needs: the header, the registry column, the prefix length, a complete file.
 */
import { parseCsv } from "./csv.js"
import { BLOCK_BITS, type Block, oneLine, type Row } from "./registry.js"

/** The header line every IEEE registry CSV starts with. */
export const HEADER = [
  "Registry",
  "Assignment",
  "Organization Name",
  "Organization Address",
] as const

/** The file name the IEEE uses for each block. */
export const FILE_NAMES: Readonly<Record<Block, string>> = {
  "MA-L": "oui.csv",
  "MA-M": "mam.csv",
  "MA-S": "oui36.csv",
}

/** What reading one CSV found: the rows it could use and the problems that make it unusable. */
export interface IeeeCsv {
  readonly block: Block
  readonly rows: ReadonlyArray<Row>
  readonly problems: ReadonlyArray<string>
}

const isHex = (s: string): boolean => /^[0-9A-Fa-f]+$/.test(s)

/** Reads one IEEE CSV text that should hold `block` rows. Total: problems are returned, not thrown. */
export const readIeeeCsv = (block: Block, text: string): IeeeCsv => {
  const problems: Array<string> = []
  const name = FILE_NAMES[block]
  if (text.length === 0) return { block, rows: [], problems: [`${name} is empty (0 bytes)`] }
  const csv = parseCsv(text)
  for (const p of csv.problems) problems.push(`${name} line ${p.line}: ${p.message}`)
  if (!csv.finalLineBreak)
    problems.push(`${name} does not end with a line break: the file looks truncated`)
  const [header, ...records] = csv.rows
  if (
    header === undefined ||
    header.length !== 4 ||
    HEADER.some((h, i) => header[i]?.trim() !== h)
  ) {
    problems.push(`${name} does not start with the IEEE header '${HEADER.join(",")}'`)
    return { block, rows: [], problems }
  }
  const digits = BLOCK_BITS[block] / 4
  const rows: Array<Row> = []
  records.forEach((record, i) => {
    const where = `${name} record ${i + 1}`
    if (record.length !== 4) {
      problems.push(`${where}: ${record.length} fields instead of 4`)
      return
    }
    const [registry, assignment, organization, address] = record as [string, string, string, string]
    if (registry !== block) {
      problems.push(`${where}: registry '${registry}' instead of '${block}'`)
      return
    }
    const hex = assignment.trim()
    if (hex.length !== digits || !isHex(hex)) {
      problems.push(`${where}: assignment '${assignment}' is not ${digits} hex digits`)
      return
    }
    rows.push({
      key: parseInt(hex, 16),
      organization: oneLine(organization),
      address: oneLine(address).trim(),
    })
  })
  return { block, rows, problems }
}
