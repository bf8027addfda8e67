// Sorting along an axis. Indices come from the native sortRows kernel for f32 (rows along the
// moved-last axis) or a js stable sort over f64 keys, NaN ordered as the largest value; values
// are then gathered, so their gradient comes from gather's.
import type { SortRowsKernel } from "../backend/kernels.js";
import { nativeKernel } from "../backend/registry.js";
import { IndexError } from "../errors.js";
import { normAxis } from "../shape.js";
import { Tensor } from "../tensor.js";
import { gather } from "./indexing.js";
import { denseData, fromF64, rawContiguous, rawPermute, readF64 } from "./strided.js";

/** Values and their positions (i32) along the sorted axis. */
export interface SortResult {
  values: Tensor;
  indices: Tensor;
}

function compareAsc(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
  if (Number.isNaN(b)) return -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorted indices of every row along `axis`, keeping the first `k` of each; shape = t's with axis size k. */
function sortedIndices(t: Tensor, axis: number, descending: boolean, k: number): Tensor {
  const ax = normAxis(axis, t.ndim);
  const order = [...t.shape.keys()].filter((i) => i !== ax).concat(ax);
  const moved = rawPermute(t, order);
  const n = t.shape[ax]!;
  const shape = moved.shape.slice(0, -1).concat(k);
  const inverse = new Array<number>(order.length);
  order.forEach((a, i) => {
    inverse[a] = i;
  });
  const kernel =
    t.dtype === "f32" && n < 2 ** 31 ? nativeKernel<SortRowsKernel>("sortRows") : undefined;
  if (kernel) {
    const x = rawContiguous(moved);
    const out = Tensor.empty(shape, "i32");
    kernel(
      denseData(x) as Float32Array,
      n === 0 ? 0 : x.size / n,
      n,
      k,
      descending,
      out.storage.data as Int32Array,
    );
    return rawContiguous(rawPermute(out, inverse));
  }
  const v = readF64(moved);
  const rows = n === 0 ? 0 : v.length / n;
  const out = new Float64Array(rows * k);
  const cmp = descending
    ? (i: number, j: number) => compareAsc(v[j]!, v[i]!)
    : (i: number, j: number) => compareAsc(v[i]!, v[j]!);
  const idx = new Array<number>(n);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < n; j++) idx[j] = r * n + j;
    idx.sort(cmp); // Array.prototype.sort is stable (ES2019), so ties keep their order.
    for (let j = 0; j < k; j++) out[r * k + j] = idx[j]! - r * n;
  }
  return rawContiguous(rawPermute(fromF64(out, shape, "i32"), inverse));
}

/**
 * Stable sort along `axis` (last by default); NaN sorts as the largest value.
 *
 * ```ts
 * const { values, indices } = sort(Tensor.from([3, 1, 2]));
 * values.toArray();  // [1, 2, 3]
 * indices.toArray(); // [1, 2, 0]
 * ```
 */
export function sort(t: Tensor, axis = -1, descending = false): SortResult {
  const indices = sortedIndices(t, axis, descending, t.shape[normAxis(axis, t.ndim)]!);
  return { values: gather(t, axis, indices), indices };
}

/**
 * Indices (i32) that sort `t` along `axis`, stably.
 *
 * ```ts
 * argsort(Tensor.from([3, 1, 2]), -1, true).toArray(); // [0, 2, 1]
 * ```
 */
export function argsort(t: Tensor, axis = -1, descending = false): Tensor {
  return sortedIndices(t, axis, descending, t.shape[normAxis(axis, t.ndim)]!);
}

/** Options of {@link topk}. */
export interface TopkOptions {
  /** Axis to select along (default -1). */
  axis?: number;
  /** Largest (default) or smallest values. */
  largest?: boolean;
}

/**
 * The `k` largest (or smallest) entries along an axis, in order; ties keep the lower index first.
 *
 * ```ts
 * const { values, indices } = topk(Tensor.from([1, 5, 3, 5]), 2);
 * values.toArray();  // [5, 5]
 * indices.toArray(); // [1, 3]
 * ```
 */
export function topk(t: Tensor, k: number, opts: TopkOptions = {}): SortResult {
  const axis = opts.axis ?? -1;
  const n = t.shape[normAxis(axis, t.ndim)]!;
  if (!Number.isInteger(k) || k < 0 || k > n)
    throw new IndexError(`topk: k = ${k} is out of range for a dimension of size ${n}`);
  const indices = sortedIndices(t, axis, opts.largest ?? true, k);
  return { values: gather(t, axis, indices), indices };
}
