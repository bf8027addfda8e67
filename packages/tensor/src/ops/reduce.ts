// Reductions over any set of axes: sum, mean, max, min, argmax, argmin (statistics such as
// logsumexp, norm, variance live in reduce-stats.ts).

import { record } from "../autograd/tape.js";
import { deviceOp, onDevice } from "../backend/device.js";
import { isFloat } from "../dtype.js";
import { normAxis } from "../shape.js";
import type { Tensor } from "../tensor.js";
import {
  type Axes,
  extremeGrad,
  finish,
  floatOf,
  plan,
  recordReduce,
  reduceRaw,
  sumType,
} from "./reduce-core.js";
import { fromF64, readF64 } from "./strided.js";

export type { Axes } from "./reduce-core.js";

/**
 * Sum over `axes` (all by default). Integer and bool inputs sum to i32.
 *
 * ```ts
 * const x = Tensor.from([1, 2, 3, 4], [2, 2]);
 * sum(x).item();             // 10
 * sum(x, 1).toArray();       // [3, 7]
 * sum(x, 0, true).shape;     // [1, 2]
 * ```
 */
export function sum(x: Tensor, axes?: Axes, keepdims = false): Tensor {
  if (onDevice(x)) return deviceOp("sum")(x, axes, keepdims);
  const p = plan(x, axes);
  const out = finish(reduceRaw(x, p, "sum", sumType(x.dtype)), p, keepdims);
  return recordReduce(out, x, p, (g) => g, []);
}

/**
 * Arithmetic mean over `axes` (all by default); integer inputs give f32.
 *
 * ```ts
 * mean(Tensor.from([1, 2, 3, 4], [2, 2]), 0).toArray(); // [2, 3]
 * ```
 */
export function mean(x: Tensor, axes?: Axes, keepdims = false): Tensor {
  if (onDevice(x)) return deviceOp("mean")(x, axes, keepdims);
  const p = plan(x, axes);
  const dtype = floatOf(x.dtype);
  const s = reduceRaw(x, p, "sum", "f64");
  const v = readF64(s);
  for (let i = 0; i < v.length; i++) v[i] = v[i]! / p.len;
  const out = finish(fromF64(v, p.kept, dtype), p, keepdims);
  return recordReduce(out, x, p, (g) => g / p.len, []);
}

function extreme(x: Tensor, axes: Axes, keepdims: boolean, op: "max" | "min"): Tensor {
  const p = plan(x, axes);
  const out = finish(reduceRaw(x, p, op, x.dtype), p, keepdims);
  if (!isFloat(x.dtype)) return out;
  return record(
    out,
    [x],
    (g) => [fromF64(extremeGrad(g, out, p, readF64(x), x.shape), x.shape, x.dtype)],
    [x, out],
  );
}

/**
 * Maximum over `axes` (all by default); NaN propagates.
 *
 * ```ts
 * max(Tensor.from([1, 5, 3, 2], [2, 2]), 1).toArray(); // [5, 3]
 * ```
 */
export function max(x: Tensor, axes?: Axes, keepdims = false): Tensor {
  if (onDevice(x)) return deviceOp("max")(x, axes, keepdims);
  return extreme(x, axes, keepdims, "max");
}

/**
 * Minimum over `axes` (all by default); NaN propagates.
 *
 * ```ts
 * min(Tensor.from([1, 5, 3, 2], [2, 2]), 1).toArray(); // [1, 2]
 * ```
 */
export function min(x: Tensor, axes?: Axes, keepdims = false): Tensor {
  if (onDevice(x)) return deviceOp("min")(x, axes, keepdims);
  return extreme(x, axes, keepdims, "min");
}

function argExtreme(
  x: Tensor,
  axis: number | undefined,
  keepdims: boolean,
  op: "argmax" | "argmin",
): Tensor {
  if (axis === undefined) return reduceRaw(x.reshape([-1]), plan(x.reshape([-1]), 0), op, "i32");
  const p = plan(x, normAxis(axis, x.ndim));
  return finish(reduceRaw(x, p, op, "i32"), p, keepdims);
}

/**
 * Index (i32) of the first maximum along `axis`, or into the flattened tensor when omitted.
 *
 * ```ts
 * argmax(Tensor.from([1, 5, 3, 2], [2, 2]), 1).toArray(); // [1, 0]
 * ```
 */
export function argmax(x: Tensor, axis?: number, keepdims = false): Tensor {
  if (onDevice(x)) return deviceOp("argmax")(x, axis, keepdims);
  return argExtreme(x, axis, keepdims, "argmax");
}

/**
 * Index (i32) of the first minimum along `axis`, or into the flattened tensor when omitted.
 *
 * ```ts
 * argmin(Tensor.from([1, 5, 3, 2], [2, 2]), 1).toArray(); // [0, 1]
 * ```
 */
export function argmin(x: Tensor, axis?: number, keepdims = false): Tensor {
  if (onDevice(x)) return deviceOp("argmin")(x, axis, keepdims);
  return argExtreme(x, axis, keepdims, "argmin");
}

export * from "./reduce-stats.js";
