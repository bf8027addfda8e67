import type { BinaryKernel, UnaryKernel } from "../kernels.js";
import { registerKernel } from "../registry.js";
import { defineCpuFamily, entry } from "./families.js";

// Strided-broadcast binary ops and unary ops (native/src/elementwise).
defineCpuFamily("elementwise", (addon) => {
  const binary = entry<BinaryKernel>(addon, "binary");
  const unary = entry<UnaryKernel>(addon, "unary");
  const binaryKernel: BinaryKernel = (op, a, aStrides, b, bStrides, out, shape) =>
    binary(op, a, aStrides, b, bStrides, out, shape);
  const unaryKernel: UnaryKernel = (op, x, out) => unary(op, x, out);
  registerKernel("binary", "cpu", binaryKernel);
  registerKernel("unary", "cpu", unaryKernel);
});
