#!/usr/bin/env node
// Bundles @x/llm's GPU test, benchmark and CLI (TypeScript) and the default model's train and
// evaluate commands (examples/default-model) into packages/tensor-cuda/build/ so the GPU machine
// runs them with the carried node and @x/tensor's dist: @x/tensor stays external and is imported
// from ../../tensor/dist/index.js; everything else (@x/llm from its sources, its deps) is inlined.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../..", import.meta.url));
// esbuild comes with tsup/tsx (pnpm keeps it under node_modules/.pnpm); the newest one is used.
const pnpmDir = join(root, "node_modules/.pnpm");
const esb = readdirSync(pnpmDir)
  .filter((d) => /^esbuild@\d/.test(d))
  .sort()
  .at(-1);
if (!esb) throw new Error("esbuild not found under node_modules/.pnpm (pnpm install first)");
const { build } = createRequire(join(pnpmDir, esb, "node_modules/esbuild/package.json"))("esbuild");
const jobs = [
  ["packages/llm/test/cuda/llm.cuda.ts", "llm-cuda.test.mjs"],
  ["packages/llm/bench/cuda.ts", "llm-bench.mjs"],
  ["packages/llm/src/cli.ts", "x-llm-cli.mjs"],
  ["examples/default-model/src/train.ts", "sotu-train.mjs"],
  ["examples/default-model/src/evaluate.ts", "sotu-eval.mjs"],
];
for (const [src, name] of jobs) {
  const outfile = join(root, "packages/tensor-cuda/build", name);
  await build({
    entryPoints: [join(root, src)],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outfile,
    external: ["@x/tensor"],
    // The examples import "@x/llm" by name: take its sources, not a possibly stale dist.
    alias: { "@x/llm": join(root, "packages/llm/src/index.ts") },
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
    logLevel: "warning",
  });
  const code = readFileSync(outfile, "utf8").replaceAll(
    'from "@x/tensor"',
    'from "../../tensor/dist/index.js"',
  );
  writeFileSync(outfile, code);
  console.log(`bundled ${src} -> ${outfile}`);
}
