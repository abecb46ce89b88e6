import type { OperationType } from "../../../core/models"

/** One option input of the "new operation" form. */
export interface OptionField {
  readonly name: string
  readonly label: string
  readonly kind: "number" | "text" | "select" | "boolean"
  readonly min?: number
  readonly max?: number
  readonly step?: number
  readonly unit?: string
  readonly choices?: ReadonlyArray<{ readonly value: string; readonly label: string }>
  readonly placeholder?: string
  readonly help?: string
}

const ipVersion: OptionField = {
  name: "ipVersion",
  label: "IP version",
  kind: "select",
  choices: [
    { value: "", label: "Auto" },
    { value: "4", label: "IPv4" },
    { value: "6", label: "IPv6" },
  ],
}

/** The typed options of each operation type, with the API's ranges (from @netwark/tools). */
export const optionFields: Readonly<Record<OperationType, ReadonlyArray<OptionField>>> = {
  ping: [
    {
      name: "count",
      label: "Count",
      kind: "number",
      min: 1,
      max: 100,
      placeholder: "3",
      help: "Probes to send",
    },
    {
      name: "interval",
      label: "Interval",
      kind: "number",
      min: 0.2,
      max: 60,
      step: 0.1,
      unit: "s",
      placeholder: "1",
    },
    {
      name: "size",
      label: "Payload",
      kind: "number",
      min: 0,
      max: 65507,
      unit: "bytes",
      placeholder: "56",
    },
    {
      name: "timeout",
      label: "Reply timeout",
      kind: "number",
      min: 0.1,
      max: 60,
      step: 0.1,
      unit: "s",
      placeholder: "10",
    },
    ipVersion,
  ],
  mtr: [
    {
      name: "cycles",
      label: "Cycles",
      kind: "number",
      min: 1,
      max: 100,
      placeholder: "10",
      help: "Probes per hop",
    },
    {
      name: "protocol",
      label: "Protocol",
      kind: "select",
      choices: [
        { value: "", label: "ICMP" },
        { value: "udp", label: "UDP" },
        { value: "tcp", label: "TCP" },
      ],
    },
    {
      name: "port",
      label: "Port",
      kind: "number",
      min: 1,
      max: 65535,
      placeholder: "UDP/TCP only",
    },
    { name: "maxHops", label: "Max hops", kind: "number", min: 1, max: 64, placeholder: "30" },
    {
      name: "packetSize",
      label: "Packet size",
      kind: "number",
      min: 28,
      max: 9000,
      unit: "bytes",
      placeholder: "64",
    },
    {
      name: "interval",
      label: "Interval",
      kind: "number",
      min: 0.1,
      max: 60,
      step: 0.1,
      unit: "s",
      placeholder: "1",
    },
    ipVersion,
  ],
  traceroute: [
    {
      name: "protocol",
      label: "Protocol",
      kind: "select",
      choices: [
        { value: "", label: "UDP" },
        { value: "icmp", label: "ICMP" },
        { value: "tcp", label: "TCP" },
      ],
    },
    { name: "port", label: "Port", kind: "number", min: 1, max: 65535, placeholder: "auto" },
    { name: "queries", label: "Probes per hop", kind: "number", min: 1, max: 10, placeholder: "3" },
    { name: "maxHops", label: "Max hops", kind: "number", min: 1, max: 64, placeholder: "30" },
    { name: "firstHop", label: "First hop", kind: "number", min: 1, max: 64, placeholder: "1" },
    {
      name: "wait",
      label: "Wait",
      kind: "number",
      min: 0.1,
      max: 10,
      step: 0.1,
      unit: "s",
      placeholder: "5",
    },
    ipVersion,
  ],
  dns: [
    {
      name: "type",
      label: "Record type",
      kind: "select",
      choices: [
        "A",
        "AAAA",
        "CNAME",
        "MX",
        "NS",
        "TXT",
        "SOA",
        "PTR",
        "SRV",
        "CAA",
        "DS",
        "DNSKEY",
        "ANY",
      ].map((v) => ({
        value: v === "A" ? "" : v,
        label: v,
      })),
    },
    {
      name: "server",
      label: "Resolver",
      kind: "text",
      placeholder: "system resolver",
      help: "IP address",
    },
    { name: "port", label: "Resolver port", kind: "number", min: 1, max: 65535, placeholder: "53" },
    { name: "reverse", label: "Reverse lookup (-x)", kind: "boolean" },
    { name: "trace", label: "Trace from the root (+trace)", kind: "boolean" },
    { name: "tcp", label: "TCP", kind: "boolean" },
    { name: "dnssec", label: "DNSSEC", kind: "boolean" },
  ],
}

/**
 * Turns the form's raw values into the API's options object: empty inputs are left out (the
 * API's defaults apply), numbers become numbers (durations are numbers of seconds, as the API takes them).
 */
export const buildOptions = (
  type: OperationType,
  raw: Readonly<Record<string, string | boolean>>,
): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const f of optionFields[type]) {
    const v = raw[f.name]
    if (v === undefined || v === "" || v === false) continue
    if (f.kind === "boolean") out[f.name] = v === true
    else if (f.kind === "text") out[f.name] = String(v).trim()
    else if (f.name === "ipVersion") out[f.name] = Number(v)
    else if (f.kind === "select") out[f.name] = v
    else out[f.name] = Number(v)
  }
  return out
}

/** Client-side checks, mirroring the API's rules, so common slips show before a round trip. */
export const validateForm = (
  type: OperationType,
  target: string,
  raw: Readonly<Record<string, string | boolean>>,
): Record<string, string> => {
  const errors: Record<string, string> = {}
  const t = target.trim()
  if (t === "") errors["target"] = "a target is required"
  else if (t.length > 253) errors["target"] = "a target is at most 253 characters"
  else if (/\s/.test(t)) errors["target"] = "a target has no spaces"
  else if (t.startsWith("-")) errors["target"] = "a target cannot start with '-'"
  for (const f of optionFields[type]) {
    const v = raw[f.name]
    if (f.kind !== "number" || v === undefined || v === "") continue
    const n = Number(v)
    if (!Number.isFinite(n))
      errors[`options.${f.name}`] = `${f.label.toLowerCase()} must be a number`
    else if (f.step === undefined && !Number.isInteger(n))
      errors[`options.${f.name}`] = `${f.label.toLowerCase()} must be a whole number`
    else if ((f.min !== undefined && n < f.min) || (f.max !== undefined && n > f.max))
      errors[`options.${f.name}`] =
        `${f.label.toLowerCase()} must be between ${f.min} and ${f.max}${f.unit === undefined ? "" : ` ${f.unit}`}`
  }
  return errors
}

/** An API problem's field errors, keyed as the form keys them (`target`, `options.count`, `queues`). */
export const problemFieldErrors = (problem: {
  readonly detail?: string
  readonly field?: unknown
  readonly errors?: unknown
}): Record<string, string> => {
  const out: Record<string, string> = {}
  const norm = (f: string): string =>
    f.replace(/^(body|query|path)\./, "").replace(/\[\d+\]$|\.\d+$/, "")
  if (Array.isArray(problem.errors)) {
    for (const e of problem.errors as ReadonlyArray<{ field?: unknown; message?: unknown }>) {
      if (typeof e.field === "string" && typeof e.message === "string") {
        const key = norm(e.field)
        out[key] ??= e.message
      }
    }
  }
  if (typeof problem.field === "string" && problem.detail !== undefined)
    out[norm(problem.field)] ??= problem.detail
  return out
}

/** The query parameter that carries an option in a "Run again" link: `o.count=5`. */
const optionParam = (name: string): string => `o.${name}`

/**
 * An operation's options as query parameters for the new-operation page, so "Run again" repeats
 * the operation as it was (a DNS query to the same resolver, a ping with the same count), not
 * with the defaults. Only the form's own options go; values the form cannot show are left out.
 */
export const optionsQuery = (
  type: OperationType,
  options: Readonly<Record<string, unknown>>,
): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const f of optionFields[type]) {
    const v = options[f.name]
    if (f.kind === "boolean") {
      if (v === true) out[optionParam(f.name)] = "true"
    } else if (typeof v === "number" && Number.isFinite(v)) out[optionParam(f.name)] = String(v)
    else if (typeof v === "string" && v !== "") out[optionParam(f.name)] = v
  }
  return out
}

/** The form's raw values from a "Run again" link's query parameters (see `optionsQuery`). */
export const optionsFromQuery = (
  type: OperationType,
  get: (name: string) => string | null,
): Record<string, string | boolean> => {
  const raw: Record<string, string | boolean> = {}
  for (const f of optionFields[type]) {
    const v = get(optionParam(f.name))
    if (v === null) continue
    if (f.kind === "boolean") {
      if (v === "true") raw[f.name] = true
    } else if (f.kind === "select") {
      if (f.choices?.some((c) => c.value === v)) raw[f.name] = v
    } else raw[f.name] = v
  }
  return raw
}

/**
 * The form as typed, as query parameters for its own URL (`?type=ping&target=…&o.count=5&queue=…`,
 * the "Run again" shape): after submitting, Back shows the form as it was, and a reload keeps it.
 * Empty fields are left out (`null` removes them from the URL).
 */
export const formQuery = (
  type: OperationType,
  target: string,
  raw: Readonly<Record<string, string | boolean>>,
  queues: ReadonlyArray<string>,
): Record<string, string | ReadonlyArray<string> | null> => {
  const out: Record<string, string | ReadonlyArray<string> | null> = {
    type,
    target: target === "" ? null : target,
    queue: queues.length === 0 ? null : [...queues],
  }
  // Every type's option parameters, so switching type drops the old type's options.
  for (const fields of Object.values(optionFields))
    for (const f of fields) out[optionParam(f.name)] = null
  for (const f of optionFields[type]) {
    const v = raw[f.name]
    if (v === true) out[optionParam(f.name)] = "true"
    else if (typeof v === "string" && v !== "") out[optionParam(f.name)] = v
  }
  return out
}
