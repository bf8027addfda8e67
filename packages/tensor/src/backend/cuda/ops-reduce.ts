// Reductions and softmax on cuda: one kernel pass over [outer, len, inner] (see reduce.cu).
import { record } from "../../autograd/tape.js";
import { DTypeError, ValueError } from "../../errors.js";
import type { Axes } from "../../ops/reduce-core.js";
import { fmtShape, normAxes, normAxis, numel } from "../../shape.js";
import { Tensor } from "../../tensor.js";
import { ReduceOp, type ReduceOpName } from "../kernels.js";
import { cuda } from "./addon.js";
import { addr, copyInto, devContiguous, devEmpty, devFull, release } from "./tensors.js";

function reduceRaw(x: Tensor, axes: number[], op: ReduceOpName, keepdims: boolean): Tensor {
  if (x.dtype !== "f32") throw new DTypeError(`${op} on cuda supports f32 tensors, got ${x.dtype}`);
  const kept = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const len = numel(axes.map((a) => x.shape[a]!));
  if (len === 0 && op !== "sum")
    throw new ValueError(`${op} of an empty reduction (shape ${fmtShape(x.shape)})`);
  const keptShape = kept.map((i) => x.shape[i]!);
  const isArg = op === "argmax" || op === "argmin";
  const out = devEmpty(keptShape, isArg ? "i32" : "f32");
  // Reduced axes that form one block of a contiguous x are the middle of [outer, len, inner]
  // as they lie (a bias gradient sums axis 0 in place); otherwise they are moved last first.
  const sorted = [...axes].sort((p, q) => p - q);
  const block = sorted.length > 0 && sorted.every((a, i) => a === sorted[0]! + i);
  let src = x;
  let outer = numel(keptShape);
  let inner = 1;
  if (block && x.isContiguous()) {
    outer = numel(x.shape.slice(0, sorted[0]!));
    inner = numel(x.shape.slice(sorted[sorted.length - 1]! + 1));
  } else {
    const order = [...kept, ...axes];
    src = devContiguous(
      new Tensor(
        x.storage,
        order.map((a) => x.shape[a]!),
        order.map((a) => x.strides[a]!),
        x.offset,
      ),
    );
  }
  if (len === 0) cuda().fill(addr(out), 0, out.size);
  else if (out.size) cuda().reduce(ReduceOp[op], addr(src), addr(out), outer, len, inner);
  if (src !== x) release(src);
  const keep = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  return keepdims ? out.reshape(keep) : out;
}

/** Sum over `axes` on the device (used by sum and by gradient broadcasting). */
export function sumAxes(x: Tensor, axes: number[], keepdims: boolean): Tensor {
  const out = reduceRaw(x, axes, "sum", keepdims);
  return record(out, [x], (g) => {
    const keep = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
    const gk = g.reshape(keep);
    const dx = devEmpty(x.shape, "f32");
    copyInto(gk.expand(x.shape), dx);
    return [dx];
  });
}

export function sum(x: Tensor, axes?: Axes, keepdims = false): Tensor {
  return sumAxes(x, normAxes(axes, x.ndim), keepdims);
}

export function mean(x: Tensor, axes?: Axes, keepdims = false): Tensor {
  const ax = normAxes(axes, x.ndim);
  const n = numel(ax.map((a) => x.shape[a]!));
  const s = sumAxes(x, ax, keepdims);
  // mul by a number routes back through the cuda binary op (and its gradient).
  return cudaMulScalar(s, 1 / n);
}

let mulScalar: ((t: Tensor, v: number) => Tensor) | undefined;
/** Set by index.ts to the public mul (avoids an import cycle with ops-elementwise). */
export function setMulScalar(fn: (t: Tensor, v: number) => Tensor): void {
  mulScalar = fn;
}
function cudaMulScalar(t: Tensor, v: number): Tensor {
  return mulScalar!(t, v);
}

export function max(x: Tensor, axes?: Axes, keepdims = false): Tensor {
  return reduceRaw(x, normAxes(axes, x.ndim), "max", keepdims);
}

export function min(x: Tensor, axes?: Axes, keepdims = false): Tensor {
  return reduceRaw(x, normAxes(axes, x.ndim), "min", keepdims);
}

export function argmax(x: Tensor, axis?: number, keepdims = false): Tensor {
  if (axis === undefined) return reduceRaw(x.reshape([-1]), [0], "argmax", false);
  return reduceRaw(x, [normAxis(axis, x.ndim)], "argmax", keepdims);
}

export function argmin(x: Tensor, axis?: number, keepdims = false): Tensor {
  if (axis === undefined) return reduceRaw(x.reshape([-1]), [0], "argmin", false);
  return reduceRaw(x, [normAxis(axis, x.ndim)], "argmin", keepdims);
}

/** (log-)softmax along `axis`, with its gradient. */
export function softmaxAlong(x: Tensor, axis: number, log: boolean): Tensor {
  if (x.dtype !== "f32")
    throw new DTypeError(`softmax on cuda supports f32 tensors, got ${x.dtype}`);
  const ax = normAxis(axis, x.ndim);
  const last = x.ndim - 1;
  const moved = ax === last ? x : x.transpose(ax, last);
  const src = devContiguous(moved);
  const cols = x.ndim === 0 ? 1 : moved.shape[last]!;
  const rows = cols === 0 ? 0 : src.size / cols;
  const y = devEmpty(moved.shape, "f32");
  cuda().softmax(addr(src), addr(y), rows, cols, log);
  const out = ax === last ? y : devContiguous(y.transpose(ax, last));
  return record(
    out,
    [x],
    (g) => {
      const gm = devContiguous(ax === last ? g : g.transpose(ax, last));
      const dx = devEmpty(moved.shape, "f32");
      cuda().softmaxBackward(addr(y), addr(gm), addr(dx), rows, cols, log);
      return [ax === last ? dx : devContiguous(dx.transpose(ax, last))];
    },
    [out],
  );
}

/** A device tensor of ones, for seeding gradients. */
export function onesOn(shape: readonly number[]): Tensor {
  return devFull(shape, 1);
}
