/**
 * Builds the bundled OUI snapshot from a directory holding the IEEE `oui.csv`, `mam.csv` and
 * `oui36.csv`:
 *
 *   npx tsx scripts/build-oui-snapshot.ts <csv-dir> --date 2026-06-06 [--source TEXT] [--out FILE]
 *
 * It goes through the same CSV reader as `Oui.loadCsvDirectory`, so the snapshot and the CSVs
 * answer every lookup alike. The string tables inside are deflated in chunks, so the file needs no
 * further compression (and loading needs no gunzip).
 */
import { Effect, Either } from "effect"
import { writeFileSync } from "node:fs"
import { parseArgs } from "node:util"
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
writeFileSync(values.out, raw)
console.log(`${values.out}: ${raw.length} bytes; counts ${JSON.stringify(csv.meta.counts)}`)
