import { readFileSync } from "node:fs"
import { readFile } from "node:fs/promises"
import { createRequire } from "node:module"
import { fileURLToPath } from "node:url"
import { defineConfig, type Options } from "tsup"

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url))

type Plugin = NonNullable<Options["esbuildPlugins"]>[number]

/**
 * `import { Effect, pipe } from "effect"` -> `import * as Effect from "effect/Effect"` and
 * `import { pipe } from "effect/Function"`. esbuild cannot tree-shake the namespaces of a barrel
 * (`export * as Effect from "./Effect.js"`, evanw/esbuild#1420): through "effect" the binary
 * carried 2,000 getters, fast-check and most of Effect, and the worker idled at ~100 MB RSS;
 * through the modules it carries what it calls (~75 MB). The mapping is read from Effect's own
 * barrel; an import of "effect" this cannot rewrite fails the build. The server's binary is built
 * with it too, with `also`: a further rewrite of each Netwark source file.
 */
export const effectModules = (
  also: (file: string, code: string) => string = (_, code) => code,
): Plugin => {
  const barrel = readFileSync(
    createRequire(import.meta.url)
      .resolve("effect")
      .replace(/\/cjs\/index\.js$/, "/esm/index.js"),
    "utf8",
  )
  const home = new Map<string, string>()
  for (const [, name] of barrel.matchAll(/export \* as (\w+) from "\.\/\w+\.js"/g))
    home.set(name!, `* as ${name}`)
  for (const [, names, module] of barrel.matchAll(/export \{([^}]*)\} from "\.\/(\w+)\.js"/g))
    for (const name of names!.split(",").map((n) => n.trim()))
      if (name !== "") home.set(name, `{ ${name} }|${module}`)
  const rewrite = (file: string, code: string): string => {
    const out = code.replace(
      /import\s+(type\s+)?\{([^}]*)\}\s+from\s+"effect";?/g,
      (_, typeOnly: string | undefined, list: string) =>
        typeOnly
          ? ""
          : list
              .split(",")
              .map((s) => s.trim())
              .filter((s) => s !== "" && !s.startsWith("type "))
              .map((spec) => {
                const [name, alias] = spec.split(/\s+as\s+/) as [string, string | undefined]
                const where = home.get(name)
                if (where === undefined) throw new Error(`${file}: "effect" exports no ${name}`)
                const [binding, module = name] = where.split("|") as [string, string | undefined]
                const local =
                  alias === undefined
                    ? binding
                    : binding.startsWith("*")
                      ? `* as ${alias}`
                      : `{ ${name} as ${alias} }`
                return `import ${local} from "effect/${module}";`
              })
              .join(" "),
    )
    if (/from\s+"effect"|import\(\s*"effect"\s*\)/.test(out))
      throw new Error(`${file}: an import of "effect" the build cannot rewrite to its modules`)
    return out
  }
  return {
    name: "effect-modules",
    setup(build) {
      build.onLoad({ filter: /\/packages\/[^/]+\/src\/.*\.ts$/ }, async ({ path }) => ({
        contents: also(path, rewrite(path, await readFile(path, "utf8"))),
        loader: "ts",
      }))
    },
  }
}

export default defineConfig([
  {
    // The binary is deployed on its own: one file with the Netwark libraries (from source) and
    // its npm dependencies, tree-shaken. It loads only the code it runs, which is most of its
    // memory: see `effectModules`.
    entry: ["src/main.ts"],
    format: ["esm"],
    sourcemap: true,
    target: "node24",
    dts: false,
    // the two builds run at once: each cleans its own files only
    clean: ["!index.*"],
    // no comments or indentation: V8 keeps the source of the script in the heap
    minifyWhitespace: true,
    minifySyntax: true,
    // `require` for the CommonJS dependencies (rabbitmq-client) inside the ES module
    banner: {
      js: [
        "#!/usr/bin/env node",
        'import { createRequire as __netwarkCreateRequire } from "node:module";',
        "const require = __netwarkCreateRequire(import.meta.url);",
      ].join("\n"),
    },
    noExternal: [/./],
    esbuildPlugins: [effectModules()],
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
