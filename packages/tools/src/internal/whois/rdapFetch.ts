/**
 * One RDAP exchange: the base URL from the bootstrap (or the caller), the HTTP GET with its
 * deadline and size cap, and the answer normalized into a `LookupResult`.
 */
import { Duration, Effect } from "effect"
import type { Options } from "../../Rdap.js"
import { ToolError } from "../../ToolError.js"
import { BodyTooLarge, readText } from "../http/body.js"
import * as B from "./bootstrap.js"
import type { Query } from "./query.js"
import { rdapRecord, shallow } from "./rdap.js"
import type { LookupResult } from "./record.js"

const path = (q: Query): string =>
  q.kind === "domain" ? `domain/${q.value}` : q.kind === "ip" ? `ip/${q.value}` : `autnum/${q.asn}`

/**
 * Looks `q` up over RDAP. It does not check `notRegistered`: its callers (`Rdap.lookupQuery`,
 * `Whois.lookup`) have, once per lookup.
 */
export const fetchRdap = (
  q: Query,
  options: Options = {},
): Effect.Effect<LookupResult, ToolError> =>
  Effect.gen(function* () {
    const bootstrap =
      options.server === undefined
        ? (options.bootstrap ?? (yield* B.load(options.dataDir)))
        : undefined
    const named =
      options.server ?? (bootstrap === undefined ? undefined : B.baseUrlFor(bootstrap, q))
    if (named === undefined) {
      return yield* Effect.fail(
        new ToolError({
          reason: "NotFound",
          message: `no RDAP server is known for ${q.value}`,
          field: "query",
        }),
      )
    }
    const base = options.servers?.[named] ?? named
    const url = new URL(path(q), base.endsWith("/") ? base : `${base}/`).toString()
    const fetchImpl = options.fetch ?? fetch
    const timeoutMs = Duration.toMillis(Duration.decode(options.timeout ?? "10 seconds"))
    const maxBytes = options.maxBytes ?? 2 * 1024 * 1024
    const { status, text } = yield* Effect.tryPromise({
      try: async (signal) => {
        const res = await fetchImpl(url, {
          headers: { accept: "application/rdap+json, application/json" },
          signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
        })
        return { status: res.status, text: await readText(res, maxBytes, "RDAP answer") }
      },
      catch: (e) =>
        new ToolError({
          reason:
            e instanceof BodyTooLarge
              ? "OutputTooLarge"
              : e instanceof Error && (e.name === "TimeoutError" || e.name === "AbortError")
                ? "Timeout"
                : "Network",
          message: `RDAP ${url}: ${e instanceof Error ? e.message : String(e)}`,
          cause: e,
        }),
    })
    if (status >= 400 && status !== 404) {
      return yield* Effect.fail(
        new ToolError({ reason: "Network", message: `RDAP ${url}: HTTP ${status}` }),
      )
    }
    let json: unknown
    try {
      // the answer is handed on (the API serves it), so past 64 levels it is cut there too
      json = text === "" ? undefined : shallow(JSON.parse(text))
    } catch (e) {
      if (status !== 404) {
        return yield* Effect.fail(
          new ToolError({
            reason: "Unparseable",
            message: `RDAP ${url}: HTTP ${status}, body is not JSON`,
            cause: e,
          }),
        )
      }
    }
    if (status === 404)
      json = { errorCode: 404, ...(typeof json === "object" && json !== null ? json : {}) }
    const parsed = rdapRecord(json, q.kind, q.kind === "ip" ? q.value : undefined)
    const result: LookupResult = {
      query: q.input,
      normalized: q.value,
      kind: q.kind,
      source: "rdap",
      status: parsed.status,
      record: parsed.record,
      raw: text,
      rdap: json,
      chain: [
        {
          protocol: "rdap",
          server: named,
          address: base === named ? undefined : base,
          query: url,
          bytes: Buffer.byteLength(text),
          raw: text,
        },
      ],
    }
    return result
  })
