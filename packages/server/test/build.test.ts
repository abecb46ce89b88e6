import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import path from "node:path"
import { build } from "esbuild"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { dropSpelledNames } from "../tsup.config.js"

const transform = (code: string): string => dropSpelledNames(code).toString()

describe("dropSpelledNames (the server binary's build)", () => {
  it("drops the __name calls that name a function what JavaScript names it, and those around arrow and async functions", () => {
    expect(
      transform(
        'var o={parse:__name(function(){return 1},"parse"),arrow:__name(()=>2,"arrow"),named:__name(function(){return 3},"inner"),"s":__name(function(){},"s"),__proto__:__name(function(){},"__proto__"),[k]:__name(function(){},"k")};' +
          'function decl(x){function next(){return x}__name(next,"next");let v=__name(function(){},"v"),a=__name(()=>1,"a"),z;return z=__name(function(){},"z"),g(__name(function(){},"cb")),[next,v,a,z]}__name(decl,"decl");' +
          'function helper2(){}__name(helper2,"helper");var K=class{static{__name(this,"K")}f=__name(()=>1,"f")},w=__name(function w2(){},"w");q.p=__name(function(){},"p");' +
          'let settle2=__name(()=>{},"settle"),run2=__name(async function(){},"run"),gen2=__name(async function*(){},"gen");' +
          'h=a||__name(()=>1,"f"),__name(()=>2,"g")(),__name(function(){},"i")();',
      ),
    ).toBe(
      'var o={parse:function(){return 1},arrow:()=>2,named:__name(function(){return 3},"inner"),"s":function(){},__proto__:__name(function(){},"__proto__"),[k]:__name(function(){},"k")};' +
        'function decl(x){function next(){return x}let v=function(){},a=()=>1,z;return z=function(){},g(__name(function(){},"cb")),[next,v,a,z]}' +
        'function helper2(){}__name(helper2,"helper");var K=class{static{__name(this,"K")}f=()=>1},w=__name(function w2(){},"w");q.p=__name(function(){},"p");' +
        'let settle2=()=>{},run2=async function(){},gen2=__name(async function*(){},"gen");' +
        'h=a||(0,()=>1),(0,()=>2)(),__name(function(){},"i")();',
    )
  })

  it("writes an arrow assigned to a property as (0, fn), so that V8 allocates it young", () => {
    expect(transform('a.b=__name(()=>1,"b");')).toBe("a.b=(0,()=>1);")
  })

  describe("on what esbuild writes", () => {
    let dir = ""
    beforeAll(() => void (dir = mkdtempSync(path.join(tmpdir(), "netwark-names-"))))
    afterAll(() => rmSync(dir, { recursive: true, force: true }))

    /** Every function the sample reaches, by a path, with its name. */
    const names = async (code: string, file: string): Promise<Record<string, string>> => {
      writeFileSync(path.join(dir, file), code)
      const { collect } = (await import(path.join(dir, file))) as {
        collect: () => Record<string, string>
      }
      return collect()
    }

    it("gives every function the same name as before, and makes fewer calls", async () => {
      // two modules with a `helper` each: the bundle renames one, and its name must stay right
      const a = path.join(dir, "a.ts")
      const b = path.join(dir, "b.ts")
      const entry = path.join(dir, "entry.ts")
      writeFileSync(a, "export function helper() { return 'a' }\n")
      writeFileSync(
        b,
        "export function helper() { return 'b' }\nexport const parse = { parse: function () { return 1 } }\n",
      )
      writeFileSync(
        entry,
        [
          'import { helper as ha } from "./a"',
          'import { helper as hb, parse } from "./b"',
          "const make = (x: number) => {",
          "  function next() { return x }",
          "  const v = function () {}, arrow = () => x, named = function inner() {}",
          "  let z; z = function () {}",
          "  const o = { m: function () {}, a: () => 1, 'q r': function () {}, n: function n2() {} }",
          "  class Local { f = () => 1; static s = function () {} }",
          "  return { next, v, arrow, named, z, ...o, Local, f: new Local().f, s: Local.s }",
          "}",
          "class Top {}",
          "export const collect = () => {",
          "  const all: Record<string, unknown> = { ha, hb, parse: parse.parse, make, Top, ...make(1) }",
          "  return Object.fromEntries(Object.entries(all).map(([k, f]) => [k, (f as Function).name]))",
          "}",
        ].join("\n"),
      )
      const out = await build({
        entryPoints: [entry],
        bundle: true,
        write: false,
        format: "esm",
        platform: "node",
        keepNames: true,
        minifyWhitespace: true,
        minifySyntax: true,
      })
      const code = out.outputFiles[0]!.text
      expect(code).toContain('__name(helper2,"helper")')
      const after = transform(code)
      const calls = (text: string) => text.match(/__name\(/g)?.length ?? 0
      expect(calls(after)).toBeLessThan(calls(code) / 2)
      const [before, dropped] = await Promise.all([
        names(code, "before.mjs"),
        names(after, "after.mjs"),
      ])
      expect(before).toMatchObject({ ha: "helper", hb: "helper", parse: "parse", next: "next" })
      expect(dropped).toEqual(before)
    })
  })
})
