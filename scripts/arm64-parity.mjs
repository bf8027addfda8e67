#!/usr/bin/env node
// Runs @x/tensor's native kernels against its js backend on the current machine: every native
// family on random inputs, relative error per dtype. Used under qemu with an arm64 Node and the
// cross-built addon (scripts/check-arm64-build.sh) to show the scalar path passes there too.
// Usage: node scripts/arm64-parity.mjs <package dir containing dist/ and prebuilds/>
import { createRequire } from "node:module";
import { join } from "node:path";

const dir = process.argv[2] ?? join(import.meta.dirname, "..", "packages", "tensor");
const t = createRequire(join(dir, "package.json"))(join(dir, "dist", "index.cjs"));
const info = t.backendInfo();
console.log(`${process.arch} node ${process.version}: ${JSON.stringify(info)}`);
if (info.backend !== "cpu") throw new Error("native backend did not load");

const rnd = (shape, seed, scale = 1) => t.mul(t.randn(shape, { seed }), scale);
const ids = (n, hi, seed) => t.randint(0, hi, [n], { seed, dtype: "i32" });
const q = rnd([1, 4, 7, 32], 1);
const kv = [rnd([1, 2, 9, 32], 2), rnd([1, 2, 9, 32], 3)];
const cases = {
  matmul: () => t.matmul(rnd([13, 37], 4), rnd([37, 11], 5)),
  add: () => t.add(rnd([5, 1, 7], 6), rnd([3, 7], 7)),
  exp: () => t.exp(rnd([257], 8)),
  sum: () => t.sum(rnd([6, 35, 3], 9), [1]),
  softmax: () => t.softmax(rnd([9, 130], 10, 3)),
  rmsNorm: () => t.rmsNorm(rnd([7, 96], 11), rnd([96], 12), 1e-6),
  layerNorm: () => t.layerNorm(rnd([7, 96], 13), rnd([96], 14), rnd([96], 15), 1e-5),
  rope: () => t.rope(rnd([1, 3, 5, 16], 16), [0, 1, 2, 3, 4], t.ropeFrequencies({ dim: 16 })),
  attention: () => t.scaledDotProductAttention(q, kv[0], kv[1], { causal: true }),
  cast: () => t.cast(t.cast(rnd([100], 17, 100), "bf16"), "f32"),
  qmatmul: () => t.qmatmul(rnd([3, 64], 18), t.quantize(rnd([5, 64], 19), "q4_0")),
  dequantize: () => t.dequantize(t.quantize(rnd([4, 96], 20), "q8_0")),
  embedding: () => t.embedding(rnd([50, 8], 21), ids(17, 50, 22)),
  topk: () => t.topk(rnd([4, 33], 23), 5).values,
  crossEntropy: () => t.crossEntropy(rnd([6, 40], 24), ids(6, 40, 25)),
  rand: () => t.rand([1000], { seed: 26 }),
  adamw: () => {
    const [p, m, v] = [rnd([300], 27), t.zeros([300]), t.zeros([300])];
    const c = {
      beta1: 0.9,
      beta2: 0.999,
      eps: 1e-8,
      shrink: 0.999,
      stepSize: 0.01,
      sqrtBias2: 0.03,
    };
    t.adamwUpdate(p, rnd([300], 28, 0.1), m, v, c);
    return p;
  },
};
let failed = 0;
for (const [name, fn] of Object.entries(cases)) {
  const a = t.withBackend("cpu", fn).toFloat64();
  const b = t.withBackend("js", fn).toFloat64();
  let diff = 0;
  let scale = 1e-30;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  const ok = a.length === b.length && diff / scale < 1e-4;
  if (!ok) failed++;
  console.log(`${ok ? "ok  " : "FAIL"} ${name.padEnd(12)} rel ${(diff / scale).toExponential(2)}`);
}
console.log(`${Object.keys(cases).length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
