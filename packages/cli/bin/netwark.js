#!/usr/bin/env node
// The `netwark` bin lives outside dist/ so that npm links it at install time: npm skips a bin
// whose file does not exist yet, so a bin in dist/ was never linked in a fresh checkout (the build
// comes after `npm install`) and `npx netwark` found no executable.
import process from "node:process"

try {
  await import("../dist/main.js")
} catch (e) {
  if (e?.code !== "ERR_MODULE_NOT_FOUND" || !String(e.message).includes("main.js")) throw e
  process.stderr.write("netwark: not built yet: run `npm run build` (or `npm test`) first\n")
  process.exitCode = 1
}
