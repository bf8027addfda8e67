import { defineConfig } from "vitest/config";

// One root config; each workspace package is its own vitest project so
// `pnpm test --project @x/tensor` runs a single package.
export default defineConfig({
  test: {
    projects: ["packages/*/vitest.config.ts", "examples/*/vitest.config.ts"],
  },
});
