// Joining, splitting, selecting and flipping tensors. Data moves as raw storage elements, so
// every dtype is copied bit for bit.
import { record } from "../autograd/tape.js";
import { sumToShape } from "../autograd/view-grads.js";
import { deviceOp, onDevice } from "../backend/device.js";
import type { WhereKernel } from "../backend/kernels.js";
import { nativeKernel } from "../backend/registry.js";
import { type DType, isFloat } from "../dtype.js";
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { broadcastShapes, fmtShape, normAxes, normAxis, numel, sameShape } from "../shape.js";
import { Tensor } from "../tensor.js";
import { castRaw } from "./cast.js";
import { scalar } from "./creation.js";
import { type Operand, resultDType } from "./elementwise.js";
import {
  broadcastStrides,
  denseData,
  elementOffsets,
  fromF64,
  rawContiguous,
  readF64,
} from "./strided.js";

/**
 * Joins tensors of one dtype along an existing `axis`; all other dimensions must match.
 *
 * ```ts
 * cat([Tensor.from([1, 2]), Tensor.from([3])]).toArray(); // [1, 2, 3]
 * ```
 */
export function cat(tensors: readonly Tensor[], axis = 0): Tensor {
  const first = tensors[0];
  if (!first) throw new ValueError("cat needs at least one tensor");
  const ax = normAxis(axis, first.ndim);
  for (const t of tensors) {
    if (t.dtype !== first.dtype)
      throw new DTypeError(`cat: dtypes ${first.dtype} and ${t.dtype} differ`);
    if (t.ndim !== first.ndim || t.shape.some((d, i) => i !== ax && d !== first.shape[i])) {
      throw new ShapeError(
        `cat along axis ${axis}: ${fmtShape(first.shape)} and ${fmtShape(t.shape)} do not match`,
      );
    }
  }
  const shape = [...first.shape];
  shape[ax] = tensors.reduce((s, t) => s + t.shape[ax]!, 0);
  const out = onDevice(first)
    ? deviceOp("catInto")(tensors, ax, shape)
    : catHost(tensors, ax, shape);
  const starts: number[] = [];
  let s = 0;
  for (const t of tensors) {
    starts.push(s);
    s += t.shape[ax]!;
  }
  return record(out, tensors, (g) =>
    tensors.map((t, i) =>
      isFloat(t.dtype) ? g.slice(ax, starts[i]!, starts[i]! + t.shape[ax]!) : undefined,
    ),
  );
}

function catHost(tensors: readonly Tensor[], ax: number, shape: number[]): Tensor {
  const out = Tensor.empty(shape, tensors[0]!.dtype);
  const outer = numel(shape.slice(0, ax));
  const rowOut = numel(shape.slice(ax));
  const dst = out.storage.data;
  let at = 0;
  for (const t of tensors) {
    const src = denseData(rawContiguous(t));
    const row = numel(t.shape.slice(ax));
    for (let o = 0; o < outer; o++)
      dst.set(src.subarray(o * row, (o + 1) * row) as never, o * rowOut + at);
    at += row;
  }
  return out;
}

/**
 * Copies `src` into `dst` in place (`dst` may be a strided view, e.g. a slice of a preallocated
 * buffer); same shape and dtype, both on one device. Not recorded by autograd. Returns `dst`.
 *
 * ```ts
 * const buf = zeros([4, 2]);
 * writeInto(buf.slice(0, 1, 3), ones([2, 2])); // rows 1 and 2 are now ones
 * ```
 */
export function writeInto(dst: Tensor, src: Tensor): Tensor {
  if (onDevice(dst, src)) return deviceOp("writeInto")(dst, src);
  if (!sameShape(dst.shape, src.shape))
    throw new ShapeError(`writeInto: ${fmtShape(src.shape)} into ${fmtShape(dst.shape)}`);
  if (dst.dtype !== src.dtype)
    throw new DTypeError(`writeInto: ${src.dtype} into ${dst.dtype} (cast first)`);
  const offsets = elementOffsets(dst);
  const s = rawContiguous(src);
  const from = s.storage.data;
  const to = dst.storage.data;
  for (let i = 0; i < offsets.length; i++) to[offsets[i]!] = from[s.offset + i]!;
  return dst;
}

/**
 * Joins same-shaped tensors along a new `axis`.
 *
 * ```ts
 * stack([Tensor.from([1, 2]), Tensor.from([3, 4])]).shape; // [2, 2]
 * ```
 */
export function stack(tensors: readonly Tensor[], axis = 0): Tensor {
  const first = tensors[0];
  if (!first) throw new ValueError("stack needs at least one tensor");
  for (const t of tensors) {
    if (!sameShape(t.shape, first.shape)) {
      throw new ShapeError(
        `stack: shapes ${fmtShape(first.shape)} and ${fmtShape(t.shape)} differ`,
      );
    }
  }
  const ax = normAxis(axis, first.ndim + 1);
  return cat(
    tensors.map((t) => t.unsqueeze(ax)),
    ax,
  );
}

/**
 * Splits into views along `axis`: pieces of `sizes` elements each (the last may be shorter), or
 * of the listed sizes (which must add up to the dimension).
 *
 * ```ts
 * split(arange(5), 2).map((t) => t.toArray()); // [[0, 1], [2, 3], [4]]
 * split(arange(5), [1, 4]).length;             // 2
 * ```
 */
export function split(t: Tensor, sizes: number | readonly number[], axis = 0): Tensor[] {
  const ax = normAxis(axis, t.ndim);
  const dim = t.shape[ax]!;
  let list: number[];
  if (typeof sizes === "number") {
    if (!Number.isInteger(sizes) || sizes <= 0)
      throw new ValueError(`split size must be a positive integer, got ${sizes}`);
    list = [];
    for (let s = 0; s < dim; s += sizes) list.push(Math.min(sizes, dim - s));
  } else {
    list = [...sizes];
    if (
      list.some((s) => !Number.isInteger(s) || s < 0) ||
      list.reduce((a, b) => a + b, 0) !== dim
    ) {
      throw new ShapeError(
        `split sizes [${list.join(", ")}] do not add up to ${dim} (axis ${axis} of ${fmtShape(t.shape)})`,
      );
    }
  }
  const out: Tensor[] = [];
  let at = 0;
  for (const s of list) {
    out.push(t.slice(ax, at, at + s));
    at += s;
  }
  return out;
}

/**
 * Splits into `n` nearly equal views along `axis` (fewer when the dimension is smaller than n).
 *
 * ```ts
 * chunk(arange(6), 3).map((t) => t.toArray()); // [[0, 1], [2, 3], [4, 5]]
 * ```
 */
export function chunk(t: Tensor, n: number, axis = 0): Tensor[] {
  if (!Number.isInteger(n) || n <= 0)
    throw new ValueError(`chunk count must be a positive integer, got ${n}`);
  const dim = t.shape[normAxis(axis, t.ndim)]!;
  return split(t, Math.max(1, Math.ceil(dim / n)), axis);
}

/**
 * Picks `a` where `cond` is true and `b` elsewhere, broadcasting all three.
 *
 * ```ts
 * const c = Tensor.from([1, 0, 1], [3], "bool");
 * where(c, Tensor.from([1, 2, 3]), 0).toArray(); // [1, 0, 3]
 * ```
 */
export function where(cond: Tensor, a: Operand, b: Operand): Tensor {
  if (cond.dtype !== "bool")
    throw new DTypeError(`where: condition must be bool, got ${cond.dtype}`);
  const shapeOf = (v: Operand) => (v instanceof Tensor ? v.shape : []);
  const shape = broadcastShapes(cond.shape, broadcastShapes(shapeOf(a), shapeOf(b)));
  return selectBy(cond, a, b, shape, resultDType(a, b));
}

function selectBy(
  cond: Tensor,
  a: Operand,
  b: Operand,
  shape: readonly number[],
  dtype: DType,
): Tensor {
  const out =
    (dtype === "f32" ? nativeSelect(cond, a, b, shape) : undefined) ??
    jsSelect(cond, a, b, shape, dtype);
  if (!isFloat(dtype)) return out;
  const inputs = [a, b].filter((v): v is Tensor => v instanceof Tensor);
  return record(
    out,
    inputs,
    (g) => {
      const gv = readF64(g, shape);
      const c = readF64(cond, shape);
      const part = (t: Tensor, keep: boolean) => {
        if (!isFloat(t.dtype)) return undefined;
        const masked = fromF64(
          gv.map((v, i) => ((c[i] ? keep : !keep) ? v : 0)),
          shape,
          t.dtype,
        );
        return castRaw(sumToShape(masked, t.shape), t.dtype);
      };
      const grads: (Tensor | undefined)[] = [];
      if (a instanceof Tensor) grads.push(part(a, true));
      if (b instanceof Tensor) grads.push(part(b, false));
      return grads;
    },
    [cond],
  );
}

function jsSelect(
  cond: Tensor,
  a: Operand,
  b: Operand,
  shape: readonly number[],
  dtype: DType,
): Tensor {
  const read = (v: Operand) => readF64(v instanceof Tensor ? v : scalar(v, "f64"), shape);
  const c = readF64(cond, shape);
  const x = read(a);
  const y = read(b);
  for (let i = 0; i < x.length; i++) if (!c[i]) x[i] = y[i]!;
  return fromF64(x, shape, dtype);
}

/** The f32 selection by the native where kernel (operands cast to f32 first), or undefined. */
function nativeSelect(
  cond: Tensor,
  a: Operand,
  b: Operand,
  shape: readonly number[],
): Tensor | undefined {
  if (shape.length > 8) return undefined;
  const kernel = nativeKernel<WhereKernel>("where");
  if (!kernel) return undefined;
  const f32 = (v: Operand) => (v instanceof Tensor ? castRaw(v, "f32") : scalar(v, "f32"));
  const ta = f32(a);
  const tb = f32(b);
  const strides = (t: Tensor) => Int32Array.from(broadcastStrides(t, shape));
  if ([cond, ta, tb].some((t) => t.strides.some((s) => s < 0))) return undefined;
  const data = (t: Tensor) => (t.storage.data as Float32Array).subarray(t.offset);
  const out = Tensor.empty(shape, "f32");
  kernel(
    (cond.storage.data as Uint8Array).subarray(cond.offset),
    strides(cond),
    data(ta),
    strides(ta),
    data(tb),
    strides(tb),
    out.storage.data as Float32Array,
    Int32Array.from(shape),
  );
  return out;
}

/**
 * `t` with `value` written where `mask` (bool, broadcastable to t) is true.
 *
 * ```ts
 * const m = Tensor.from([0, 1], [2], "bool");
 * maskedFill(Tensor.from([1, 2]), m, -Infinity).toArray(); // [1, -Infinity]
 * ```
 */
export function maskedFill(t: Tensor, mask: Tensor, value: number): Tensor {
  if (mask.dtype !== "bool")
    throw new DTypeError(`maskedFill: mask must be bool, got ${mask.dtype}`);
  const shape = broadcastShapes(t.shape, mask.shape);
  if (!sameShape(shape, t.shape)) {
    throw new ShapeError(
      `maskedFill: mask ${fmtShape(mask.shape)} does not broadcast to ${fmtShape(t.shape)}`,
    );
  }
  return selectBy(mask, value, t, shape, t.dtype);
}

/**
 * Reverses the order of elements along `axes` (all by default); returns a copy.
 *
 * ```ts
 * flip(Tensor.from([1, 2, 3])).toArray(); // [3, 2, 1]
 * ```
 */
export function flip(t: Tensor, axes?: number | readonly number[]): Tensor {
  const ax = normAxes(axes, t.ndim);
  const offset = ax.reduce(
    (o, a) => o + (t.shape[a]! > 0 ? (t.shape[a]! - 1) * t.strides[a]! : 0),
    t.offset,
  );
  // A negative-stride view walks the flipped order; it is only used to compute offsets.
  const strides = t.strides.map((s, i) => (ax.includes(i) ? -s : s));
  const out = Tensor.empty(t.shape, t.dtype);
  const offsets = elementOffsets(new Tensor(t.storage, t.shape, strides, offset));
  const src = t.storage.data;
  const dst = out.storage.data;
  for (let i = 0; i < offsets.length; i++) dst[i] = src[offsets[i]!]!;
  return record(out, [t], (g) => [flip(g, ax)]);
}
