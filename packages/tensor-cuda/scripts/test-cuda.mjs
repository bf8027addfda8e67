#!/usr/bin/env node
// `pnpm test:cuda`: the CUDA property tests (node:test, against the js backend) on a GPU machine.
// Needs the built addon (pnpm build:cuda) and @x/tensor's dist (pnpm --filter @x/tensor build).
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
// test/*.test.mjs, plus @x/llm's GPU tests bundled into build/ by scripts/bundle-llm.mjs.
const files = ["test", "build"].flatMap((dir) =>
  readdirSync(join(root, dir))
    .filter((f) => f.endsWith(".test.mjs"))
    .map((f) => join(root, dir, f)),
);
const env = {
  ...process.env,
  X_TENSOR_BACKEND: process.env.X_TENSOR_BACKEND ?? "js", // the oracle the cuda results are compared with
  X_TENSOR_CUDA_ADDON: process.env.X_TENSOR_CUDA_ADDON ?? join(root, "build", "x_tensor_cuda.node"),
};
const r = spawnSync(process.execPath, ["--test", "--test-reporter=spec", ...files], {
  stdio: "inherit",
  env,
});
process.exit(r.status ?? 1);
