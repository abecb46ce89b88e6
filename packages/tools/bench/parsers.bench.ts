/**
 * Parse throughput (MB/s) of each tool parser on its fixture corpus, repeated to a few MB, one
 * output per `parse` call as in real use. There is no other JavaScript parser for these outputs to
 * race (jc is Python), so each figure is set against a naive baseline measured in the same run:
 * split into lines and pull every RTT-looking number out with one regex. The ratio says what the
 * full parse (sections, hops, ECMP, statistics) costs over merely scanning the text.
 */
import { readdirSync, readFileSync, statSync } from "node:fs"
import path from "node:path"
import { fileURLToPath } from "node:url"
import * as Dns from "../src/Dns.js"
import * as Mtr from "../src/Mtr.js"
import * as Ping from "../src/Ping.js"
import * as Traceroute from "../src/Traceroute.js"

const here = path.dirname(fileURLToPath(import.meta.url))
const fixtures = path.join(here, "../test/fixtures")
const TARGET_BYTES = 4 * 1024 * 1024

const files = (dir: string, keep: (name: string) => boolean): Array<string> => {
  const out: Array<string> = []
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = path.join(d, name)
      if (statSync(p).isDirectory()) walk(p)
      else if (keep(name)) out.push(readFileSync(p, "utf8"))
    }
  }
  walk(dir)
  return out
}

const repeat = (docs: ReadonlyArray<string>): { docs: Array<string>; bytes: number } => {
  const out: Array<string> = []
  let bytes = 0
  while (bytes < TARGET_BYTES && docs.length > 0)
    for (const d of docs) {
      out.push(d)
      bytes += Buffer.byteLength(d)
    }
  return { docs: out, bytes }
}

let sink = 0
const measure = (
  docs: ReadonlyArray<string>,
  bytes: number,
  fn: (s: string) => unknown,
): number => {
  for (const d of docs.slice(0, 200)) fn(d) // warm-up
  let best = Infinity
  for (let round = 0; round < 3; round++) {
    const t = performance.now()
    for (const d of docs) if (fn(d) !== undefined) sink++
    best = Math.min(best, performance.now() - t)
  }
  return bytes / 1024 / 1024 / (best / 1000)
}

const naive = (s: string): number => {
  let n = 0
  for (const line of s.split("\n")) for (const _ of line.matchAll(/(\d+(?:\.\d+)?) ?ms/g)) n++
  return n
}

/** Runs the parser throughput benchmark and prints MB/s per parser. */
export const run = async (): Promise<void> => {
  const corpora: Array<[string, Array<string>, (s: string) => unknown]> = [
    [
      "ping (iputils)",
      files(path.join(fixtures, "ping"), (n) => /\.(out|txt)$/.test(n)),
      Ping.parse,
    ],
    [
      "mtr --raw",
      files(path.join(fixtures, "mtr"), (n) => n.endsWith(".txt") && !n.includes("report")),
      (s) => Mtr.parse(s),
    ],
    [
      "mtr --json",
      files(path.join(fixtures, "mtr"), (n) => n.startsWith("local-json")),
      (s) => Mtr.parse(s),
    ],
    [
      "traceroute",
      files(path.join(fixtures, "traceroute"), (n) => /\.(out|txt)$/.test(n)),
      Traceroute.parse,
    ],
    ["dig", files(path.join(fixtures, "dns"), (n) => /\.(out|txt)$/.test(n)), Dns.parse],
  ]
  const rows: Array<[string, string, string, string, string]> = [
    ["parser", "corpus", "MB/s", "naive MB/s", "parse/naive"],
  ]
  for (const [name, docs, parse] of corpora) {
    const { docs: all, bytes } = repeat(docs)
    const full = measure(all, bytes, parse)
    const base = measure(all, bytes, naive)
    rows.push([
      name,
      `${docs.length} files → ${(bytes / 1024 / 1024).toFixed(1)} MB`,
      full.toFixed(1),
      base.toFixed(1),
      `${(full / base).toFixed(2)}×`,
    ])
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
  for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join("  "))
  if (sink < 0) console.log(sink)
}
