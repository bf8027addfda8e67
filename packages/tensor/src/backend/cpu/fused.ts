import type { DecodeLayerKernel } from "../kernels.js";
import { registerKernel } from "../registry.js";
import { defineCpuFamily, entry } from "./families.js";

// Fused multi-kernel steps from native/src/fused (a decoder layer for one token); the addon
// validates every argument and throws TypeError/RangeError naming it.
defineCpuFamily("fused", (addon) => {
  registerKernel("decodeLayer", "cpu", entry<DecodeLayerKernel>(addon, "decodeLayer"));
});
