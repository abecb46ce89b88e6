import { fileURLToPath } from "node:url"
import { defineConfig } from "tsup"

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url))

export default defineConfig([
  {
    // The binary is deployed on its own: bundle the Netwark libraries from source into it, so it
    // needs only its npm dependencies (and never a stale sibling dist).
    entry: ["src/main.ts"],
    format: ["esm"],
    sourcemap: true,
    target: "node24",
    dts: false,
    // the two builds run at once: each cleans its own files only
    clean: ["!index.*"],
    banner: { js: "#!/usr/bin/env node" },
    noExternal: [/^@netwark\//],
    esbuildOptions(options) {
      options.alias = {
        "@netwark/tools": source("../tools/src/index.ts"),
        "@netwark/transport": source("../transport/src/index.ts"),
      }
    },
  },
  {
    // The library entry for the server's embedded mode: it imports the libraries, so the server
    // and its in-process worker share one copy of them.
    entry: ["src/index.ts"],
    format: ["esm"],
    sourcemap: true,
    target: "node24",
    dts: true,
    clean: ["!main.*"],
  },
])
