/**
 * What a network tool is pointed at: an IP literal or a host name, validated before anything runs,
 * plus an administrator's allow/deny policy checked after name resolution.
 *
 * Host name rules (documented decisions):
 * - IDN input is converted to punycode (`node:url` `domainToASCII`), lower-cased, one trailing dot
 *   dropped; labels 1–63 characters, the whole name at most 253.
 * - Label characters are `a-z 0-9 -` and `_`. Underscores are allowed because DNS needs them
 *   (`_sip._tcp.example.com`, `_dmarc.example.com`) and internal hosts sometimes carry them; they
 *   are harmless to argv. A label may not start or end with `-`.
 * - The last label may not be all-numeric or a hex number: `127.1` or `0x7f.1` would be read by
 *   `inet_aton` as an address, slipping an IP past literal validation.
 * - Nothing that starts with `-` (option injection), no whitespace, control, shell or URL characters.
 * - IPv6 zone ids (`fe80::1%eth0`) are refused: pick the interface with the tool's `interface`
 *   option instead, which is validated as an interface name.
 * - An IPv6 literal may come in brackets (`[::1]`). A URL or a `host:port` is refused, naming the
 *   host to give instead: pasted from a browser or a config file, they are the commonest mistakes.
 *
 * @module
 */
import * as dns from "node:dns/promises"
import { domainToASCII, domainToUnicode } from "node:url"
import { Effect, Either } from "effect"
import * as Ip from "./internal/ip/address.js"
import * as Address from "./internal/target/Address.js"
import { ToolError, invalidInput } from "./ToolError.js"

/** A validated target: an IP literal (canonical text) or a host name (ASCII and Unicode forms). */
export type Target =
  | { readonly kind: "ip"; readonly address: string; readonly version: 4 | 6 }
  | { readonly kind: "hostname"; readonly name: string; readonly unicode: string }

const invalid = (input: string, why: string): ToolError =>
  new ToolError({
    reason: "InvalidTarget",
    field: "target",
    message: `invalid target ${JSON.stringify(input.length > 80 ? input.slice(0, 80) + "…" : input)}: ${why}`,
  })

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/
const WHITESPACE = /\s/u
const FORBIDDEN = /[;&|`$(){}<>\\'"*?!#~^=,@/[\]]/
const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/
const URL_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i
const BRACKETED = /^\[([^\]]*)\](?::([0-9]{1,5}))?$/

/** ` (give X)` when `host` is a valid target itself, so that a refusal says what to type. */
const instead = (host: string | undefined): string => {
  if (host === undefined || host === "") return ""
  const parsed = parse(host)
  return Either.isRight(parsed) ? `: give ${toArg(parsed.right)}` : ""
}

/** The host of a URL, without brackets; undefined when it has none. */
const urlHost = (input: string): string | undefined => {
  try {
    return new URL(input).hostname.replace(/^\[(.*)\]$/, "$1") || undefined
  } catch {
    return undefined
  }
}

/** Parses and validates a target; never throws. */
export const parse = (input: string): Either.Either<Target, ToolError> => {
  if (typeof input !== "string") return Either.left(invalid(String(input), "not a string"))
  if (input.length === 0) return Either.left(invalid(input, "empty"))
  if (input.length > 1024) return Either.left(invalid(input, "longer than 253 characters"))
  if (CONTROL.test(input)) return Either.left(invalid(input, "contains a control character"))
  if (WHITESPACE.test(input)) return Either.left(invalid(input, "contains whitespace"))
  if (input.startsWith("-"))
    return Either.left(invalid(input, "starts with '-' and could be read as an option"))
  if (input.includes("%"))
    return Either.left(
      invalid(input, "IPv6 zone ids are not supported; use the interface option instead"),
    )
  if (URL_SCHEME.test(input))
    return Either.left(
      invalid(input, `a URL, not a host name or address${instead(urlHost(input))}`),
    )
  const bracketed = BRACKETED.exec(input)
  if (bracketed !== null) {
    const a = Ip.parseIpv6(bracketed[1]!)
    if (a === undefined) return Either.left(invalid(input, "not a valid IPv6 address"))
    if (bracketed[2] !== undefined)
      return Either.left(invalid(input, `a port is not part of the target${instead(bracketed[1])}`))
    return Either.right({ kind: "ip", address: Ip.format(a), version: 6 })
  }
  // one colon is never IPv6 (that takes two at least): a host:port
  if (input.includes(":") && input.indexOf(":") === input.lastIndexOf(":")) {
    const [host, port] = input.split(":") as [string, string]
    return Either.left(
      invalid(
        input,
        /^[0-9]{1,5}$/.test(port)
          ? `a port is not part of the target${instead(host)}`
          : "neither an IPv6 address nor a host name (a single ':')",
      ),
    )
  }
  if (input.includes(":")) {
    const a = Ip.parseIpv6(input)
    return a === undefined
      ? Either.left(invalid(input, "not a valid IPv6 address"))
      : Either.right({ kind: "ip", address: Ip.format(a), version: 6 })
  }
  const v4 = Ip.parseIpv4(input)
  if (v4 !== undefined) return Either.right({ kind: "ip", address: Ip.format(v4), version: 4 })
  if (FORBIDDEN.test(input))
    return Either.left(invalid(input, "contains a character not allowed in a host name"))
  if (/^[0-9.]+$/.test(input)) return Either.left(invalid(input, "not a valid IPv4 address"))
  const ascii = domainToASCII(input)
  if (ascii === "") return Either.left(invalid(input, "not a valid (internationalised) host name"))
  // The WHATWG host parser turns `0x7f.1` or full-width digits into an IPv4 address: only the
  // plain dotted quad is accepted as an address, so these are refused rather than silently mapped.
  if (Ip.parseIpv4(ascii) !== undefined)
    return Either.left(invalid(input, "an IPv4 address in a non-standard form; write a.b.c.d"))
  const name = ascii.endsWith(".") ? ascii.slice(0, -1) : ascii
  if (name.length === 0) return Either.left(invalid(input, "empty host name"))
  if (name.length > 253)
    return Either.left(invalid(input, `host name is ${name.length} characters, the limit is 253`))
  const labels = name.split(".")
  for (const label of labels) {
    if (label.length === 0) return Either.left(invalid(input, "empty label (two dots in a row)"))
    if (label.length > 63)
      return Either.left(invalid(input, `label is ${label.length} characters, the limit is 63`))
    if (!LABEL.test(label))
      return Either.left(
        invalid(
          input,
          `label ${JSON.stringify(label)} must be letters, digits, '-' or '_' and not start or end with '-'`,
        ),
      )
  }
  for (const label of labels) {
    // Node 24's domainToASCII passes malformed punycode through, so round-trip it ourselves.
    if (label.startsWith("xn--")) {
      const unicode = domainToUnicode(label)
      if (unicode === "" || unicode === label || domainToASCII(unicode) !== label)
        return Either.left(invalid(input, `label ${JSON.stringify(label)} is not valid punycode`))
    }
  }
  if (Ip.endsInNumber(name))
    return Either.left(
      invalid(input, "the last label is numeric, so it is neither an IPv4 address nor a host name"),
    )
  return Either.right({ kind: "hostname", name, unicode: domainToUnicode(name) })
}

/** The text to hand a tool (address or ASCII name). */
export const toArg = (target: Target): string =>
  target.kind === "ip" ? target.address : target.name

/** Human form (Unicode for IDN names). */
export const display = (target: Target): string =>
  target.kind === "ip" ? target.address : target.unicode

/** Allow/deny lists. Rules: a CIDR (`10.0.0.0/8`, `fd00::/8`), an address, a host name, or `*.suffix`. */
export interface Policy {
  readonly allow?: ReadonlyArray<string>
  readonly deny?: ReadonlyArray<string>
}

/** Allows everything: Netwark is mostly for internal networks and the policy is the administrator's. */
export const allowAll: Policy = {}

/** A resolved address as `dns.lookup({ all: true })` returns it. */
export interface ResolvedAddress {
  readonly address: string
  readonly family: 4 | 6
}

/** Name resolution, injectable for tests. */
export type Resolver = (name: string) => Promise<ReadonlyArray<ResolvedAddress>>

/** The system resolver (getaddrinfo: /etc/hosts, then DNS). */
export const systemResolver: Resolver = async (name) =>
  (await dns.lookup(name, { all: true, verbatim: true })).map((r) => ({
    address: r.address,
    family: r.family === 6 ? 6 : 4,
  }))

/** A target that passed the policy, with every address it resolved to. */
export interface Checked {
  readonly target: Target
  readonly addresses: ReadonlyArray<string>
}

type Rule =
  | { readonly kind: "cidr"; readonly text: string; readonly cidr: Address.Cidr }
  | { readonly kind: "name"; readonly text: string; readonly name: string }
  | { readonly kind: "suffix"; readonly text: string; readonly suffix: string }

const parseRule = (list: "allow" | "deny", text: string): Either.Either<Rule, ToolError> => {
  const cidr = Address.parseCidr(text)
  if (cidr !== undefined) return Either.right({ kind: "cidr", text, cidr })
  const wildcard = text.startsWith("*.")
  const parsed = parse(wildcard ? text.slice(2) : text)
  if (Either.isLeft(parsed) || parsed.right.kind !== "hostname")
    return Either.left(
      invalidInput(
        `policy.${list}`,
        `policy rule ${JSON.stringify(text)} is not a CIDR, an address, a host name or *.suffix`,
      ),
    )
  return Either.right(
    wildcard
      ? { kind: "suffix", text, suffix: parsed.right.name }
      : { kind: "name", text, name: parsed.right.name },
  )
}

const nameMatches = (rule: Rule, name: string): boolean =>
  (rule.kind === "name" && rule.name === name) ||
  (rule.kind === "suffix" && name.endsWith("." + rule.suffix))

const addressMatches = (rule: Rule, address: Address.Address): boolean =>
  rule.kind === "cidr" && Address.contains(rule.cidr, address)

/** Validates a policy's rules (useful at configuration time). */
export const validatePolicy = (
  policy: Policy,
): Either.Either<{ allow: ReadonlyArray<Rule>; deny: ReadonlyArray<Rule> }, ToolError> =>
  Either.all({
    allow: Either.all((policy.allow ?? []).map((r) => parseRule("allow", r))),
    deny: Either.all((policy.deny ?? []).map((r) => parseRule("deny", r))),
  })

/**
 * Resolves a host name (all addresses) and checks the name and every address against the deny list,
 * then the allow list. With an allow list, each address must be allowed by a CIDR rule or by the
 * name matching a name rule. Fails with `PolicyDenied` (naming the rule), `UnknownHost`, or
 * `InvalidInput` for a malformed policy.
 */
export const check = (
  policy: Policy,
  target: Target,
  options: { readonly resolve?: Resolver } = {},
): Effect.Effect<Checked, ToolError> =>
  Effect.gen(function* () {
    const rules = yield* validatePolicy(policy)
    const resolve = options.resolve ?? systemResolver
    const addresses: ReadonlyArray<string> =
      target.kind === "ip"
        ? [target.address]
        : yield* Effect.tryPromise({
            try: () => resolve(target.name),
            catch: (e) => {
              const code = (e as NodeJS.ErrnoException | undefined)?.code
              return new ToolError({
                reason:
                  code === "ENOTFOUND" || code === "ENODATA" || code === "EAI_NONAME"
                    ? "UnknownHost"
                    : "Network",
                field: "target",
                message:
                  code === "ENOTFOUND" || code === "ENODATA" || code === "EAI_NONAME"
                    ? `unknown host ${target.unicode}`
                    : `could not resolve ${target.unicode}: ${String((e as Error | undefined)?.message ?? e)}`,
                cause: e,
              })
            },
          }).pipe(
            Effect.map((rs) => rs.map((r) => r.address)),
            Effect.filterOrFail(
              (rs) => rs.length > 0,
              () =>
                new ToolError({
                  reason: "UnknownHost",
                  field: "target",
                  message: `unknown host ${display(target)}`,
                }),
            ),
          )
    const parsed = addresses.map((a) => ({ text: a, address: Ip.parse(a.split("%")[0] ?? a) }))
    const name = target.kind === "hostname" ? target.name : undefined
    const denied = (rule: Rule, what: string) =>
      new ToolError({
        reason: "PolicyDenied",
        field: "target",
        message: `${display(target)} is refused by policy: ${what} matches deny rule ${rule.text}`,
      })
    for (const rule of rules.deny) {
      if (name !== undefined && nameMatches(rule, name))
        return yield* Effect.fail(denied(rule, name))
      for (const a of parsed)
        if (a.address !== undefined && addressMatches(rule, a.address))
          return yield* Effect.fail(denied(rule, a.text))
    }
    if (rules.allow.length > 0) {
      const byName = name !== undefined && rules.allow.some((r) => nameMatches(r, name))
      if (!byName) {
        for (const a of parsed) {
          if (a.address === undefined || !rules.allow.some((r) => addressMatches(r, a.address!)))
            return yield* Effect.fail(
              new ToolError({
                reason: "PolicyDenied",
                field: "target",
                message: `${display(target)} is refused by policy: ${a.text} matches no allow rule`,
              }),
            )
        }
      }
    }
    return { target, addresses }
  })
