import { fileURLToPath } from "node:url";
import { defineProject } from "vitest/config";

export default defineProject({
  // Tests run against @x/tensor's sources, so a stale dist never hides a kernel change.
  resolve: {
    alias: { "@x/tensor": fileURLToPath(new URL("../tensor/src/index.ts", import.meta.url)) },
  },
  test: {
    name: "@x/ann-graph",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 120_000,
  },
});
