/** Whether a WHOIS query is an IP address (v4 dotted quad or v6), so GeoIP can answer for it. */
export const isIpLiteral = (q: string): boolean => {
  const t = q.trim()
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(t)) return t.split(".").every((o) => Number(o) <= 255)
  return t.includes(":") && /^[0-9a-f:.]+$/i.test(t)
}
