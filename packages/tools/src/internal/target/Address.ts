/**
 * CIDR matching for target policies, on the package's one IP literal parser (`../ip/address.js`);
 * byte-wise, so that Target does not wait on (or couple to) the subnet calculator's network model.
 */
import { parse, type Ip } from "../ip/address.js"

/** A parsed address (no zone: Target refuses zone ids). */
export type Address = Ip

/** A network: address bytes and prefix length. */
export interface Cidr {
  readonly version: 4 | 6
  readonly bytes: Uint8Array
  readonly prefix: number
}

/** `a.b.c.d/n`, `x::/n` or a bare address (a host route). Host bits may be set; they are ignored. */
export const parseCidr = (text: string): Cidr | undefined => {
  const slash = text.indexOf("/")
  const addr = parse(slash < 0 ? text : text.slice(0, slash))
  if (addr === undefined) return undefined
  const max = addr.version === 4 ? 32 : 128
  if (slash < 0) return { ...addr, prefix: max }
  const p = text.slice(slash + 1)
  if (!/^[0-9]{1,3}$/.test(p) || Number(p) > max) return undefined
  return { ...addr, prefix: Number(p) }
}

/** Whether `address` is inside `cidr` (an IPv4-mapped IPv6 address also matches IPv4 networks). */
export const contains = (cidr: Cidr, address: Address): boolean => {
  let bytes = address.bytes
  if (cidr.version === 4 && address.version === 6) {
    const mapped =
      bytes.slice(0, 10).every((x) => x === 0) && bytes[10] === 0xff && bytes[11] === 0xff
    if (!mapped) return false
    bytes = bytes.slice(12)
  } else if (cidr.version !== address.version) return false
  const full = cidr.prefix >> 3
  for (let i = 0; i < full; i++) if (bytes[i] !== cidr.bytes[i]) return false
  const rest = cidr.prefix & 7
  if (rest === 0) return true
  const mask = (0xff << (8 - rest)) & 0xff
  return ((bytes[full] ?? 0) & mask) === ((cidr.bytes[full] ?? 0) & mask)
}
