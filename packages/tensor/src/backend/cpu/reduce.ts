import type { ReduceKernel } from "../kernels.js";
import { registerKernel } from "../registry.js";
import { defineCpuFamily, entry } from "./families.js";

// Middle-axis reductions with f64 accumulation of sums (native/src/reduce).
defineCpuFamily("reduce", (addon) => {
  const reduce = entry<ReduceKernel>(addon, "reduce");
  const kernel: ReduceKernel = (op, x, out, outer, len, inner) =>
    reduce(op, x, out, outer, len, inner);
  registerKernel("reduce", "cpu", kernel);
});
