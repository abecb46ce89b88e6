/**
 * Builds the bundled OUI snapshot from a directory holding the IEEE `oui.csv`, `mam.csv` and
 * `oui36.csv`:
 *
 *   npx tsx scripts/build-oui-snapshot.ts <csv-dir> --date 2026-06-06 [--source TEXT] [--out FILE]
 *
 * It goes through the same CSV reader as `Oui.loadCsvDirectory`, so the snapshot and the CSVs
 * answer every lookup alike, then gzips the snapshot (level 9) to keep the package small.
 */
import { Effect, Either } from "effect"
import { writeFileSync } from "node:fs"
import { parseArgs } from "node:util"
import { gzipSync } from "node:zlib"
import * as Oui from "../src/Oui.js"

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    date: { type: "string" },
    source: { type: "string" },
    out: { type: "string", default: Oui.bundledSnapshotPath() },
  },
})
const [dir] = positionals
if (dir === undefined || values.date === undefined) {
  console.error(
    "usage: build-oui-snapshot.ts <csv-dir> --date YYYY-MM-DD [--source TEXT] [--out FILE]",
  )
  process.exit(2)
}
const source = values.source ?? "IEEE Registration Authority CSVs (standards-oui.ieee.org)"
const loaded = await Effect.runPromise(
  Effect.either(Oui.loadCsvDirectory(dir, { date: values.date, source })),
)
if (Either.isLeft(loaded)) {
  console.error(loaded.left.message)
  process.exit(1)
}
const csv = loaded.right
const raw = Oui.toSnapshot(csv)
const gz = gzipSync(raw, { level: 9 })
writeFileSync(values.out, gz)
console.log(
  `${values.out}: ${raw.length} bytes raw, ${gz.length} gzipped; counts ${JSON.stringify(csv.meta.counts)}`,
)
