/** `npm run bench` for the transport: fan-out latency and job throughput. */
const path = "./transport.bench.ts"
const mod = (await import(path)) as { run: () => Promise<void> }
console.log("\n## transport\n")
await mod.run()
