/** `npm run bench [name]`: the server's benchmarks (names: operations, fanout, ipcalc, memory, sql, list). */
const suites: Record<string, () => Promise<{ run: () => Promise<void> }>> = {
  operations: () => import("./operations.bench.js"),
  fanout: () => import("./fanout.bench.js"),
  ipcalc: () => import("./ipcalc.bench.js"),
  memory: () => import("./memory.bench.js"),
  sql: () => import("./sql.bench.js"),
  list: () => import("./list.bench.js"),
}

const names = process.argv.slice(2).filter((a) => !a.startsWith("-"))
for (const name of names.length > 0 ? names : Object.keys(suites)) {
  const load = suites[name]
  if (load === undefined) {
    console.error(`unknown bench ${name}; one of ${Object.keys(suites).join(", ")}`)
    process.exit(2)
  }
  console.log(`# ${name}`)
  await (await load()).run()
}
process.exit(0)
