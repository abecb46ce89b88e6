/**
 * IANA RDAP bootstrap registries (RFC 9224): validation, lookup, loading from a data dir, and an
 * update that validates all four files before swapping any of them in.
 */
import { existsSync } from "node:fs"
import { mkdir, readdir, readFile, rename, rm, symlink, writeFile } from "node:fs/promises"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { Effect, Either } from "effect"
import { ToolError } from "../../ToolError.js"
import { BodyTooLarge, readText } from "../http/body.js"
import { parseAddr } from "./ip.js"
import type { Query } from "./query.js"

/** One bootstrap registry file: entries (TLDs, prefixes, AS ranges) → base URLs. */
export interface Registry {
  readonly publication?: string | undefined
  readonly services: ReadonlyArray<readonly [ReadonlyArray<string>, ReadonlyArray<string>]>
}

/** The four bootstrap registries. */
export interface Bootstrap {
  readonly dns: Registry
  readonly ipv4: Registry
  readonly ipv6: Registry
  readonly asn: Registry
}

/** The files, by registry key. */
export const FILES = {
  dns: "dns.json",
  ipv4: "ipv4.json",
  ipv6: "ipv6.json",
  asn: "asn.json",
} as const

const URL_OK =
  /^https?:\/\/[A-Za-z0-9.-]+(?::\d{1,5})?(?:\/(?:[A-Za-z0-9._~!$&'()*+,;=:@/-]|%[0-9A-Fa-f]{2})*)?$/

/** Validates a parsed bootstrap file (shape and URLs); `Unparseable` with the reason otherwise. */
export const validateRegistry = (
  name: string,
  json: unknown,
): Either.Either<Registry, ToolError> => {
  const bad = (why: string) =>
    Either.left(new ToolError({ reason: "Unparseable", message: `RDAP bootstrap ${name}: ${why}` }))
  if (typeof json !== "object" || json === null) return bad("not a JSON object")
  const o = json as { services?: unknown; publication?: unknown; version?: unknown }
  if (!Array.isArray(o.services)) return bad("no services array")
  if (o.services.length === 0) return bad("services array is empty")
  const services: Array<readonly [Array<string>, Array<string>]> = []
  for (const s of o.services as Array<unknown>) {
    if (!Array.isArray(s) || s.length !== 2 || !Array.isArray(s[0]) || !Array.isArray(s[1])) {
      return bad("a service is not a [entries, urls] pair")
    }
    const [entries, urls] = s as [Array<unknown>, Array<unknown>]
    if (!entries.every((e) => typeof e === "string") || !urls.every((u) => typeof u === "string")) {
      return bad("service entries and URLs must be strings")
    }
    if (urls.length === 0) return bad("a service has no URL")
    const badUrl = (urls as Array<string>).find((u) => !URL_OK.test(u))
    if (badUrl !== undefined) return bad(`invalid URL ${JSON.stringify(badUrl)}`)
    services.push([entries as Array<string>, urls as Array<string>])
  }
  return Either.right({
    publication: typeof o.publication === "string" ? o.publication : undefined,
    services,
  })
}

/** Parses and validates bootstrap file text. */
export const parseRegistry = (name: string, text: string): Either.Either<Registry, ToolError> => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    return Either.left(
      new ToolError({
        reason: "Unparseable",
        message: `RDAP bootstrap ${name}: invalid JSON`,
        cause: e,
      }),
    )
  }
  return validateRegistry(name, json)
}

// Prefer https; keep the trailing slash so `domain/x` can be appended.
const pickUrl = (urls: ReadonlyArray<string>): string | undefined => {
  const u = urls.find((x) => x.startsWith("https://")) ?? urls[0]
  return u === undefined ? undefined : u.endsWith("/") ? u : `${u}/`
}

/** The RDAP base URL for `q`, by longest match (TLD suffix, prefix length, AS range). */
export const baseUrlFor = (b: Bootstrap, q: Query): string | undefined => {
  if (q.kind === "domain") {
    const labels = q.value.toLowerCase().split(".")
    for (let i = 0; i < labels.length; i++) {
      const suffix = labels.slice(i).join(".")
      const hit = b.dns.services.find(([entries]) =>
        entries.some((e) => e.toLowerCase() === suffix),
      )
      if (hit !== undefined) return pickUrl(hit[1])
    }
    return undefined
  }
  if (q.kind === "ip") {
    const a = parseAddr(q.value)
    if (a === undefined) return undefined
    const reg = a.v === 4 ? b.ipv4 : b.ipv6
    const width = a.v === 4 ? 32n : 128n
    let best: { len: number; urls: ReadonlyArray<string> } | undefined
    for (const [entries, urls] of reg.services) {
      for (const e of entries) {
        const [p, l] = e.split("/")
        const net = parseAddr(p ?? "")
        const len = Number(l)
        if (net === undefined || net.v !== a.v || !Number.isInteger(len)) continue
        const shift = width - BigInt(len)
        if (net.n >> shift === a.n >> shift && (best === undefined || len > best.len))
          best = { len, urls }
      }
    }
    return best === undefined ? undefined : pickUrl(best.urls)
  }
  for (const [entries, urls] of b.asn.services) {
    for (const e of entries) {
      const [lo, hi] = e.split("-").map(Number)
      if (lo !== undefined && q.asn >= lo && q.asn <= (hi ?? lo)) return pickUrl(urls)
    }
  }
  return undefined
}

/** The RIR of an RDAP base URL (`rdap.db.ripe.net` → ripe), for choosing a WHOIS server. */
export const rirOfUrl = (
  url: string,
): "arin" | "ripe" | "apnic" | "afrinic" | "lacnic" | undefined => {
  const m = /(arin|ripe|apnic|afrinic|lacnic)\.net/i.exec(url)
  return m === null ? undefined : (m[1]?.toLowerCase() as "arin")
}

/** The bundled snapshot's directory (`packages/tools/data/rdap`), from source or from `dist`. */
export const bundledDir = (): string => {
  const here = dirname(fileURLToPath(import.meta.url))
  for (const up of ["..", "../..", "../../..", "../../../.."]) {
    const dir = join(here, up, "data", "rdap")
    if (existsSync(join(dir, FILES.dns))) return dir
  }
  return join(here, "..", "data", "rdap")
}

/** Reads and validates the four files from `dir`. */
export const loadDir = (dir: string): Effect.Effect<Bootstrap, ToolError> =>
  Effect.gen(function* () {
    const out: Partial<Record<keyof typeof FILES, Registry>> = {}
    for (const [key, file] of Object.entries(FILES) as Array<[keyof typeof FILES, string]>) {
      const text = yield* Effect.tryPromise({
        try: () => readFile(join(dir, file), "utf8"),
        catch: (e) =>
          new ToolError({
            reason: "FileSystem",
            message: `cannot read RDAP bootstrap ${join(dir, file)}`,
            cause: e,
          }),
      })
      out[key] = yield* Either.match(parseRegistry(file, text), {
        onLeft: Effect.fail,
        onRight: Effect.succeed,
      })
    }
    return out as Bootstrap
  })

// `updateBootstrap` writes each set into its own folder and flips the `current` symlink, so a
// reader sees either the old set or the new one, never a mix. A plain folder of files works too.
const setDir = (dataDir: string): string | undefined => {
  for (const dir of [join(dataDir, "current"), dataDir]) {
    if (Object.values(FILES).every((f) => existsSync(join(dir, f)))) return dir
  }
  return undefined
}

/** Loads from `dataDir` when it holds a complete set, else the bundled snapshot. */
export const load = (dataDir?: string): Effect.Effect<Bootstrap, ToolError> => {
  const dir = dataDir === undefined ? undefined : setDir(dataDir)
  return loadDir(dir ?? bundledDir())
}

/** The largest bootstrap file read (IANA's are 2-30 KB). */
const MAX_FILE_BYTES = 16 * 1024 * 1024

/** Fetches the four files from `baseUrl`, validates all, then swaps them into `dataDir`. */
export const update = (
  baseUrl: string,
  dataDir: string,
  fetchImpl: typeof fetch,
  timeoutMs: number,
): Effect.Effect<Record<keyof typeof FILES, string | undefined>, ToolError> =>
  Effect.gen(function* () {
    const base = baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`
    const texts: Partial<Record<keyof typeof FILES, string>> = {}
    const publications: Partial<Record<keyof typeof FILES, string | undefined>> = {}
    for (const [key, file] of Object.entries(FILES) as Array<[keyof typeof FILES, string]>) {
      const url = new URL(file, base).toString()
      const text = yield* Effect.tryPromise({
        try: async () => {
          const res = await fetchImpl(url, { signal: AbortSignal.timeout(timeoutMs) })
          if (!res.ok) throw new Error(`HTTP ${res.status}`)
          return await readText(res, MAX_FILE_BYTES, file)
        },
        catch: (e) =>
          new ToolError({
            reason: e instanceof BodyTooLarge ? "OutputTooLarge" : "Network",
            message: `cannot fetch ${url}: ${e instanceof Error ? e.message : String(e)}`,
            cause: e,
          }),
      })
      const reg = yield* Either.match(parseRegistry(file, text), {
        onLeft: Effect.fail,
        onRight: Effect.succeed,
      })
      texts[key] = text
      publications[key] = reg.publication
    }
    // All four are valid: write a new set folder, then replace the `current` symlink by rename
    // (atomic on POSIX file systems), then drop older sets.
    yield* Effect.tryPromise({
      try: async () => {
        await mkdir(dataDir, { recursive: true })
        const name = `set-${new Date().toISOString().replace(/[:.]/g, "")}-${process.pid}`
        const dir = join(dataDir, name)
        await mkdir(dir)
        for (const [key, file] of Object.entries(FILES) as Array<[keyof typeof FILES, string]>) {
          await writeFile(join(dir, file), texts[key] ?? "")
        }
        const link = join(dataDir, `.current-${process.pid}-${Date.now()}`)
        await symlink(name, link)
        await rename(link, join(dataDir, "current"))
        for (const old of await readdir(dataDir)) {
          if (old.startsWith("set-") && old !== name)
            await rm(join(dataDir, old), { recursive: true, force: true })
        }
      },
      catch: (e) =>
        new ToolError({
          reason: "FileSystem",
          message: `cannot write RDAP bootstrap into ${dataDir}`,
          cause: e,
        }),
    })
    return publications as Record<keyof typeof FILES, string | undefined>
  })
