import type { AdamWKernel } from "../kernels.js";
import { registerKernel } from "../registry.js";
import { defineCpuFamily, entry } from "./families.js";

// The fused AdamW update from native/src/optim (core target, threaded over elements),
// bit-identical to the js loop of src/ops/optim.ts.
defineCpuFamily("optim", (addon) => {
  registerKernel("adamw", "cpu", entry<AdamWKernel>(addon, "adamw"));
});
