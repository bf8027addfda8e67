import type { SortRowsKernel } from "../kernels.js";
import { registerKernel } from "../registry.js";
import { defineCpuFamily, entry } from "./families.js";

// Stable row sorts and top-k (partial sort) of f32 rows from native/src/sort (core target,
// threaded over rows): the js comparator's order, as u64 keys (value bits, position).
defineCpuFamily("sort", (addon) => {
  const sortRows = entry<SortRowsKernel>(addon, "sortRows");
  const kernel: SortRowsKernel = (x, rows, n, k, descending, out) =>
    sortRows(x, rows, n, k, descending, out);
  registerKernel("sortRows", "cpu", kernel);
});
