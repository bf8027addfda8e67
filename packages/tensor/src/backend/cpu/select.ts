import type { CopyStridedKernel, WhereKernel } from "../kernels.js";
import { registerKernel } from "../registry.js";
import { defineCpuFamily, entry } from "./families.js";

// where (native/src/select, per ISA: vector blends on dense runs) and the strided copy behind
// contiguous()/clone (native/src/copy, core target: memcpy runs, threaded over rows).
defineCpuFamily("select", (addon) => {
  const where = entry<WhereKernel>(addon, "where");
  const copy = entry<CopyStridedKernel>(addon, "copyStrided");
  const whereKernel: WhereKernel = (c, cs, a, as, b, bs, out, shape) =>
    where(c, cs, a, as, b, bs, out, shape);
  const copyKernel: CopyStridedKernel = (src, strides, shape, dst) =>
    copy(src, strides, shape, dst);
  registerKernel("where", "cpu", whereKernel);
  registerKernel("copyStrided", "cpu", copyKernel);
});
