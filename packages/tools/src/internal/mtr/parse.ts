/**
 * Format detection and the total `parse` over any mtr output this library understands.
 */
import { RawReader } from "./raw.js"
import type { MtrHop } from "./model.js"
import { parseJson, parseReport } from "./summary.js"

/** Which mtr output format the text was read as. */
export type MtrFormat = "raw" | "json" | "report" | "unknown"

/** Outcome of reading the text: `ok` with hops, `empty` (no hop), `unparseable` (not mtr output). */
export type MtrStatus = "ok" | "empty" | "unparseable"

/** What `Mtr.parse` found in a piece of mtr output. */
export interface MtrParsed {
  /** The text as given. */
  readonly raw: string
  readonly status: MtrStatus
  readonly format: MtrFormat
  /** The destination address, when the format names it (json) or the caller passed it. */
  readonly destination?: string
  readonly hops: ReadonlyArray<MtrHop>
  /** Lines that were not understood (e.g. a stray capture artifact), kept for inspection. */
  readonly unparsedLines: ReadonlyArray<string>
}

/** Reads mtr `--raw`, `--json` or `--report` text; never throws. */
export const parseAny = (raw: string, destination?: string): MtrParsed => {
  const text = typeof raw === "string" ? raw : ""
  const trimmed = text.trimStart()
  if (trimmed.startsWith("{")) {
    const j = parseJson(trimmed)
    if (j !== undefined) {
      const dest = destination ?? j.destination
      return {
        raw: text,
        status: j.hops.length > 0 ? "ok" : "empty",
        format: "json",
        ...(dest !== undefined ? { destination: dest } : {}),
        hops: j.hops,
        unparsedLines: [],
      }
    }
  }
  const reader = new RawReader()
  for (const line of text.split("\n")) reader.push(line)
  if (reader.sawEvent) {
    const hops: Array<MtrHop> = reader.snapshot(true, destination)
    return {
      raw: text,
      status: hops.length > 0 ? "ok" : "empty",
      format: "raw",
      ...(destination !== undefined ? { destination } : {}),
      hops,
      unparsedLines: reader.unparsed,
    }
  }
  const r = parseReport(text)
  if (r !== undefined) {
    return {
      raw: text,
      status: "ok",
      format: "report",
      ...(destination !== undefined ? { destination } : {}),
      hops: r.hops,
      unparsedLines: [],
    }
  }
  return {
    raw: text,
    status: text.trim() === "" ? "empty" : "unparseable",
    format: "unknown",
    hops: [],
    unparsedLines: text.split("\n").filter((l) => l.trim() !== ""),
  }
}
