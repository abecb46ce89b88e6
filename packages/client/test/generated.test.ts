import { existsSync, readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { generate, OUTPUT, SOURCE } from "../scripts/generate.js"

describe("src/generated/openapi.ts", () => {
  it.skipIf(!existsSync(SOURCE))(
    "is what openapi-typescript makes of packages/server/openapi.json (run `npm run openapi`)",
    async () => {
      expect(await generate()).toBe(readFileSync(OUTPUT, "utf8"))
    },
  )
})
