import { fileURLToPath } from "node:url"
import { defineConfig, type Options } from "tsup"

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url))

// The worker is deployed on its own: bundle the Netwark libraries from source into it, so the
// binary needs only its npm dependencies (and never a stale sibling dist).
const common: Options = {
  format: ["esm"],
  sourcemap: true,
  target: "node24",
  noExternal: [/^@netwark\//],
  esbuildOptions(options) {
    options.alias = {
      "@netwark/tools": source("../tools/src/index.ts"),
      "@netwark/transport": source("../transport/src/index.ts"),
    }
  },
}

export default defineConfig([
  // the binary
  {
    ...common,
    entry: ["src/main.ts"],
    dts: false,
    clean: true,
    banner: { js: "#!/usr/bin/env node" },
  },
  // the library entry the server's embedded mode imports
  { ...common, entry: ["src/index.ts"], dts: true, clean: false },
])
