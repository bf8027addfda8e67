import type { GroupDequantizeKernel, GroupQuantizeKernel } from "../kernels.js";
import { registerKernel } from "../registry.js";
import { defineCpuFamily, entry } from "./families.js";

// Group-asymmetric u2/u4/u8 quantization from native/src/gquant (per ISA, vectorized for groups
// along the last axis), byte-identical to src/quant/group-quant.ts. A value the metadata cannot
// hold comes back as a failure record, which groupQuantize turns into its ValueError.
defineCpuFamily("gquant", (addon) => {
  const quantize = entry<GroupQuantizeKernel>(addon, "groupQuantize");
  const dequantize = entry<GroupDequantizeKernel>(addon, "groupDequantize");
  const q: GroupQuantizeKernel = (x, outer, len, inner, g, bits, words, scales, zeros) =>
    quantize(x, outer, len, inner, g, bits, words, scales, zeros);
  const dq: GroupDequantizeKernel = (words, scales, zeros, outer, len, inner, g, bits, out) =>
    dequantize(words, scales, zeros, outer, len, inner, g, bits, out);
  registerKernel("groupQuantize", "cpu", q);
  registerKernel("groupDequantize", "cpu", dq);
});
