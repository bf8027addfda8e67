import type { RandomKernel } from "../kernels.js";
import { registerKernel } from "../registry.js";
import { defineCpuFamily, entry } from "./families.js";

// Philox4x32-10 streams from native/src/random (core target, threaded over blocks), bit-identical
// to src/ops/random.ts: uniforms are exact multiples of 2^-24 and normals use the shared
// polynomial log/sin/cos, so both backends round the same IEEE operations.
defineCpuFamily("random", (addon) => {
  const random = entry<RandomKernel>(addon, "random");
  const kernel: RandomKernel = (kind, seed, offset, out, low, span) =>
    random(kind, seed, offset, out, low, span);
  registerKernel("random", "cpu", kernel);
});
