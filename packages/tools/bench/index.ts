/**
 * `npm run bench`: runs each benchmark in turn (one at a time, so they do not share the two cores)
 * and prints its figures and its ratios against the alternatives measured in the same run.
 */
const suites = ["ipcalc", "oui", "parsers", "sweep"] as const

const only = process.argv.slice(2)
for (const name of suites) {
  if (only.length > 0 && !only.includes(name)) continue
  const path = `./${name}.bench.ts`
  try {
    const mod = (await import(path)) as { run: () => Promise<void> }
    console.log(`\n## ${name}\n`)
    await mod.run()
  } catch (e) {
    if (
      (e as NodeJS.ErrnoException).code === "ERR_MODULE_NOT_FOUND" &&
      String(e).includes(`${name}.bench`)
    ) {
      console.log(`\n## ${name}: no benchmark yet`)
      continue
    }
    throw e
  }
}
