import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "src/**/*.spec.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // every file starts servers, databases and brokers of its own: keep the 2 cores usable
    fileParallelism: false,
  },
})
