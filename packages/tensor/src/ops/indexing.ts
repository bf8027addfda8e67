// Integer-indexed reads and accumulating writes. Reads copy raw storage elements (any dtype);
// gradients and scatterAdd accumulate in f64.

import { record } from "../autograd/tape.js";
import { deviceOp, onDevice } from "../backend/device.js";
import type { GatherKernel, IndexSelectKernel, ScatterAddKernel } from "../backend/kernels.js";
import { nativeKernel } from "../backend/registry.js";
import { type DType, isFloat } from "../dtype.js";
import { DTypeError, IndexError, ShapeError } from "../errors.js";
import { contiguousStrides, fmtShape, normAxis, numel, type Shape } from "../shape.js";
import { copyStrided, Tensor } from "../tensor.js";
import { denseData, elementOffsets, fromF64, rawContiguous, readF64 } from "./strided.js";

const INDEX_DTYPES: readonly DType[] = ["i32", "i8", "u8"];

/** Reads an index tensor, checking its dtype and that every entry lies in [0, size). */
function indices(what: string, index: Tensor, size: number): Float64Array {
  if (!INDEX_DTYPES.includes(index.dtype)) {
    throw new DTypeError(
      `${what}: indices must be an integer tensor (i32, i8, u8), got ${index.dtype}`,
    );
  }
  const v = readF64(index);
  for (let i = 0; i < v.length; i++) {
    const k = v[i]!;
    if (k < 0 || k >= size)
      throw new IndexError(`${what}: index ${k} is out of range for a dimension of size ${size}`);
  }
  return v;
}

/**
 * Takes the slices `index` selects along `axis` (numpy `take`): the result's shape is t's with
 * that axis replaced by index's shape.
 *
 * ```ts
 * const t = Tensor.from([1, 2, 3, 4, 5, 6], [3, 2]);
 * indexSelect(t, 0, Tensor.from([2, 0], [2], "i32")).toArray(); // [5, 6, 1, 2]
 * ```
 */
export function indexSelect(t: Tensor, axis: number, index: Tensor): Tensor {
  if (onDevice(t)) return deviceOp("indexSelect")(t, axis, index);
  const ax = normAxis(axis, t.ndim);
  const n = t.shape[ax]!;
  const idx = indices("indexSelect", index, n);
  const outer = numel(t.shape.slice(0, ax));
  const inner = numel(t.shape.slice(ax + 1));
  const shape = [...t.shape.slice(0, ax), ...index.shape, ...t.shape.slice(ax + 1)];
  const out = Tensor.empty(shape, t.dtype);
  const src = denseData(rawContiguous(t));
  const dst = out.storage.data;
  const m = idx.length;
  const kernel = WORD_DTYPES.has(t.dtype)
    ? nativeKernel<IndexSelectKernel>("indexSelect")
    : undefined;
  if (kernel)
    kernel(src as Float32Array, Int32Array.from(idx), dst as Float32Array, outer, n, inner);
  else {
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < m; j++) {
        const from = (o * n + idx[j]!) * inner;
        dst.set(src.subarray(from, from + inner) as never, (o * m + j) * inner);
      }
    }
  }
  if (!isFloat(t.dtype)) return out;
  return record(
    out,
    [t],
    (g) => {
      const gv = readF64(g);
      const acc = new Float64Array(t.size);
      for (let o = 0; o < outer; o++) {
        for (let j = 0; j < m; j++) {
          const to = (o * n + idx[j]!) * inner;
          const from = (o * m + j) * inner;
          for (let k = 0; k < inner; k++) acc[to + k] = acc[to + k]! + gv[from + k]!;
        }
      }
      return [fromF64(acc, t.shape, t.dtype)];
    },
    [index],
  );
}

/**
 * Embedding lookup: rows of `weight` [vocab, dim] for integer `ids` of any shape, giving
 * [...ids.shape, dim]. The gradient accumulates into the rows that were read.
 *
 * ```ts
 * const w = Tensor.from([0, 0, 1, 1, 2, 2], [3, 2]);
 * embedding(w, Tensor.from([2, 1], [2], "i32")).toArray(); // [2, 2, 1, 1]
 * ```
 */
export function embedding(weight: Tensor, ids: Tensor): Tensor {
  if (weight.ndim !== 2)
    throw new ShapeError(`embedding: weight must be [vocab, dim], got ${fmtShape(weight.shape)}`);
  return indexSelect(weight, 0, ids);
}

/** Checks that `index` fits `shape` except along `axis` and reads its entries (checked too). */
function addressIndices(what: string, shape: Shape, axis: number, index: Tensor): Float64Array {
  if (index.ndim !== shape.length || index.shape.some((d, i) => i !== axis && d > shape[i]!)) {
    throw new ShapeError(
      `${what}: index ${fmtShape(index.shape)} does not fit ${fmtShape(shape)} on axis ${axis}`,
    );
  }
  return indices(what, index, shape[axis]!);
}

/**
 * Storage offsets, within a tensor laid out with `strides` from `offset`, of the positions `idx`
 * (index's entries) addresses along `axis` (the js addressing of gather and scatterAdd).
 */
function addressed(
  strides: readonly number[],
  offset: number,
  storage: Tensor,
  axis: number,
  index: Tensor,
  idx: Float64Array,
): Int32Array | Float64Array {
  const baseStrides = strides.map((s, i) => (i === axis ? 0 : s));
  const base = elementOffsets(new Tensor(storage.storage, index.shape, baseStrides, offset));
  for (let i = 0; i < base.length; i++) base[i] = base[i]! + idx[i]! * strides[axis]!;
  return base;
}

/** Dtypes whose elements the native index kernels move (4-byte words). */
const WORD_DTYPES: ReadonlySet<DType> = new Set(["f32", "i32"]);

/** Whether the native gather/scatterAdd addressing (rank <= 8, strides >= 0) covers `t`. */
function nativeAddressable(t: Tensor, strides: readonly number[]): boolean {
  return t.ndim >= 1 && t.ndim <= 8 && strides.every((s) => s >= 0);
}

/**
 * `out[..., i, ...] = t[..., index[..., i, ...], ...]` along `axis`; the result has index's shape
 * (whose other dimensions may not exceed t's).
 *
 * ```ts
 * const t = Tensor.from([1, 2, 3, 4], [2, 2]);
 * gather(t, 1, Tensor.from([1, 1, 0, 1], [2, 2], "i32")).toArray(); // [2, 2, 3, 4]
 * ```
 */
export function gather(t: Tensor, axis: number, index: Tensor): Tensor {
  const ax = normAxis(axis, t.ndim);
  const idx = addressIndices("gather", t.shape, ax, index);
  const out = Tensor.empty(index.shape, t.dtype);
  const src = t.storage.data;
  const dst = out.storage.data;
  const kernel =
    WORD_DTYPES.has(t.dtype) && nativeAddressable(t, t.strides)
      ? nativeKernel<GatherKernel>("gather")
      : undefined;
  if (kernel) {
    const sub = (src as Float32Array).subarray(t.offset);
    kernel(
      sub,
      Int32Array.from(idx),
      dst as Float32Array,
      Int32Array.from(index.shape),
      Int32Array.from(t.strides),
      ax,
      t.shape[ax]!,
    );
  } else {
    const offsets = addressed(t.strides, t.offset, t, ax, index, idx);
    for (let i = 0; i < offsets.length; i++) dst[i] = src[offsets[i]!]!;
  }
  if (!isFloat(t.dtype)) return out;
  return record(out, [t], (g) => [scatterAdd(Tensor.empty(t.shape, t.dtype), ax, index, g)], [
    index,
  ]);
}

/**
 * Returns a copy of `t` with `src` added at the positions `index` addresses along `axis`
 * (repeated indices accumulate): the transpose of {@link gather}. `src` has index's shape.
 *
 * ```ts
 * const z = Tensor.from([0, 0, 0]);
 * scatterAdd(z, 0, Tensor.from([0, 2, 0], [3], "i32"), Tensor.from([1, 2, 3])).toArray(); // [4, 0, 2]
 * ```
 */
export function scatterAdd(t: Tensor, axis: number, index: Tensor, src: Tensor): Tensor {
  const ax = normAxis(axis, t.ndim);
  if (src.shape.length !== index.shape.length || src.shape.some((d, i) => d !== index.shape[i])) {
    throw new ShapeError(
      `scatterAdd: src ${fmtShape(src.shape)} must have the index's shape ${fmtShape(index.shape)}`,
    );
  }
  if (src.dtype !== t.dtype)
    throw new DTypeError(`scatterAdd: src dtype ${src.dtype} differs from ${t.dtype}`);
  const idx = addressIndices("scatterAdd", t.shape, ax, index);
  const strides = contiguousStrides(t.shape);
  const kernel =
    t.dtype === "f32" && nativeAddressable(t, strides)
      ? nativeKernel<ScatterAddKernel>("scatterAdd")
      : undefined;
  let out: Tensor;
  if (kernel) {
    out = Tensor.empty(t.shape, "f32");
    copyStrided(t, out.storage.data);
    const sv = denseData(rawContiguous(src)) as Float32Array;
    kernel(
      out.storage.data as Float32Array,
      Int32Array.from(idx),
      sv,
      Int32Array.from(index.shape),
      Int32Array.from(strides),
      ax,
      t.shape[ax]!,
    );
  } else {
    const acc = readF64(t);
    const offsets = addressed(strides, 0, t, ax, index, idx);
    const sv = readF64(src);
    for (let i = 0; i < offsets.length; i++) acc[offsets[i]!] = acc[offsets[i]!]! + sv[i]!;
    out = fromF64(acc, t.shape, t.dtype);
  }
  if (!isFloat(t.dtype)) return out;
  return record(out, [t, src], (g) => [g, gather(g, ax, index)], [index]);
}
