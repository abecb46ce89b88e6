import type { DnsParsed } from "../../../core/models"

const noAnswer: Readonly<Record<string, string>> = {
  timeout: "No answer: no DNS server could be reached (timed out).",
  "connection-refused": "No answer: the DNS server refused the connection.",
  "resolver-error": "No answer: dig could not find the address of the DNS server.",
  "bad-packet": "No answer: the reply could not be read (bad packet).",
  error: "dig reported an error; see the raw output.",
  empty: "dig printed nothing; see the raw output.",
  unparseable: "dig's output could not be read; see the raw output.",
}

/**
 * Why a dig result holds no DNS answer at all (the lower-case statuses of @netwark/tools' Dns:
 * no server reached, refused…), in words, with dig's own error line when it printed one; null
 * when a server answered (NOERROR, NXDOMAIN, SERVFAIL… are answers, shown as the rcode).
 */
export const dnsFailure = (parsed: DnsParsed | undefined): string | null => {
  const status = parsed?.status
  if (status === undefined || parsed?.messages?.some((m) => m.rcode !== undefined)) return null
  const text = noAnswer[status]
  if (text === undefined) return null
  const detail = parsed?.errors?.find((e) => e.trim() !== "")?.replace(/^;;\s*/, "")
  return detail === undefined ? text : `${text} (${detail})`
}
