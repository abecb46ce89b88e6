import { fileURLToPath } from "node:url"
import MagicString from "magic-string"
import { defineConfig, type Options } from "tsup"
import { effectModules, youngClosures } from "../worker/tsup.config.js"

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url))

/**
 * `import.meta.url` in a Netwark source file -> the URL of that module in its package's `dist/`
 * (as `tsc` lays it out), so that paths made from it still reach the package's own files: the OUI
 * and RDAP snapshots in the `data/` of @netwark/tools, the server's folder (PGlite's initdb child
 * resolves PGlite from there).
 */
const distUrls = (file: string, code: string): string => {
  const match = /\/packages\/([^/]+)\/src\/(.+)\.ts$/.exec(file)
  if (match === null || !code.includes("import.meta.url")) return code
  const [, pkg, module] = match
  const dist = pkg === "server" ? "import.meta.url" : `import.meta.resolve("@netwark/${pkg}")`
  return code.replaceAll("import.meta.url", `new URL("./${module}.js", ${dist}).href`)
}

/**
 * Every character past ASCII in a Netwark source file as its `\u` escape: esbuild's `charset:
 * "ascii"` leaves regular expression literals alone (the WHOIS parsers' "no está registrado",
 * "ネームサーバ"), and one such character makes V8 keep the whole bundle as UTF-16. The escape
 * means the same code unit in a string, a regular expression (with or without `u`) and a name.
 */
const asciiOnly = (code: string): string =>
  code.replace(/[^\0-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)

/**
 * esbuild's `__name(fn, "name")`, which `keepNames` wraps around every named function and class,
 * here names what has a `prototype`: classes (what Nest and Swagger read, and what a bundle may
 * rename, as `NotFoundException2`) and plain or generator `function`s. Arrow and async functions
 * keep the name JavaScript gives them, or none (an arrow inside that call has no inferred name).
 * The helper gave each closure made at run time (Effect's parsers make several per decoded value)
 * an `Object.defineProperty` and its descriptor: 3-5 % of the server's CPU under load. A name
 * already right is not defined again either.
 */
const namesWhereRead: NonNullable<Options["plugins"]>[number] = {
  name: "netwark-names-where-read",
  renderChunk(code, chunk) {
    // the names esbuild gives the parameters vary with the bundle (`value3`)
    const helper =
      /var __name=\((\w+),(\w+)\)=>__defProp\(\1,"name",\{value(?::\2)?,configurable:!0\}\)/.exec(
        code,
      )
    if (helper === null) {
      // a new esbuild that writes the helper otherwise: say so rather than lose the saving
      if (code.includes("var __name=")) throw new Error("esbuild's __name helper has changed")
      return
    }
    const [text, target, value] = helper as unknown as [string, string, string]
    const s = new MagicString(code)
    s.overwrite(
      helper.index,
      helper.index + text.length,
      `var __name=(${target},${value})=>${target}.prototype===void 0||${target}.name===${value}?${target}:__defProp(${target},"name",{value:${value},configurable:!0})`,
    )
    return { code: s.toString(), map: s.generateMap({ hires: true, source: chunk.path }) }
  },
}

/**
 * The `netwark-server` binary, `dist/main.js`: one file with the Netwark libraries (from source)
 * and the npm dependencies, tree-shaken, Effect through its modules rather than its barrel (see
 * `effectModules`). Node then keeps one script instead of ~2,000 modules, without the parts of
 * Effect, fast-check and the libraries the server never calls. The library entry
 * (`dist/index.js`, what tests and the CLI import) is still built by `tsc`.
 */
export default defineConfig({
  entry: ["src/main.ts"],
  format: ["esm"],
  platform: "node",
  target: "node24",
  sourcemap: true,
  dts: false,
  // tsc writes the rest of dist/ first
  clean: false,
  // Nest names modules, providers and OpenAPI operation ids after the classes: a bundle that
  // renames a class (two `Module`s in one scope) must still report the original name
  keepNames: true,
  // no comments or indentation: V8 keeps the source of every loaded script in the heap
  minifyWhitespace: true,
  minifySyntax: true,
  // `require` for the CommonJS dependencies (Nest, Fastify, pg) inside the ES module
  banner: {
    js: [
      'import { createRequire as __netwarkCreateRequire } from "node:module";',
      "const require = __netwarkCreateRequire(import.meta.url);",
    ].join("\n"),
  },
  noExternal: [/./],
  esbuildPlugins: [effectModules((file, code) => asciiOnly(distUrls(file, code)))],
  plugins: [namesWhereRead, youngClosures],
  esbuildOptions(options) {
    // (esbuild's own list: tsup's `external` gives way to `noExternal`)
    options.external = [
      // PGlite finds its wasm and data files beside its own modules
      "@electric-sql/pglite",
      "@electric-sql/pglite-socket",
      // Swagger UI's assets are served from the package's folder, found through its __dirname
      "swagger-ui-dist",
      // what Nest and pg require only when a feature the server does not use is asked for
      "@nestjs/microservices",
      "@nestjs/websockets",
      "@nestjs/platform-express",
      "@fastify/view",
      "class-transformer",
      "class-validator",
      "pg-native",
    ]
    // one-byte (Latin-1) source: V8 keeps a script with any other character as UTF-16, twice
    // the bytes (8 MB). The licences go beside the bundle (main.js.LEGAL.txt), not in it.
    options.charset = "ascii"
    options.legalComments = "linked"
    options.alias = {
      "@netwark/tools": source("../tools/src/index.ts"),
      "@netwark/transport": source("../transport/src/index.ts"),
      "@netwark/worker": source("../worker/src/index.ts"),
    }
  },
})
