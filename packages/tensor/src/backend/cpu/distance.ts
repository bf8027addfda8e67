import type { DistanceRowsKernel, KnnScanKernel } from "../kernels.js";
import { registerKernel } from "../registry.js";
import { defineCpuFamily, entry } from "./families.js";

// Batched distances to stored f32/f16/i8 rows and the exact top-k scan (native/src/distance).
defineCpuFamily("distance", (addon) => {
  registerKernel("distanceRows", "cpu", entry<DistanceRowsKernel>(addon, "distanceRows"));
  registerKernel("knnScan", "cpu", entry<KnnScanKernel>(addon, "knnScan"));
});
