import { fileURLToPath } from "node:url"
import MagicString from "magic-string"
import { defineConfig, type Options } from "tsup"
import { effectModules, isNode, type Node, walk, youngClosures } from "../worker/tsup.config.js"

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url))

/**
 * `import.meta.url` in a Netwark source file -> the URL of that module in its package's `dist/`
 * (as `tsc` lays it out), so that paths made from it still reach the package's own files: the OUI
 * and RDAP snapshots in the `data/` of @netwark/tools, the server's `package.json` (its version).
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
 * Whether a function written at `parent` in place of `node` parses as it did, unparenthesised, and
 * stays young: V8 allocates one assigned straight to a property in the old generation (see
 * `wrapPropertyFunctions`), so there it is written `(0, fn)` as well.
 */
const standsAlone = (parent: Node | undefined, node: Node): boolean => {
  if (parent === undefined) return false
  switch (parent.type) {
    case "Property":
    case "PropertyDefinition":
      return parent["value"] === node
    case "VariableDeclarator":
      return parent["init"] === node
    case "AssignmentExpression":
      return (
        parent["right"] === node &&
        isNode(parent["left"]) &&
        parent["left"].type !== "MemberExpression"
      )
    case "AssignmentPattern":
      return parent["right"] === node
    case "CallExpression":
    case "NewExpression":
      return (parent["arguments"] as ReadonlyArray<Node>).includes(node)
    case "ArrayExpression":
      return (parent["elements"] as ReadonlyArray<Node>).includes(node)
    case "ReturnStatement":
      return parent["argument"] === node
    default:
      return false
  }
}

/**
 * The name JavaScript itself gives an anonymous function written bare at `parent` in place of
 * `node` (ES NamedEvaluation), if any.
 */
const inferredName = (parent: Node | undefined, node: Node): string | undefined => {
  if (parent === undefined || !standsAlone(parent, node)) return undefined
  const keyName = (key: unknown): string | undefined =>
    isNode(key) && key.type === "Identifier"
      ? (key["name"] as string)
      : isNode(key) && key.type === "Literal" && typeof key["value"] === "string"
        ? key["value"]
        : undefined
  const target = parent["id"] ?? parent["left"]
  switch (parent.type) {
    case "Property":
      // `__proto__: f` sets the prototype and names nothing
      return parent["kind"] === "init" && parent["computed"] === false
        ? keyName(parent["key"])?.replace(/^__proto__$/, "")
        : undefined
    case "PropertyDefinition":
      return parent["computed"] === false ? keyName(parent["key"]) : undefined
    case "VariableDeclarator":
    case "AssignmentExpression":
    case "AssignmentPattern":
      return ["=", "??=", "||=", "&&=", undefined].includes(parent["operator"] as string) &&
        isNode(target) &&
        target.type === "Identifier"
        ? (target["name"] as string)
        : undefined
    default:
      return undefined
  }
}

/**
 * esbuild's `keepNames` wraps every named function in `__name(fn, "name")` (and follows each
 * function declaration with such a call), in case the bundle renames it. Most of them name a
 * function what JavaScript already names it: a declaration or a named expression spelled so, or
 * an anonymous one written as a property, a variable or an assignment with that name (outside
 * the call it would have it). Those calls go, and so do those around arrow and async functions,
 * which the helper below leaves unnamed anyway. A closure made at run time paid for its call
 * (pg's `parse: function () {...}` for each array column read, Fastify's and Effect's per
 * request), an anonymous `function` for its `prototype`, which the helper's check made V8
 * allocate, and for `Object.defineProperty`; and an arrow that dies at once (`let settle = () =>
 * {}`, replaced by a promise's resolver) was allocated, where without the call V8 need not make
 * it. What stays names classes and plain functions the bundle renamed.
 */
export const dropSpelledNames = (code: string): MagicString => {
  const s = new MagicString(code)
  const functions = new Set(["FunctionExpression", "ArrowFunctionExpression"])
  /** `fn` and `"name"` of `__name(fn, "name")`, else undefined. */
  const naming = (node: unknown): readonly [Node, unknown] | undefined => {
    if (!isNode(node) || node.type !== "CallExpression") return undefined
    const callee = node["callee"]
    const [fn, name] = node["arguments"] as ReadonlyArray<Node | undefined>
    return isNode(callee) &&
      callee["name"] === "__name" &&
      fn !== undefined &&
      name?.type === "Literal"
      ? [fn, name["value"]]
      : undefined
  }
  walk(code, (node, parent) => {
    const body = node["body"]
    // `function next() {}` ... `__name(next, "next");` in the same body
    if (Array.isArray(body)) {
      const declared = new Set(
        body.flatMap((n: Node) =>
          n.type === "FunctionDeclaration" && isNode(n["id"]) ? [n["id"]["name"]] : [],
        ),
      )
      const spelled = (node: unknown) => {
        const named = naming(node)
        return (
          named?.[0].type === "Identifier" &&
          named[0]["name"] === named[1] &&
          declared.has(named[1])
        )
      }
      for (const statement of body as ReadonlyArray<Node>) {
        const head = statement["expression"] ?? statement["argument"]
        if (statement.type === "ExpressionStatement" && spelled(head)) {
          s.remove(statement.start, statement.end)
          continue
        }
        // minified, the calls join the statements around them: `return __name(f, "f"), f`
        if (!isNode(head) || head.type !== "SequenceExpression") continue
        const items = head["expressions"] as ReadonlyArray<Node>
        items.forEach((item, i) => {
          if (!spelled(item)) return
          if (i < items.length - 1) s.remove(item.start, items[i + 1]!.start)
          else if (statement.type === "ExpressionStatement") s.remove(items[i - 1]!.end, item.end)
        })
      }
      return
    }
    const named = naming(node)
    if (named === undefined) return
    const [fn, spelled] = named
    if (!functions.has(fn.type)) return
    const own = isNode(fn["id"]) ? fn["id"]["name"] : undefined
    // what has no `prototype` the helper below returns as it came
    const unnamed =
      fn.type === "ArrowFunctionExpression" || (fn["async"] === true && fn["generator"] !== true)
    if (unnamed || (own ?? inferredName(parent, node)) === spelled) {
      // elsewhere (`a || __name(() => 1, "f")`, `__name(function () {}, "f")()`) a bare function
      // would not parse, or would read as a declaration
      const bare = standsAlone(parent, node)
      s.overwrite(node.start, fn.start, bare ? "" : "(0,")
      s.overwrite(fn.end, node.end, bare ? "" : ")")
    }
  })
  return s
}

/**
 * The rest of esbuild's `__name` calls name what has a `prototype`: classes (what Nest and
 * Swagger read, and what a bundle may rename, as `NotFoundException2`) and plain or generator
 * `function`s, where the name differs. Arrow and async functions keep the name JavaScript gives
 * them, or none. The helper gave each closure made at run time (Effect's parsers make several
 * per decoded value) an `Object.defineProperty` and its descriptor: 3-5 % of the server's CPU
 * under load. It reads the name before the `prototype`, which V8 makes on first reading (~0.7 µs
 * and ~300 bytes for a fresh `function`).
 */
const namesWhereRead: NonNullable<Options["plugins"]>[number] = {
  name: "netwark-names-where-read",
  renderChunk(code, chunk) {
    // a split bundle (the benches') defines the helper in one chunk and calls it in all
    if (!/\.m?js$/.test(chunk.path) || !code.includes("__name(")) return
    const s = dropSpelledNames(code)
    // the names esbuild gives the parameters vary with the bundle (`value3`)
    const helper =
      /var __name=\((\w+),(\w+)\)=>__defProp\(\1,"name",\{value(?::\2)?,configurable:!0\}\)/.exec(
        code,
      )
    if (helper !== null) {
      const [text, target, value] = helper as unknown as [string, string, string]
      s.overwrite(
        helper.index,
        helper.index + text.length,
        `var __name=(${target},${value})=>${target}.name===${value}||${target}.prototype===void 0?${target}:__defProp(${target},"name",{value:${value},configurable:!0})`,
      )
    } else if (code.includes("var __name=")) {
      // a new esbuild that writes the helper otherwise: say so rather than lose the saving
      throw new Error("esbuild's __name helper has changed")
    }
    return { code: s.toString(), map: s.generateMap({ hires: "boundary", source: chunk.path }) }
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
