/** What the calculator's one input box holds: an address, and a prefix or netmask if given. */
export interface CidrInput {
  readonly address: string
  readonly prefix: string | undefined
}

/**
 * Reads "10.0.0.1/8", "10.0.0.1 255.0.0.0", "10.0.0.1/255.0.0.0", "2001:db8::/32" or a bare
 * address. Returns null for an empty box. Never validates: the API's message is the one shown.
 */
export const parseCidrInput = (text: string): CidrInput | null => {
  const t = text.trim()
  if (t === "") return null
  const slash = t.indexOf("/")
  if (slash >= 0) {
    const prefix = t.slice(slash + 1).trim()
    return { address: t.slice(0, slash).trim(), prefix: prefix === "" ? undefined : prefix }
  }
  const parts = t.split(/\s+/)
  if (parts.length === 2) return { address: parts[0] ?? "", prefix: parts[1] }
  return { address: t, prefix: undefined }
}

/** The networks in a free-text list: one per line, or separated by commas or spaces. */
export const networkList = (text: string): ReadonlyArray<string> =>
  text
    .split(/[\s,;]+/)
    .map((s) => s.trim())
    .filter((s) => s !== "")
