/**
 * GeoLite2/GeoIP2 downloads: fetch the tar.gz, pull out the `.mmdb`, verify it, then rename it into
 * place so readers (and the hot-reload watcher) only ever see a whole, valid file.
 */
import { randomBytes } from "node:crypto"
import { mkdir, rename, rm, writeFile } from "node:fs/promises"
import path from "node:path"
import { gunzip } from "node:zlib"
import { promisify } from "node:util"
import { Duration, Effect, Either, Redacted } from "effect"
import { ToolError } from "../../ToolError.js"
import { readBody } from "../http/body.js"
import { openBuffer, type DatabaseMetadata } from "./database.js"
import { parseTar } from "./tar.js"

const gunzipAsync = promisify(gunzip)

/** MaxMind's current download endpoint (HTTP basic auth `accountId:licenseKey`). */
export const DOWNLOAD_URL =
  "https://download.maxmind.com/geoip/databases/{edition}/download?suffix=tar.gz"
/** MaxMind's legacy endpoint, with the key in the query string. */
export const LEGACY_DOWNLOAD_URL =
  "https://download.maxmind.com/app/geoip_download?edition_id={edition}&license_key={licenseKey}&suffix=tar.gz"

/** Options of an update run. */
export interface UpdateOptions {
  readonly licenseKey: Redacted.Redacted<string>
  /** Needed by the current endpoint (basic auth); the legacy one takes the key alone. */
  readonly accountId?: string
  readonly editionIds?: ReadonlyArray<string>
  /**
   * A URL template with `{edition}` (and, for the legacy scheme, `{licenseKey}`), or a bare origin
   * such as `http://127.0.0.1:8080`, to which the current scheme's path is appended.
   */
  readonly baseUrl?: string
  readonly dir: string
  readonly timeout?: Duration.DurationInput
  /** Refuses archives larger than this many bytes (compressed or not). */
  readonly maxBytes?: number
}

/** One database written by an update. */
export interface UpdatedDatabase {
  readonly editionId: string
  readonly path: string
  readonly metadata: DatabaseMetadata
}

const REDACTED = "<redacted>"

/** Builds the download URL for `edition`; the second URL is the one safe to show. */
export const downloadUrl = (
  template: string,
  edition: string,
  licenseKey: string,
): { readonly url: string; readonly shown: string } => {
  const full = template.includes("{edition}")
    ? template
    : `${template.replace(/\/+$/, "")}/geoip/databases/{edition}/download?suffix=tar.gz`
  const fill = (key: string) =>
    full.replaceAll("{edition}", encodeURIComponent(edition)).replaceAll("{licenseKey}", key)
  return { url: fill(encodeURIComponent(licenseKey)), shown: fill(REDACTED) }
}

const redact = (text: string, key: string): string =>
  key === "" ? text : text.replaceAll(key, REDACTED).replaceAll(encodeURIComponent(key), REDACTED)

const fetchArchive = (
  options: UpdateOptions,
  edition: string,
): Effect.Effect<Buffer, ToolError> => {
  const key = Redacted.value(options.licenseKey)
  const { url, shown } = downloadUrl(options.baseUrl ?? DOWNLOAD_URL, edition, key)
  const maxBytes = options.maxBytes ?? 1024 * 1024 * 1024
  const headers: Record<string, string> = {}
  if (options.accountId !== undefined) {
    headers["authorization"] =
      `Basic ${Buffer.from(`${options.accountId}:${key}`).toString("base64")}`
  }
  return Effect.tryPromise({
    try: async (signal): Promise<Either.Either<Buffer, number>> => {
      const response = await fetch(url, { headers, signal, redirect: "follow" })
      if (!response.ok) {
        await response.body?.cancel()
        return Either.left(response.status)
      }
      return Either.right(await readBody(response, maxBytes, "archive"))
    },
    catch: (e) =>
      new ToolError({
        reason: "Network",
        message: redact(
          `download of ${edition} from ${shown} failed: ${e instanceof Error ? e.message : String(e)}`,
          key,
        ),
      }),
  }).pipe(
    Effect.timeoutFail({
      duration: options.timeout ?? Duration.minutes(5),
      onTimeout: () =>
        new ToolError({
          reason: "Timeout",
          message: `download of ${edition} from ${shown} timed out`,
        }),
    }),
    Effect.flatMap(
      Either.match({
        onRight: Effect.succeed,
        onLeft: (status) =>
          Effect.fail(
            status === 401 || status === 403
              ? new ToolError({
                  reason: "InvalidInput",
                  field: "licenseKey",
                  message: `MaxMind refused the licence key (HTTP ${status}) for ${edition} at ${shown}`,
                })
              : new ToolError({
                  reason: status === 404 ? "NotFound" : "Network",
                  message: `download of ${edition} from ${shown} failed: HTTP ${status}`,
                }),
          ),
      }),
    ),
  )
}

const extract = (
  archive: Buffer,
  edition: string,
  maxBytes: number,
): Effect.Effect<Buffer, ToolError> =>
  Effect.tryPromise({
    try: () => gunzipAsync(archive, { maxOutputLength: maxBytes }),
    catch: (e) =>
      new ToolError({
        reason: "Unparseable",
        message: `${edition}: archive is not valid gzip (${e instanceof Error ? e.message : String(e)})`,
      }),
  }).pipe(
    Effect.flatMap((tar) =>
      Either.flatMap(parseTar(tar), (entries) => {
        const mmdb =
          entries.find((e) => path.posix.basename(e.path) === `${edition}.mmdb`) ??
          entries.find((e) => e.path.endsWith(".mmdb"))
        return mmdb === undefined
          ? Either.left(
              new ToolError({
                reason: "Unparseable",
                message: `${edition}: archive holds no .mmdb file`,
              }),
            )
          : Either.right(mmdb.data)
      }),
    ),
  )

/** Downloads, verifies and installs each edition; a failure leaves every existing file untouched. */
export const updateDatabases = (
  options: UpdateOptions,
): Effect.Effect<ReadonlyArray<UpdatedDatabase>, ToolError> =>
  Effect.gen(function* () {
    const editions = options.editionIds ?? ["GeoLite2-City", "GeoLite2-ASN"]
    if (editions.length === 0)
      return yield* Effect.fail(
        new ToolError({
          reason: "InvalidInput",
          field: "editionIds",
          message: "no edition to update",
        }),
      )
    for (const e of editions) {
      if (!/^[A-Za-z0-9-]+$/.test(e)) {
        return yield* Effect.fail(
          new ToolError({
            reason: "InvalidInput",
            field: "editionIds",
            message: `bad edition id "${e}"`,
          }),
        )
      }
    }
    if (Redacted.value(options.licenseKey).trim() === "") {
      return yield* Effect.fail(
        new ToolError({
          reason: "InvalidInput",
          field: "licenseKey",
          message: "the licence key is empty",
        }),
      )
    }
    const maxBytes = options.maxBytes ?? 1024 * 1024 * 1024
    // Verify every edition before installing any, so one bad download does not leave a mixed set.
    const verified = yield* Effect.forEach(editions, (edition) =>
      Effect.gen(function* () {
        const archive = yield* fetchArchive(options, edition)
        const data = yield* extract(archive, edition, maxBytes)
        const db = yield* openBuffer(data, `${edition} download`)
        if (db.metadata.databaseType !== edition) {
          return yield* Effect.fail(
            new ToolError({
              reason: "Unparseable",
              message: `${edition}: downloaded database is of type ${db.metadata.databaseType}`,
            }),
          )
        }
        return { edition, data, metadata: db.metadata }
      }),
    )
    yield* Effect.tryPromise({
      try: () => mkdir(options.dir, { recursive: true }),
      catch: (e) =>
        new ToolError({
          reason: "FileSystem",
          message: `cannot create ${options.dir}: ${String(e)}`,
          cause: e,
        }),
    })
    return yield* Effect.forEach(verified, ({ edition, data, metadata }) => {
      const target = path.join(options.dir, `${edition}.mmdb`)
      const temp = path.join(
        options.dir,
        `.${edition}.mmdb.${process.pid}.${randomBytes(4).toString("hex")}.tmp`,
      )
      return Effect.tryPromise({
        try: async () => {
          try {
            await writeFile(temp, data, { flush: true })
            await rename(temp, target)
          } catch (e) {
            await rm(temp, { force: true })
            throw e
          }
          return { editionId: edition, path: target, metadata }
        },
        catch: (e) =>
          new ToolError({
            reason: "FileSystem",
            message: `cannot install ${target}: ${String(e)}`,
            cause: e,
          }),
      })
    })
  })
