/** Finds the next WHOIS server a response refers to (IANA, thin registries, ARIN). Pure. */
import { readable } from "./text.js"

const HOST = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+(?::\d{1,5})?$/

const clean = (v: string | undefined): string | undefined => {
  if (v === undefined) return undefined
  const host = v
    .trim()
    .replace(/^whois:\/\//i, "")
    .replace(/^https?:\/\//i, "")
    .replace(/\/.*$/, "")
    .toLowerCase()
  return HOST.test(host) ? host : undefined
}

/** A referral: the server (`host` or `host:port`) or a referral we do not follow (rwhois). */
export interface Referral {
  readonly server?: string | undefined
  /** A referral seen but not followed, e.g. `rwhois://rwhois.example.net:4321`. */
  readonly unsupported?: string | undefined
  /** Where it came from: IANA `refer:`/`whois:`, a registrar line, ARIN, or a thin registry. */
  readonly via?: "iana" | "registrar" | "arin" | "thin" | undefined
}

/** The referral in `raw`, for a query about `domain` (to pick the right block of a multi-match). */
export const findReferral = (raw: string, domain?: string): Referral => {
  const text = readable(raw).replace(/\r\n?/g, "\n")
  const arin = /^ReferralServer:\s*(\S+)/im.exec(text)?.[1]
  if (arin !== undefined) {
    return /^whois:\/\//i.test(arin)
      ? { server: clean(arin), via: "arin" }
      : { unsupported: arin, via: "arin" }
  }
  const iana = /^refer:\s*(\S+)/im.exec(text)?.[1] ?? /^whois:\s*(\S+)/im.exec(text)?.[1]
  if (iana !== undefined) return { server: clean(iana), via: "iana" }
  // spaces and tabs, not `\s`: with `m`, `^\s*` ran over the following lines from every line start
  const registrar = /^[ \t]*Registrar WHOIS Server:[ \t]*(\S*)/im.exec(text)?.[1]
  if (registrar !== undefined && registrar !== "")
    return { server: clean(registrar), via: "registrar" }
  // Thin registries (old Verisign) may list several matches: use the block of the queried name.
  const blocks = text.split(/\n\s*\n/)
  const want = domain?.toLowerCase()
  for (const b of blocks) {
    const name = /^[ \t]*Domain Name:[ \t]*(\S+)/im.exec(b)?.[1]?.toLowerCase()
    const server = /^[ \t]*Whois Server:[ \t]*(\S+)/im.exec(b)?.[1]
    if (server !== undefined && (want === undefined || name === want))
      return { server: clean(server) }
  }
  return {}
}
