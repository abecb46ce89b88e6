// Copies MapLibre's Web Worker beside the app (public/vendor/, gitignored): Angular copies assets
// only from inside this package, and npm hoists maplibre-gl to the repository's node_modules.
import { copyFileSync, mkdirSync } from "node:fs"
import { createRequire } from "node:module"
import path from "node:path"
import { fileURLToPath } from "node:url"

const here = path.dirname(fileURLToPath(import.meta.url))
const require = createRequire(import.meta.url)
const dist = path.dirname(
  require.resolve("maplibre-gl/package.json").replace(/package\.json$/, "dist/maplibre-gl.mjs"),
)
const out = path.resolve(here, "../public/vendor")
mkdirSync(out, { recursive: true })
copyFileSync(path.join(dist, "maplibre-gl-worker.mjs"), path.join(out, "maplibre-gl-worker.mjs"))
