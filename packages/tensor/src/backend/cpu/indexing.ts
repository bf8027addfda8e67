import type { GatherKernel, IndexSelectKernel, ScatterAddKernel } from "../kernels.js";
import { registerKernel } from "../registry.js";
import { defineCpuFamily, entry } from "./families.js";

// Index reads and accumulating writes from native/src/index (core target: memcpy rows and
// addressed 4-byte moves). The addon checks every index and throws a RangeError naming the
// first one outside its dimension, before writing anything.
defineCpuFamily("index", (addon) => {
  const indexSelect = entry<IndexSelectKernel>(addon, "indexSelect");
  const gather = entry<GatherKernel>(addon, "gather");
  const scatterAdd = entry<ScatterAddKernel>(addon, "scatterAdd");
  const selectKernel: IndexSelectKernel = (src, idx, out, outer, n, inner) =>
    indexSelect(src, idx, out, outer, n, inner);
  const gatherKernel: GatherKernel = (src, idx, out, shape, strides, axis, size) =>
    gather(src, idx, out, shape, strides, axis, size);
  const scatterKernel: ScatterAddKernel = (dst, idx, src, shape, strides, axis, size) =>
    scatterAdd(dst, idx, src, shape, strides, axis, size);
  registerKernel("indexSelect", "cpu", selectKernel);
  registerKernel("gather", "cpu", gatherKernel);
  registerKernel("scatterAdd", "cpu", scatterKernel);
});
