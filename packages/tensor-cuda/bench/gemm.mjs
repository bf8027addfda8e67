#!/usr/bin/env node
// GEMM throughput of the cuda backend (matmul through cuBLAS) on the shapes gemm_torch.py times
// with PyTorch: prints one JSON line per (shape, precision) with the mean time and TFLOP/s.
import * as T from "../../tensor/dist/index.js";

// The addon built in this checkout, unless the package is installed where @x/tensor resolves it.
process.env.X_TENSOR_CUDA_ADDON ??= new URL(
  "../build/x_tensor_cuda.node",
  import.meta.url,
).pathname;

export const SHAPES = [
  [4096, 4096, 4096],
  [2048, 2048, 2048],
  [2048, 576, 1536],
  [2048, 1536, 576],
  [1, 576, 49152],
  [8192, 8192, 8192],
];
const st = T.cudaStatus();
if (!st.available) throw new Error(`cuda unavailable: ${st.reason}`);

function time(fn, iters) {
  for (let i = 0; i < 3; i++) fn();
  T.synchronize();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < iters; i++) fn();
  T.synchronize();
  return Number(process.hrtime.bigint() - t0) / 1e6 / iters;
}

for (const [m, k, n] of SHAPES) {
  for (const prec of ["f32", "tf32", "bf16"]) {
    const dtype = prec === "bf16" ? "bf16" : "f32";
    const a = T.cast(T.randn([m, k], { seed: 1, device: "cuda" }), dtype);
    const b = T.cast(T.randn([k, n], { seed: 2, device: "cuda" }), dtype);
    T.setCudaMatmulPrecision(prec === "tf32" ? "tf32" : "highest");
    const flops = 2 * m * n * k;
    const iters = Math.max(5, Math.min(200, Math.round(2e13 / flops)));
    const ms = time(() => T.matmul(a, b).dispose(), iters);
    console.log(
      JSON.stringify({ impl: "x-tensor-cuda", m, k, n, prec, ms, tflops: flops / ms / 1e9 }),
    );
    a.dispose();
    b.dispose();
  }
}
T.setCudaMatmulPrecision("highest");
