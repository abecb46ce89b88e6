/** `npm run bench` for the transport: fan-out latency and job throughput. */
const mod = (await import("./transport.bench.ts").catch(() => undefined)) as { run: () => Promise<void> } | undefined
if (mod) await mod.run()
else console.log("## transport: no benchmark yet")
