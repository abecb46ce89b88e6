/* global process */
// Writes .br and .gz beside every text asset of the built console, so the server can send them
// pre-compressed (@fastify/static `preCompressed`) without compressing on each request.
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import path from "node:path"
import { brotliCompressSync, constants, gzipSync } from "node:zlib"

const root = path.resolve(import.meta.dirname, "..", "dist")
const text = /\.(js|mjs|css|html|json|svg|txt|map)$/
let raw = 0
let br = 0
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name)
    if (statSync(file).isDirectory()) walk(file)
    else if (text.test(name) && statSync(file).size >= 1024) {
      const data = readFileSync(file)
      const b = brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } })
      writeFileSync(`${file}.br`, b)
      writeFileSync(`${file}.gz`, gzipSync(data, { level: 9 }))
      raw += data.length
      br += b.length
    }
  }
}
walk(root)
process.stdout.write(
  `compressed ${(raw / 1024).toFixed(0)} kB of assets to ${(br / 1024).toFixed(0)} kB (brotli)\n`,
)
