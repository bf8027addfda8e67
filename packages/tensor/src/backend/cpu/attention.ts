import type { AttentionKernel } from "../kernels.js";
import { registerKernel } from "../registry.js";
import { defineCpuFamily, entry } from "./families.js";

// Scaled dot-product attention with GQA, causal alignment and f32 or f16 K/V: one pass of online
// softmax over key tiles, threaded over (batch, KV head, query block) (native/src/attention).
defineCpuFamily("attention", (addon) => {
  const attention = entry<AttentionKernel>(addon, "attention");
  const kernel: AttentionKernel = (q, k, v, out, b, hq, hkv, sq, skv, d, scale, causal, kvHalf) =>
    attention(q, k, v, out, b, hq, hkv, sq, skv, d, scale, causal, kvHalf);
  registerKernel("attention", "cpu", kernel);
});
