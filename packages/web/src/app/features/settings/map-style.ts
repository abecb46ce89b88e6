/**
 * Why a map style URL cannot be used, or null: it must be an http(s) URL (absolute, or a path on
 * this server); `{token}` stands for the access token. Saved unchecked, a typo used to leave
 * every map in the console blank.
 */
export const styleUrlError = (url: string, base: string): string | null => {
  const u = url.trim()
  if (u === "") return null
  let parsed: URL
  try {
    parsed = new URL(u.replaceAll("{token}", "token"), base)
  } catch {
    return "not a URL: use https://host/path/style.json"
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:")
    return `a style URL is http or https, not ${parsed.protocol.replace(/:$/, "")}`
  return null
}
