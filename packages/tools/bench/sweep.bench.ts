/**
 * Sweep: one probe to each of 127.0.0.1–127.0.0.254 (loopback only). Netwark's `Ping.sweep`
 * against `fping -c1 -i1 -q` run directly and against 254 `ping -c1` processes spawned from Node
 * 64 at a time. Median wall time of several runs; ratios against fping in the same run.
 */
import { execFile } from "node:child_process"
import { promisify } from "node:util"
import { Effect } from "effect"
import * as Ping from "../src/Ping.js"

const exec = promisify(execFile)
const targets = Array.from({ length: 254 }, (_, i) => `127.0.0.${i + 1}`)
const ROUNDS = 7

const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] ?? NaN
}

const time = async (f: () => Promise<unknown>): Promise<number> => {
  await f() // warm-up
  const runs: Array<number> = []
  for (let i = 0; i < ROUNDS; i++) {
    const t = performance.now()
    await f()
    runs.push(performance.now() - t)
  }
  return median(runs)
}

const fpingDirect = () =>
  exec("fping", ["-c1", "-i1", "-q", ...targets]).catch((e: { code?: number }) => {
    if (e.code !== 1) throw e // 1 = some target unreachable; still a complete run
  })

const spawnedPings = async () => {
  let next = 0
  const worker = async () => {
    while (next < targets.length) {
      const t = targets[next++]!
      await exec("ping", ["-n", "-c1", "-W1", "--", t]).catch(() => undefined)
    }
  }
  await Promise.all(Array.from({ length: 64 }, worker))
}

const sweep = (options: Ping.SweepOptions) => async () => {
  const r = await Effect.runPromise(Ping.sweep(targets, options))
  const alive = r.results.filter((x) => x.alive).length
  if (alive !== targets.length) throw new Error(`only ${alive} of ${targets.length} answered`)
}

/** Prints the sweep figures. */
export const run = async (): Promise<void> => {
  const rows: Array<[string, number]> = []
  rows.push(["fping -c1 -i1 -q (direct)", await time(fpingDirect)])
  rows.push(["Ping.sweep (fping backend, defaults: -i 1)", await time(sweep({}))])
  if (process.getuid?.() === 0)
    rows.push(["Ping.sweep (fping backend, interval 0, root)", await time(sweep({ interval: 0 }))])
  rows.push(["254 × ping -c1 spawned from Node, 64 at a time", await time(spawnedPings)])
  rows.push(["Ping.sweep (ping fallback, concurrency 64)", await time(sweep({ backend: "ping" }))])
  const fping = rows[0]![1]
  console.log(`254 loopback targets, 1 probe each, median of ${ROUNDS} runs\n`)
  console.log("| engine | wall ms | vs fping |")
  console.log("|---|---:|---:|")
  for (const [name, ms] of rows)
    console.log(`| ${name} | ${ms.toFixed(0)} | ${(ms / fping).toFixed(2)}× |`)
}
