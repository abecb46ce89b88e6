import { execFile } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import path from "node:path"
import { promisify } from "node:util"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { wrapPropertyFunctions } from "../tsup.config.js"

const run = promisify(execFile)

const transform = (code: string): string => wrapPropertyFunctions(code).toString()

describe("wrapPropertyFunctions (the binaries' build)", () => {
  it("wraps the functions written straight into a property, and only those", () => {
    expect(
      transform(
        "a.b=x=>d,c.e??=function(){return 1},f=()=>1,g[h]=async()=>2;const o={m:()=>3};this.t=y=>y;",
      ),
    ).toBe(
      "a.b=(0,x=>d),c.e??=(0,function(){return 1}),f=()=>1,g[h]=(0,async()=>2);const o={m:()=>3};this.t=(0,y=>y);",
    )
  })

  it("keeps what the code does", async () => {
    const code =
      "const a={};a.f=(x)=>x+1;a.g=function(){return this===a};export const r=[a.f(1),a.g()];"
    const url = `data:text/javascript,${encodeURIComponent(transform(code))}`
    const { r } = (await import(url)) as { r: [number, boolean] }
    expect(r).toEqual([2, true])
  })

  describe("what V8 does with such a function", () => {
    let dir = ""
    beforeAll(() => void (dir = mkdtempSync(path.join(tmpdir(), "netwark-build-"))))
    afterAll(() => rmSync(dir, { recursive: true, force: true }))

    // a long-lived object given a new closure 3,000 times, each over ~30 KB of fresh objects
    const script =
      "const holder={x:null};let n=0;" +
      "function round(){const d=Array.from({length:100},(_,i)=>({i,s:'x'.repeat(200)+Math.random()}));" +
      "n+=d.length;holder.x=()=>d}" +
      "for(let k=0;k<3000;k++)round();console.log(n)"

    /** Bytes the scavenges promoted to the old generation while `code` ran. */
    const promoted = async (name: string, code: string): Promise<number> => {
      const file = path.join(dir, name)
      writeFileSync(file, code)
      const { stdout } = await run(process.execPath, [
        "--max-semi-space-size=4",
        "--trace-gc-nvp",
        file,
      ])
      return [...stdout.matchAll(/gc=s .*? promoted=(\d+)/g)].reduce((n, m) => n + Number(m[1]), 0)
    }

    it("promotes what such a closure holds; the wrapped closure lets it die young", async () => {
      const [before, after] = await Promise.all([
        promoted("as-written.mjs", script),
        promoted("wrapped.mjs", transform(script)),
      ])
      // measured: ~1.6 MB a scavenge as written (every round's objects), ~30 KB wrapped
      expect(after * 5).toBeLessThan(before)
    })
  })
})
