/**
 * OUI lookup benchmark: lookups per second from MAC strings (normalisation included) and time to
 * load the full registry, in process and in a fresh child process, against npm `oui-data` (the
 * JSON the `oui` CLI reads). Aim: ≥ 5 M lookups/s and a load of ≤ 50 ms.
 */
import { Either, Option } from "effect"
import { execFileSync } from "node:child_process"
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import * as Oui from "../src/Oui.js"

const here = path.dirname(fileURLToPath(import.meta.url))
const require = createRequire(import.meta.url)
const ouiDataPath = require.resolve("oui-data")

const inputs: ReadonlyArray<string> = readFileSync(
  path.join(here, "../test/fixtures/oui/derived-lookup-vectors.jsonl"),
  "utf8",
)
  .trim()
  .split("\n")
  .map((l) => (JSON.parse(l) as { input: string }).input)

const median = (xs: Array<number>): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] as number
}

/** Runs `body` over `n` inputs, several rounds, and returns the best rate in lookups per second. */
const rate = (n: number, body: (input: string) => unknown): number => {
  let best = 0
  for (let round = 0; round < 7; round++) {
    let sink = 0
    const start = performance.now()
    for (let i = 0; i < n; i++) if (body(inputs[i % inputs.length] as string) !== undefined) sink++
    const ms = performance.now() - start
    if (sink < 0) console.log(sink)
    best = Math.max(best, n / (ms / 1000))
  }
  return best
}

/** The lookup the `oui` CLI does over oui-data: strip to hex, uppercase, try 9, 7 then 6 digits. */
const ouiDataLookup = (data: Record<string, string>) => (input: string) => {
  const hex = input.replace(/[^0-9a-fA-F]/g, "").toUpperCase()
  return data[hex.slice(0, 9)] ?? data[hex.slice(0, 7)] ?? data[hex.slice(0, 6)]
}

const fmt = (n: number, digits = 2) => n.toFixed(digits)

const child = (
  script: string,
  nodeArgs: ReadonlyArray<string>,
): { load: number; first: number; wall: number } => {
  const dir = mkdtempSync(path.join(tmpdir(), "netwark-oui-bench-"))
  try {
    const file = path.join(dir, "child.mjs")
    writeFileSync(file, script)
    const started = performance.now()
    const out = execFileSync(process.execPath, [...nodeArgs, file], { encoding: "utf8" })
    const wall = performance.now() - started
    return { ...(JSON.parse(out) as { load: number; first: number }), wall }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Prints the figures and ratios. */
export const run = async (): Promise<void> => {
  const N = 3_000_000
  const registry = Either.getOrThrow(Oui.bundledSync())
  const ouiData = require("oui-data") as Record<string, string>

  // Lookups: vector inputs mix five spellings (colon, upper, dash, dotted, bare).
  const ours = rate(N, (input) => {
    const r = Oui.lookup(registry, input)
    return Either.isRight(r) && Option.isSome(r.right.assignment)
      ? r.right.assignment.value.organization
      : undefined
  })
  const oursWithMac = rate(N, (input) => {
    const r = Oui.lookup(registry, input)
    return Either.isRight(r) ? r.right.mac : undefined
  })
  const theirs = rate(N, ouiDataLookup(ouiData))

  // Load in process: read, gunzip and decode the snapshot, then the first lookup (string tables).
  const loads: Array<number> = []
  const firsts: Array<number> = []
  for (let i = 0; i < 15; i++) {
    const t0 = performance.now()
    const fresh = Either.getOrThrow(Oui.fromSnapshot(readFileSync(Oui.bundledSnapshotPath())))
    const t1 = performance.now()
    Option.getOrThrow(Either.getOrThrow(Oui.lookup(fresh, "8c1f.6447.7a09")).assignment)
    loads.push(t1 - t0)
    firsts.push(performance.now() - t0)
  }
  const jsonLoads: Array<number> = []
  for (let i = 0; i < 15; i++) {
    const t0 = performance.now()
    JSON.parse(readFileSync(ouiDataPath, "utf8"))
    jsonLoads.push(performance.now() - t0)
  }

  // Fresh processes: a cold V8 heap and JIT, which is what a CLI run sees.
  const ouiModule = pathToFileURL(path.join(here, "../src/Oui.ts")).href
  const oursCold = child(
    `
    import * as Oui from ${JSON.stringify(ouiModule)}
    const t0 = performance.now()
    const registry = Oui.bundledSync().right
    const t1 = performance.now()
    const m = Oui.lookup(registry, "8c1f.6447.7a09").right.assignment.value.organization
    const t2 = performance.now()
    console.log(JSON.stringify({ load: t1 - t0, first: t2 - t0 }))
  `,
    ["--import", "tsx"],
  )
  const theirsCold = child(
    `
    const t0 = performance.now()
    const { default: data } = await import(${JSON.stringify(pathToFileURL(ouiDataPath).href)}, { with: { type: "json" } })
    const t1 = performance.now()
    const hex = "8c1f.6447.7a09".replace(/[^0-9a-fA-F]/g, "").toUpperCase()
    const m = data[hex.slice(0, 9)] ?? data[hex.slice(0, 7)] ?? data[hex.slice(0, 6)]
    const t2 = performance.now()
    console.log(JSON.stringify({ load: t1 - t0, first: t2 - t0 }))
  `,
    [],
  )

  const snapshotBytes = readFileSync(Oui.bundledSnapshotPath()).length
  const jsonBytes = readFileSync(ouiDataPath).length
  console.log(
    "lookups per second (from MAC strings, 5 spellings, normalisation included; best of 7 rounds)",
  )
  console.log(
    `  netwark Oui.lookup → organization   ${fmt(ours / 1e6)} M/s   aim ≥ 5 M/s: ${ours >= 5e6 ? "met" : "NOT met"}`,
  )
  console.log(
    `  netwark Oui.lookup → .mac string    ${fmt(oursWithMac / 1e6)} M/s   (formats the normalised MAC too)`,
  )
  console.log(`  oui-data + strip/uppercase/slice    ${fmt(theirs / 1e6)} M/s`)
  console.log(`  ratio netwark / oui-data            ${fmt(ours / theirs, 1)}×`)
  console.log("")
  console.log("load the full registry (MA-L + MA-M + MA-S), median of 15 in this process")
  console.log(
    `  netwark snapshot (${fmt(snapshotBytes / 1e6)} MB gz): read+gunzip+decode ${fmt(median(loads), 1)} ms, to first answer ${fmt(median(firsts), 1)} ms   aim ≤ 50 ms: ${median(firsts) <= 50 ? "met" : "NOT met"}`,
  )
  console.log(
    `  oui-data index.json (${fmt(jsonBytes / 1e6)} MB): read+JSON.parse ${fmt(median(jsonLoads), 1)} ms`,
  )
  console.log(
    `  ratio oui-data / netwark            ${fmt(median(jsonLoads) / median(firsts), 1)}× faster to first answer`,
  )
  console.log("")
  console.log(
    "load in a fresh child process (timed inside the child after module import, cold JIT; netwark runs from TS source under tsx, oui-data under plain node, so the process walls are not comparable)",
  )
  console.log(
    `  netwark: load ${fmt(oursCold.load, 1)} ms, first answer ${fmt(oursCold.first, 1)} ms (process wall ${fmt(oursCold.wall, 0)} ms)`,
  )
  console.log(
    `  oui-data: import ${fmt(theirsCold.load, 1)} ms, first answer ${fmt(theirsCold.first, 1)} ms (process wall ${fmt(theirsCold.wall, 0)} ms)`,
  )
  console.log(
    `  ratio oui-data / netwark            ${fmt(theirsCold.first / oursCold.first, 1)}× faster to first answer`,
  )
}
