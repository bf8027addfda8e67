// Test helpers (imported by *.test.ts only) for op-level parity tests of native kernels: tensors
// seen through offset, permuted, padded views, and comparisons of js and cpu runs of one op.
import { expect } from "vitest";
import type { DType } from "../../dtype.js";
import { Tensor } from "../../tensor.js";
import { int } from "./testkit.js";

/**
 * A tensor of `shape` whose values come from gen(i) in row-major order; most of the time a view
 * with a non-zero offset and padded, permuted strides into a larger storage.
 */
export function randomView(
  r: () => number,
  shape: readonly number[],
  gen: (i: number) => number,
  dtype: DType = "f32",
): Tensor {
  const n = shape.reduce((p, d) => p * d, 1);
  const dense = Tensor.from(
    Array.from({ length: n }, (_, i) => gen(i)),
    [...shape],
    dtype,
  );
  if (r() < 0.25 || shape.length === 0) return dense;
  const nd = shape.length;
  const order = [...shape.keys()].sort(() => r() - 0.5); // stored axis i holds logical axis order[i]
  const pad = order.map(() => int(r, 0, 2));
  const base = Tensor.empty(
    order.map((a, i) => shape[a]! + pad[i]! + 1),
    dtype,
  );
  let view = base;
  for (let i = 0; i < nd; i++) view = view.slice(i, 1, 1 + shape[order[i]!]!);
  const inverse = order.map((_, a) => order.indexOf(a));
  view = view.permute(inverse);
  // write the values through the view's strides
  const data = view.storage.data;
  const src = dense.data();
  const idx = new Array<number>(nd).fill(0);
  for (let i = 0; i < n; i++) {
    let off = view.offset;
    for (let d = 0; d < nd; d++) off += idx[d]! * view.strides[d]!;
    data[off] = src[i]!;
    for (let d = nd - 1; d >= 0; d--) {
      if (++idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
  }
  return view;
}

/** A random shape of rank in [lo, hi] with dims from `dims`. */
export function randomShape(
  r: () => number,
  lo: number,
  hi: number,
  dims: readonly number[],
): number[] {
  return Array.from({ length: int(r, lo, hi) }, () => dims[Math.floor(r() * dims.length)]!);
}

/** Exact equality of two f32 value lists, bit for bit (NaN payloads aside, -0 distinguished). */
export function expectSameBits(
  label: string,
  got: ArrayLike<number>,
  want: ArrayLike<number>,
): void {
  expect(got.length, `${label}: length`).toBe(want.length);
  const a = Float32Array.from(got);
  const b = Float32Array.from(want);
  for (let i = 0; i < b.length; i++) {
    if (Object.is(a[i], b[i]) || (Number.isNaN(a[i]) && Number.isNaN(b[i]))) continue;
    expect.fail(`${label}[${i}]: got ${a[i]}, expected ${b[i]}`);
  }
}
