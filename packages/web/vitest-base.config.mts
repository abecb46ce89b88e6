import { defineConfig } from "vitest/config"

// Merged into the builder's own configuration (angular.json `runnerConfig`). The first test of a
// run to draw a chart loads ECharts, a large module: on a busy 2-core CI machine that import alone
// once took a component test past vitest's 5 s default, so the tests get more room.
export default defineConfig({ test: { testTimeout: 20_000 } })
