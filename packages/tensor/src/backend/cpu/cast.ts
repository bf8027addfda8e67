import type { CastKernel } from "../kernels.js";
import { registerKernel } from "../registry.js";
import { defineCpuFamily, entry } from "./families.js";

// f32 <-> f16/bf16 conversions, bit-exact with src/half.ts (native/src/cast).
defineCpuFamily("cast", (addon) => {
  const cast = entry<CastKernel>(addon, "cast");
  const kernel: CastKernel = (src, srcDtype, dst, dstDtype) => cast(src, srcDtype, dst, dstDtype);
  registerKernel("cast", "cpu", kernel);
});
