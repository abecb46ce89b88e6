import { readFileSync } from "node:fs"
import { readFile } from "node:fs/promises"
import { createRequire } from "node:module"
import { fileURLToPath } from "node:url"
import { parse } from "acorn"
import MagicString from "magic-string"
import { defineConfig, type Options } from "tsup"

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url))

type Plugin = NonNullable<Options["esbuildPlugins"]>[number]

/** A node of an ESTree syntax tree, as far as the walks over a chunk read one. */
export interface Node {
  readonly type: string
  readonly start: number
  readonly end: number
  readonly [key: string]: unknown
}

export const isNode = (value: unknown): value is Node =>
  typeof value === "object" && value !== null && typeof (value as Node).type === "string"

/** Every node of a chunk's syntax tree with its parent (undefined for the program). */
export const walk = (code: string, visit: (node: Node, parent: Node | undefined) => void): void => {
  const stack: Array<readonly [unknown, Node | undefined]> = [
    [parse(code, { ecmaVersion: "latest", sourceType: "module", allowHashBang: true }), undefined],
  ]
  while (stack.length > 0) {
    const [value, parent] = stack.pop()!
    if (Array.isArray(value)) {
      for (const item of value) stack.push([item, parent])
      continue
    }
    if (!isNode(value)) continue
    visit(value, parent)
    for (const key in value) {
      const child = value[key]
      if (typeof child === "object" && child !== null) stack.push([child, value])
    }
  }
}

/**
 * Every function written straight into a property (`fiber.callback = (x) => ...`, `??=` as well)
 * as `(0, ...)`. V8's parser allocates such a function in the old generation at once (it takes it
 * for a method), where it is a root of every scavenge until the next full collection: what it
 * closes over lives as long, and is promoted with it. Effect writes its asynchronous primitives so
 * (`effect_instruction_i0 = (resume) => ...`, whose scope reaches the fiber): a 100-worker
 * broadcast promoted ~0.4 MB of short-lived objects a scavenge. Within a comma expression the
 * function is an ordinary young allocation, and the same value.
 */
export const wrapPropertyFunctions = (code: string): MagicString => {
  const s = new MagicString(code)
  walk(code, (node) => {
    const right = node["right"]
    if (
      node.type === "AssignmentExpression" &&
      isNode(node["left"]) &&
      node["left"].type === "MemberExpression" &&
      isNode(right) &&
      (right.type === "ArrowFunctionExpression" || right.type === "FunctionExpression")
    ) {
      s.appendLeft(right.start, "(0,")
      s.appendRight(right.end, ")")
    }
  })
  return s
}

/** `wrapPropertyFunctions` on each chunk of a binary, after minifying, which would fold the comma. */
export const youngClosures: NonNullable<Options["plugins"]>[number] = {
  name: "netwark-young-closures",
  renderChunk(code, chunk) {
    if (!/\.m?js$/.test(chunk.path)) return
    const s = wrapPropertyFunctions(code)
    // mapped at word boundaries: per character, the worker's map grew by half
    return { code: s.toString(), map: s.generateMap({ hires: "boundary", source: chunk.path }) }
  },
}

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
    plugins: [youngClosures],
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
