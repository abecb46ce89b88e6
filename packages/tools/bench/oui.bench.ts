/**
 * OUI lookup benchmark: lookups per second from MAC strings (normalisation included) and time to
 * load the full registry, in process and in a fresh child process, against npm `oui-data` (the
 * JSON the `oui` CLI reads). Aim: ≥ 5 M lookups/s and a load of ≤ 50 ms.
 */
import { Either, Option } from "effect"
import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { availableParallelism, loadavg, tmpdir } from "node:os"
import * as path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import * as Oui from "../src/Oui.js"

const here = path.dirname(fileURLToPath(import.meta.url))
const require = createRequire(import.meta.url)
const ouiDataPath = require.resolve("oui-data")

/** The 1,070 vector inputs: MA-L, MA-M, MA-S, fallback and unassigned MACs in five spellings. */
const inputs: ReadonlyArray<string> = readFileSync(
  path.join(here, "../test/fixtures/oui/derived-lookup-vectors.jsonl"),
  "utf8",
)
  .trim()
  .split("\n")
  .map((l) => (JSON.parse(l) as { input: string }).input)

const fmt = (n: number, digits = 2) => n.toFixed(digits)

const median = (xs: Array<number>): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] as number
}

interface Rate {
  /** Lookups per second of wall-clock time. */
  readonly wall: number
  /** Lookups per second of this process's CPU time: steadier when other jobs share the cores. */
  readonly cpu: number
}

/** Runs `body` over `n` inputs, several rounds, and returns the best rates in lookups per second. */
const rate = (n: number, body: (input: string) => unknown): Rate => {
  let wall = 0
  let cpu = 0
  for (let round = 0; round < 7; round++) {
    let sink = 0
    const cpu0 = process.cpuUsage()
    const start = performance.now()
    for (let i = 0; i < n; i++) if (body(inputs[i % inputs.length] as string) !== undefined) sink++
    const ms = performance.now() - start
    const used = process.cpuUsage(cpu0)
    if (sink < 0) console.log(sink)
    wall = Math.max(wall, n / (ms / 1000))
    cpu = Math.max(cpu, n / ((used.user + used.system) / 1e6))
  }
  return { wall, cpu }
}

const showRate = (r: Rate): string => `${fmt(r.wall / 1e6)} M/s (CPU time ${fmt(r.cpu / 1e6)} M/s)`

/** What the `oui` CLI does over oui-data: strip to hex, uppercase, try 9, 7 then 6 digits. */
const ouiDataLookup = (data: Record<string, string>) => (input: string) => {
  const hex = input.replace(/[^0-9a-fA-F]/g, "").toUpperCase()
  return data[hex.slice(0, 9)] ?? data[hex.slice(0, 7)] ?? data[hex.slice(0, 6)]
}

const child = (
  script: string,
  nodeArgs: ReadonlyArray<string>,
): { load: number; first: number; cpu: number; wall: number } => {
  const dir = mkdtempSync(path.join(tmpdir(), "netwark-oui-bench-"))
  try {
    const file = path.join(dir, "child.mjs")
    writeFileSync(file, script)
    const started = performance.now()
    const out = execFileSync(process.execPath, [...nodeArgs, file], { encoding: "utf8" })
    const wall = performance.now() - started
    return { ...(JSON.parse(out) as { load: number; first: number; cpu: number }), wall }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Median over several fresh child processes, so one scheduling hiccup does not decide the figure. */
const children = (script: string, nodeArgs: ReadonlyArray<string>, runs = 5) => {
  const all = Array.from({ length: runs }, () => child(script, nodeArgs))
  return {
    load: median(all.map((r) => r.load)),
    first: median(all.map((r) => r.first)),
    cpu: median(all.map((r) => r.cpu)),
    wall: median(all.map((r) => r.wall)),
  }
}

/** Prints the figures and ratios. */
export const run = async (): Promise<void> => {
  const N = 3_000_000
  const registry = Either.getOrThrow(Oui.bundledSync())
  const ouiData = require("oui-data") as Record<string, string>
  console.log(
    `load average ${loadavg()
      .map((x) => fmt(x, 1))
      .join(" ")} on ${availableParallelism()} cores`,
  )

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

  // In process: read, gunzip and decode the snapshot, then the first answer (decodes its strings).
  const loads: Array<number> = []
  const firsts: Array<number> = []
  const loadCpu: Array<number> = []
  for (let i = 0; i < 15; i++) {
    const cpu0 = process.cpuUsage()
    const t0 = performance.now()
    const fresh = Either.getOrThrow(Oui.fromSnapshot(readFileSync(Oui.bundledSnapshotPath())))
    const t1 = performance.now()
    Option.getOrThrow(Either.getOrThrow(Oui.lookup(fresh, "8c1f.6447.7a09")).assignment)
    firsts.push(performance.now() - t0)
    loads.push(t1 - t0)
    const used = process.cpuUsage(cpu0)
    loadCpu.push((used.user + used.system) / 1000)
  }
  const jsonLoads: Array<number> = []
  const jsonCpu: Array<number> = []
  for (let i = 0; i < 15; i++) {
    const cpu0 = process.cpuUsage()
    const t0 = performance.now()
    JSON.parse(readFileSync(ouiDataPath, "utf8"))
    jsonLoads.push(performance.now() - t0)
    const used = process.cpuUsage(cpu0)
    jsonCpu.push((used.user + used.system) / 1000)
  }

  // Fresh processes: a cold heap and JIT, which is what one CLI run sees.
  const ouiModule = pathToFileURL(path.join(here, "../src/Oui.ts")).href
  const oursCold = children(
    `import * as Oui from ${JSON.stringify(ouiModule)}
    const c0 = process.cpuUsage()
    const t0 = performance.now()
    const registry = Oui.bundledSync().right
    const t1 = performance.now()
    const m = Oui.lookup(registry, "8c1f.6447.7a09").right.assignment.value.organization
    const t2 = performance.now()
    const c = process.cpuUsage(c0)
    console.log(JSON.stringify({ load: t1 - t0, first: t2 - t0, cpu: (c.user + c.system) / 1000 }))`,
    ["--import", "tsx"],
  )
  const theirsCold = children(
    `const c0 = process.cpuUsage()
    const t0 = performance.now()
    const { default: data } = await import(${JSON.stringify(pathToFileURL(ouiDataPath).href)}, { with: { type: "json" } })
    const t1 = performance.now()
    const hex = "8c1f.6447.7a09".replace(/[^0-9a-fA-F]/g, "").toUpperCase()
    const m = data[hex.slice(0, 9)] ?? data[hex.slice(0, 7)] ?? data[hex.slice(0, 6)]
    const t2 = performance.now()
    const c = process.cpuUsage(c0)
    console.log(JSON.stringify({ load: t1 - t0, first: t2 - t0, cpu: (c.user + c.system) / 1000 }))`,
    [],
  )

  const snapshotBytes = readFileSync(Oui.bundledSnapshotPath()).length
  const jsonBytes = readFileSync(ouiDataPath).length
  const met = (ok: boolean) => (ok ? "met" : "NOT met")
  console.log("")
  console.log(
    "lookups/s from MAC strings (1,070 vector inputs, 5 spellings, normalisation included; best of 7 × 3 M)",
  )
  console.log(
    `  netwark Oui.lookup → organization  ${showRate(ours)}   aim ≥ 5 M/s: ${met(ours.cpu >= 5e6)} (CPU time)`,
  )
  console.log(
    `  netwark Oui.lookup → .mac string   ${showRate(oursWithMac)}   (also formats the normalised MAC)`,
  )
  console.log(`  oui-data: strip, uppercase, slice  ${showRate(theirs)}`)
  console.log(
    `  netwark / oui-data                 ${fmt(ours.wall / theirs.wall, 1)}× (CPU time ${fmt(ours.cpu / theirs.cpu, 1)}×)`,
  )
  console.log(
    `  (for reference, oui-data through the oui CLI's own code path was measured elsewhere at 0.64 M/s)`,
  )
  console.log("")
  console.log("load the full registry (MA-L + MA-M + MA-S), median of 15, this process")
  console.log(
    `  netwark snapshot ${fmt(snapshotBytes / 1e6)} MB: read+decode ${fmt(median(loads), 1)} ms, first answer ${fmt(median(firsts), 1)} ms (CPU ${fmt(median(loadCpu), 1)} ms)   aim ≤ 50 ms: ${met(median(firsts) <= 50)}`,
  )
  console.log(
    `  oui-data index.json ${fmt(jsonBytes / 1e6)} MB: read+JSON.parse ${fmt(median(jsonLoads), 1)} ms (CPU ${fmt(median(jsonCpu), 1)} ms)`,
  )
  console.log(
    `  netwark is ${fmt(median(jsonLoads) / median(firsts), 1)}× faster to a first answer (CPU time ${fmt(median(jsonCpu) / median(loadCpu), 1)}×)`,
  )
  console.log("")
  console.log(
    "load in fresh child processes (median of 5; timed inside the child after its imports, cold JIT)",
  )
  console.log(
    `  netwark: load ${fmt(oursCold.load, 1)} ms, first answer ${fmt(oursCold.first, 1)} ms (CPU ${fmt(oursCold.cpu, 1)} ms)   aim ≤ 50 ms: ${met(oursCold.first <= 50)} (wall), ${met(oursCold.cpu <= 50)} (CPU)`,
  )
  console.log(
    `  oui-data: import ${fmt(theirsCold.load, 1)} ms, first answer ${fmt(theirsCold.first, 1)} ms (CPU ${fmt(theirsCold.cpu, 1)} ms)`,
  )
  console.log(
    `  netwark is ${fmt(theirsCold.first / oursCold.first, 1)}× faster to a first answer (CPU time ${fmt(theirsCold.cpu / oursCold.cpu, 1)}×)`,
  )
  console.log(
    `  process wall: netwark ${fmt(oursCold.wall, 0)} ms under tsx (TS source), oui-data ${fmt(theirsCold.wall, 0)} ms under plain node: not comparable`,
  )
}
