/**
 * `npm run test:e2e`: the browser tests, skipped with a clear message when Debian's Chromium is
 * missing (CI installs it). Runs node's test runner on `console.e2e.ts`.
 */
import { spawnSync } from "node:child_process"
import { existsSync } from "node:fs"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { chromiumPath } from "./harness.ts"

const here = path.dirname(fileURLToPath(import.meta.url))
if (!existsSync(chromiumPath)) {
  console.log(
    `e2e: skipped, ${chromiumPath} is missing (apt-get install chromium to run the browser tests)`,
  )
  process.exit(0)
}
const r = spawnSync(
  process.execPath,
  [
    "--import",
    "tsx",
    "--test",
    "--test-concurrency=1",
    "--test-timeout=600000",
    path.join(here, "console.e2e.ts"),
  ],
  {
    stdio: "inherit",
  },
)
process.exit(r.status ?? 1)
