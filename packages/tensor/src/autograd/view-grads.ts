// Backward helpers of Tensor's view methods, kept apart so tensor.ts stays about layout.
import { deviceOp } from "../backend/device.js";
import { elementOffsets, fromF64, rawContiguous, readF64, sumToShapeF64 } from "../ops/strided.js";
import { contiguousStrides, type Shape } from "../shape.js";
import { Tensor } from "../tensor.js";

/**
 * Sums `g` over the axes along which a tensor of `shape` was broadcast, giving a tensor of
 * `shape` (the gradient of `expand` and of every broadcasting op).
 *
 * ```ts
 * sumToShape(ones([2, 3]), [1, 3]).toArray(); // [2, 2, 2]
 * ```
 */
export function sumToShape(g: Tensor, shape: Shape): Tensor {
  if (g.shape.length === shape.length && g.shape.every((d, i) => d === shape[i])) return g;
  if (g.device !== "cpu") return deviceOp("sumTo")(g, shape);
  return fromF64(sumToShapeF64(readF64(g), g.shape, shape), shape, g.dtype);
}

/** Writes `g` into a zero tensor of `shape` at the positions a strided view selects. */
function scatterIntoZeros(
  g: Tensor,
  shape: Shape,
  viewShape: Shape,
  viewStrides: readonly number[],
  offset: number,
): Tensor {
  if (g.device !== "cpu") return deviceOp("scatterView")(g, shape, viewShape, viewStrides, offset);
  const out = Tensor.empty(shape, g.dtype);
  const offsets = elementOffsets(new Tensor(out.storage, viewShape, viewStrides, offset));
  const src = rawContiguous(g);
  const s = src.storage.data;
  const d = out.storage.data;
  for (let i = 0; i < offsets.length; i++) d[offsets[i]!] = s[src.offset + i]!;
  return out;
}

/** Gradient of `slice(axis, start, _, step)` on a tensor of `shape`: `g` placed in a zero tensor. */
export function sliceBackward(
  g: Tensor,
  shape: Shape,
  axis: number,
  start: number,
  step: number,
): Tensor {
  const strides = contiguousStrides(shape);
  const viewStrides = [...strides];
  viewStrides[axis] = strides[axis]! * step;
  return scatterIntoZeros(g, shape, g.shape, viewStrides, start * strides[axis]!);
}

/** Gradient of `select(axis, index)` on a tensor of `shape`. */
export function selectBackward(g: Tensor, shape: Shape, axis: number, index: number): Tensor {
  const strides = contiguousStrides(shape);
  const viewStrides = strides.filter((_, k) => k !== axis);
  return scatterIntoZeros(g, shape, g.shape, viewStrides, index * strides[axis]!);
}

/** Gradient of `permute(order)`: the inverse permutation of `g`. */
export function permuteBackward(g: Tensor, order: readonly number[]): Tensor {
  const inverse = new Array<number>(order.length);
  order.forEach((a, i) => {
    inverse[a] = i;
  });
  return g.permute(inverse);
}
