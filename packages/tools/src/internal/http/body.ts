/**
 * A response body read up to a cap, counted while it streams. A chunked reply has no length to
 * check up front, and a body read whole before its check (`arrayBuffer()`, `text()`) is held in
 * memory however large it grows until the deadline: a server streaming without end could fill
 * the process's memory first.
 */

/** Thrown when the body passes `maxBytes`; the stream is cancelled at once. */
export class BodyTooLarge extends RangeError {
  constructor(what: string, maxBytes: number) {
    super(`${what} exceeds the ${maxBytes}-byte cap`)
  }
}

/** Reads `response`'s body into one buffer, or throws {@link BodyTooLarge} past `maxBytes`. */
export const readBody = async (
  response: Response,
  maxBytes: number,
  what: string,
): Promise<Buffer> => {
  const declared = Number(response.headers.get("content-length") ?? "0")
  if (declared > maxBytes) {
    await response.body?.cancel()
    throw new BodyTooLarge(what, maxBytes)
  }
  const chunks: Array<Uint8Array> = []
  let total = 0
  for await (const chunk of response.body ?? []) {
    total += chunk.byteLength
    // throwing out of the loop cancels the stream (the iterator's return())
    if (total > maxBytes) throw new BodyTooLarge(what, maxBytes)
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}

/** The body as UTF-8 text (a leading BOM dropped, as `Response.text()` does), capped. */
export const readText = async (
  response: Response,
  maxBytes: number,
  what: string,
): Promise<string> => new TextDecoder().decode(await readBody(response, maxBytes, what))
