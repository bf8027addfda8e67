#!/usr/bin/env node
// `pnpm test:cuda`: the CUDA property tests (node:test, against the js backend) on a GPU machine.
// Needs the built addon (pnpm build:cuda) and @x/tensor's dist (pnpm --filter @x/tensor build).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const addonPath = process.env.X_TENSOR_CUDA_ADDON ?? join(root, "build", "x_tensor_cuda.node");
// An addon linked from other sources than these would test old kernels (it happened once).
if (!process.env.X_TENSOR_CUDA_ADDON) {
  const { sourcesHash } = await import("./sources-hash.mjs");
  const stamp = join(root, "build", "x_tensor_cuda.sources");
  const want = sourcesHash(join(root, "..", "tensor", "native", "cuda"));
  const have = existsSync(stamp) ? readFileSync(stamp, "utf8").trim() : "(no stamp)";
  if (have !== want) {
    console.error(
      `test:cuda: build/x_tensor_cuda.node is stale (sources ${want.slice(0, 12)}, addon ${have.slice(0, 12)}); run pnpm build:cuda`,
    );
    process.exit(1);
  }
}
// test/*.test.mjs, plus @x/llm's GPU tests bundled into build/ by scripts/bundle-llm.mjs.
const files = ["test", "build"].flatMap((dir) =>
  readdirSync(join(root, dir))
    .filter((f) => f.endsWith(".test.mjs"))
    .map((f) => join(root, dir, f)),
);
const env = {
  ...process.env,
  X_TENSOR_BACKEND: process.env.X_TENSOR_BACKEND ?? "js", // the oracle the cuda results are compared with
  X_TENSOR_CUDA_ADDON: addonPath,
};
const r = spawnSync(process.execPath, ["--test", "--test-reporter=spec", ...files], {
  stdio: "inherit",
  env,
});
process.exit(r.status ?? 1);
