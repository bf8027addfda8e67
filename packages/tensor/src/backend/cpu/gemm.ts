import type { SgemmKernel } from "../kernels.js";
import { registerKernel } from "../registry.js";
import { defineCpuFamily, entry } from "./families.js";

// Batched f32 GEMM: packed, register-blocked, threaded over tiles of C (native/src/gemm).
defineCpuFamily("gemm", (addon) => {
  const sgemm = entry<SgemmKernel>(addon, "sgemm");
  const kernel: SgemmKernel = (
    a,
    b,
    c,
    m,
    n,
    k,
    transA,
    transB,
    batch,
    strideA,
    strideB,
    strideC,
  ) => sgemm(a, b, c, m, n, k, transA, transB, batch, strideA, strideB, strideC);
  registerKernel("sgemm", "cpu", kernel);
});
