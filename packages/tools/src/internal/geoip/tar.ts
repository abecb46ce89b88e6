/**
 * A minimal tar reader: enough for MaxMind's archives (ustar, GNU long names, pax paths), pure
 * and total so a hostile archive yields an error value, never an exception.
 */
import { Either } from "effect"
import { ToolError } from "../../ToolError.js"

/** One regular file in the archive. */
export interface TarEntry {
  readonly path: string
  readonly data: Buffer
}

const BLOCK = 512

const text = (buf: Buffer, from: number, len: number): string => {
  const slice = buf.subarray(from, from + len)
  const nul = slice.indexOf(0)
  return slice.subarray(0, nul < 0 ? slice.length : nul).toString("utf8")
}

const octal = (buf: Buffer, from: number, len: number): number => {
  // GNU base-256 for sizes past 8 GiB: high bit of the first byte set.
  if (((buf[from] ?? 0) & 0x80) !== 0) {
    let v = (buf[from] ?? 0) & 0x7f
    for (let i = 1; i < len; i++) v = v * 256 + (buf[from + i] ?? 0)
    return v
  }
  const s = text(buf, from, len).trim()
  return s === "" ? 0 : /^[0-7]+$/.test(s) ? parseInt(s, 8) : NaN
}

const bad = (message: string): Either.Either<never, ToolError> =>
  Either.left(new ToolError({ reason: "Unparseable", message: `tar: ${message}` }))

/** Lists the regular files of an uncompressed tar archive. */
export const parseTar = (buf: Buffer): Either.Either<ReadonlyArray<TarEntry>, ToolError> => {
  const entries: Array<TarEntry> = []
  let longName: string | undefined
  let offset = 0
  while (offset + BLOCK <= buf.length) {
    const header = buf.subarray(offset, offset + BLOCK)
    if (header.every((b) => b === 0)) return Either.right(entries)
    let sum = 0
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : (header[i] as number)
    if (octal(header, 148, 8) !== sum) return bad(`bad header checksum at offset ${offset}`)
    const size = octal(header, 124, 12)
    if (!Number.isSafeInteger(size) || size < 0) return bad(`bad size at offset ${offset}`)
    const start = offset + BLOCK
    if (start + size > buf.length) return bad("archive is truncated")
    const data = buf.subarray(start, start + size)
    const type = String.fromCharCode(header[156] ?? 0)
    const prefix = text(header, 257, 6) === "ustar" ? text(header, 345, 155) : ""
    const name =
      longName ?? (prefix === "" ? text(header, 0, 100) : `${prefix}/${text(header, 0, 100)}`)
    if (type === "L") longName = text(data, 0, data.length)
    else if (type === "x") {
      const path = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(data.toString("utf8"))?.[1]
      longName = path
    } else {
      longName = undefined
      if (type === "0" || type === "\0" || type === "7") entries.push({ path: name, data })
    }
    offset = start + Math.ceil(size / BLOCK) * BLOCK
  }
  return entries.length > 0 || buf.length === 0
    ? Either.right(entries)
    : bad("no end-of-archive marker")
}
