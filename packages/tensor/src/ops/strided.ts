// Internal helpers shared by the js implementations of ops: decoding strided (possibly broadcast)
// tensors into row-major f64 arrays and encoding results back. Views made here bypass the tape.
import { allocTyped, type DType, isHalf, type TypedArray } from "../dtype.js";
import { ShapeError } from "../errors.js";
import { contiguousStrides, fmtShape, numel, type Shape } from "../shape.js";
import { Storage } from "../storage.js";
import { copyStrided, decoder, Tensor, writeValues } from "../tensor.js";

/** Element strides that read `t` broadcast to `shape` (0 on broadcast axes). */
export function broadcastStrides(t: Tensor, shape: Shape): number[] {
  const lead = shape.length - t.ndim;
  if (lead < 0) throw new ShapeError(`cannot broadcast ${fmtShape(t.shape)} to ${fmtShape(shape)}`);
  return shape.map((d, i) => {
    if (i < lead) return 0;
    const own = t.shape[i - lead]!;
    if (own === d) return own === 1 ? 0 : t.strides[i - lead]!;
    if (own === 1) return 0;
    throw new ShapeError(`cannot broadcast ${fmtShape(t.shape)} to ${fmtShape(shape)}`);
  });
}

/** `t` broadcast to `shape` as a view, without recording on the tape. */
export function rawBroadcast(t: Tensor, shape: Shape): Tensor {
  return new Tensor(t.storage, shape, broadcastStrides(t, shape), t.offset);
}

/** `t` with axes reordered, without recording on the tape. */
export function rawPermute(t: Tensor, order: readonly number[]): Tensor {
  return new Tensor(
    t.storage,
    order.map((a) => t.shape[a]!),
    order.map((a) => t.strides[a]!),
    t.offset,
  );
}

/** A contiguous version of `t` (itself when already contiguous), without recording. */
export function rawContiguous(t: Tensor): Tensor {
  if (t.isContiguous()) return t;
  const out = Tensor.empty(t.shape, t.dtype);
  copyStrided(t, out.storage.data);
  return out;
}

/** The storage array of a contiguous tensor, starting at its first element. */
export function denseData(t: Tensor): TypedArray {
  return t.storage.data.subarray(t.offset, t.offset + t.size);
}

/** Logical values of `t` (broadcast to `shape` when given) as a row-major Float64Array. */
export function readF64(t: Tensor, shape?: Shape): Float64Array {
  const view = shape ? rawBroadcast(t, shape) : t;
  const n = view.size;
  if (!isHalf(t.dtype)) {
    const out = new Float64Array(n);
    copyStrided(view, out);
    return out;
  }
  const raw = new Uint16Array(n);
  copyStrided(view, raw);
  const decode = decoder(t.dtype);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = decode(raw[i]!);
  return out;
}

/** A new contiguous tensor holding `values` encoded as `dtype`. */
export function fromF64(values: ArrayLike<number>, shape: Shape, dtype: DType): Tensor {
  const data = allocTyped(dtype, numel(shape));
  writeValues(data, dtype, values);
  return new Tensor(new Storage(dtype, data), shape);
}

/** Sums `values` laid out as `from` down to the broadcast-compatible shape `to`. */
export function sumToShapeF64(values: Float64Array, from: Shape, to: Shape): Float64Array {
  const out = new Float64Array(numel(to));
  if (values.length === 0) return out;
  const lead = from.length - to.length;
  const toStrides = contiguousStrides(to);
  const strides = from.map((_, i) => (i < lead || to[i - lead] === 1 ? 0 : toStrides[i - lead]!));
  const nd = from.length;
  const idx = new Array<number>(nd).fill(0);
  let off = 0;
  for (let i = 0; i < values.length; i++) {
    out[off] = out[off]! + values[i]!;
    for (let ax = nd - 1; ax >= 0; ax--) {
      idx[ax]!++;
      off += strides[ax]!;
      if (idx[ax]! < from[ax]!) break;
      off -= idx[ax]! * strides[ax]!;
      idx[ax] = 0;
    }
  }
  return out;
}

/** Storage offsets of every element of `t` in row-major order. */
export function elementOffsets(t: Tensor): Int32Array | Float64Array {
  const n = t.size;
  const out =
    n < 2 ** 31 && t.storage.data.length < 2 ** 31 ? new Int32Array(n) : new Float64Array(n);
  const nd = t.ndim;
  const idx = new Array<number>(nd).fill(0);
  let off = t.offset;
  for (let i = 0; i < n; i++) {
    out[i] = off;
    for (let ax = nd - 1; ax >= 0; ax--) {
      idx[ax]!++;
      off += t.strides[ax]!;
      if (idx[ax]! < t.shape[ax]!) break;
      off -= idx[ax]! * t.strides[ax]!;
      idx[ax] = 0;
    }
  }
  return out;
}
