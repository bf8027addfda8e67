// Shared machinery of the reductions (reduce.ts, reduce-stats.ts): axis planning, native
// dispatch and gradient broadcasting. f32 inputs use the native "reduce" kernel, which reduces the
// middle axis of a contiguous [outer, len, inner] array; js accumulates in f64.
import { record } from "../autograd/tape.js";
import { type ReduceKernel, ReduceOp, type ReduceOpName } from "../backend/kernels.js";
import { nativeKernel } from "../backend/registry.js";
import { type DType, isFloat } from "../dtype.js";
import { ValueError } from "../errors.js";
import { fmtShape, normAxes, numel, type Shape } from "../shape.js";
import { Tensor } from "../tensor.js";
import { castRaw } from "./cast.js";
import { fromF64, rawContiguous, rawPermute, readF64, sumToShapeF64 } from "./strided.js";

/** Axes to reduce: one, several, or (undefined) all of them. */
export type Axes = number | readonly number[] | undefined;

type RowFn = (v: Float64Array, start: number, len: number) => number;

const rowMax: RowFn = (v, s, n) => {
  let m = Number.NEGATIVE_INFINITY;
  for (let i = s; i < s + n; i++) {
    const x = v[i]!;
    if (x > m || Number.isNaN(x)) m = x;
    if (Number.isNaN(m)) break;
  }
  return m;
};
const rowMin: RowFn = (v, s, n) => {
  let m = Number.POSITIVE_INFINITY;
  for (let i = s; i < s + n; i++) {
    const x = v[i]!;
    if (x < m || Number.isNaN(x)) m = x;
    if (Number.isNaN(m)) break;
  }
  return m;
};
// First index of the extreme value; NaN counts as the extreme, as in torch.
const rowArg =
  (better: (x: number, m: number) => boolean): RowFn =>
  (v, s, n) => {
    let best = 0;
    for (let i = 1; i < n; i++) {
      const m = v[s + best]!;
      if (Number.isNaN(m)) break;
      if (better(v[s + i]!, m) || Number.isNaN(v[s + i])) best = i;
    }
    return best;
  };

const ROW: Record<ReduceOpName, RowFn> = {
  sum: (v, s, n) => {
    let acc = 0;
    for (let i = s; i < s + n; i++) acc += v[i]!;
    return acc;
  },
  sumsq: (v, s, n) => {
    let acc = 0;
    for (let i = s; i < s + n; i++) acc += v[i]! * v[i]!;
    return acc;
  },
  max: rowMax,
  min: rowMin,
  argmax: rowArg((x, m) => x > m),
  argmin: rowArg((x, m) => x < m),
  logsumexp: (v, s, n) => {
    const m = rowMax(v, s, n);
    if (!Number.isFinite(m)) return m;
    let acc = 0;
    for (let i = s; i < s + n; i++) acc += Math.exp(v[i]! - m);
    return m + Math.log(acc);
  },
};

/** Shape bookkeeping of one reduction. */
export interface Plan {
  axes: number[];
  /** Output shape without the reduced axes. */
  kept: number[];
  /** Output shape with the reduced axes as 1. */
  keep: number[];
  len: number;
}

export function plan(x: Tensor, axes: Axes): Plan {
  const ax = normAxes(axes, x.ndim);
  const kept = x.shape.filter((_, i) => !ax.includes(i));
  const keep = x.shape.map((d, i) => (ax.includes(i) ? 1 : d));
  return { axes: ax, kept, keep, len: numel(ax.map((a) => x.shape[a]!)) };
}

function nativeReduce(x: Tensor, p: Plan, op: ReduceOpName): Tensor | undefined {
  const kernel = nativeKernel<ReduceKernel>("reduce");
  if (!kernel) return undefined;
  const { axes } = p;
  const block = axes.length > 0 && axes[axes.length - 1]! - axes[0]! === axes.length - 1;
  let src: Tensor;
  let outer: number;
  let inner: number;
  if (block) {
    src = rawContiguous(x);
    outer = numel(x.shape.slice(0, axes[0]));
    inner = numel(x.shape.slice(axes[axes.length - 1]! + 1));
  } else {
    const keptAxes = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
    src = rawContiguous(rawPermute(x, [...keptAxes, ...axes]));
    outer = numel(p.kept);
    inner = 1;
  }
  const isArg = op === "argmax" || op === "argmin";
  const out = Tensor.empty(p.kept, isArg ? "i32" : "f32");
  const data = src.storage.data as Float32Array;
  kernel(
    ReduceOp[op],
    data.subarray(src.offset, src.offset + src.size),
    out.storage.data as Float32Array | Int32Array,
    outer,
    p.len,
    inner,
  );
  return out;
}

/** Runs reduction `op` and returns the result (shape `p.kept`) in `dtype`. */
export function reduceRaw(x: Tensor, p: Plan, op: ReduceOpName, dtype: DType): Tensor {
  if ((op === "max" || op === "min" || op === "argmax" || op === "argmin") && p.len === 0) {
    throw new ValueError(
      `${op} of an empty reduction (shape ${fmtShape(x.shape)}, axes [${p.axes.join(", ")}])`,
    );
  }
  if (x.dtype === "f32" && p.len > 0) {
    const out = nativeReduce(x, p, op);
    if (out) return castRaw(out, dtype);
  }
  const keptAxes = x.shape.map((_, i) => i).filter((i) => !p.axes.includes(i));
  const v = readF64(rawPermute(x, [...keptAxes, ...p.axes]));
  const n = numel(p.kept);
  const res = new Float64Array(n);
  const fn = ROW[op];
  for (let r = 0; r < n; r++) res[r] = fn(v, r * p.len, p.len);
  return fromF64(res, p.kept, dtype);
}

/** The gradient `g` (shape kept or keep) broadcast back over the input, as f64. */
export function spread(g: Tensor, p: Plan, shape: Shape): Float64Array {
  const c = rawContiguous(g);
  return readF64(new Tensor(c.storage, p.keep, undefined, c.offset), shape);
}

export function finish(out: Tensor, p: Plan, keepdims: boolean): Tensor {
  return keepdims ? new Tensor(out.storage, p.keep, undefined, out.offset) : out;
}

/** Records a reduction whose input gradient is `g_in[i] = g_out * d(v, x[i], out)` elementwise. */
export function recordReduce(
  out: Tensor,
  x: Tensor,
  p: Plan,
  d: (g: number, x: number, o: number) => number,
  saved: Tensor[],
): Tensor {
  if (!isFloat(x.dtype)) return out;
  return record(
    out,
    [x],
    (g) => {
      const gv = spread(g, p, x.shape);
      const xv = readF64(x);
      const ov = spread(out, p, x.shape);
      for (let i = 0; i < gv.length; i++) gv[i] = d(gv[i]!, xv[i]!, ov[i]!);
      return [fromF64(gv, x.shape, x.dtype)];
    },
    saved,
  );
}

export const floatOf = (dtype: DType): DType => (isFloat(dtype) ? dtype : "f32");
export const sumType = (dtype: DType): DType => (isFloat(dtype) ? dtype : "i32");

/** Gradient of a max/min reduction of `vals`: ties share `g` evenly. */
export function extremeGrad(
  g: Tensor,
  out: Tensor,
  p: Plan,
  vals: Float64Array,
  shape: Shape,
): Float64Array {
  const ov = spread(out, p, shape);
  const hit = vals.map((v, i) => (v === ov[i] ? 1 : 0));
  const counts = readF64(fromF64(sumToShapeF64(hit, shape, p.keep), p.keep, "f64"), shape);
  const gv = spread(g, p, shape);
  return gv.map((v, i) => (hit[i] ? v / counts[i]! : 0));
}
