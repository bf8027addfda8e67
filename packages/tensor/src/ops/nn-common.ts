// Helpers shared by the neural-network ops (matmul, softmax, norm, rope, activation, loss,
// attention): dtype checks, batch offsets, and f32 views for native kernels. f64 round trips use
// strided.ts.
import { type DType, expectDType } from "../dtype.js";
import { ShapeError } from "../errors.js";
import { fmtShape, numel, type Shape, sameShape } from "../shape.js";
import { Tensor } from "../tensor.js";
import { fromF64, readF64, sumToShapeF64 } from "./strided.js";

export const FLOAT_DTYPES: readonly DType[] = ["f32", "f16", "bf16", "f64"];

/** Throws a DTypeError unless `t` holds floating-point values. */
export function expectFloat(what: string, t: Tensor): void {
  expectDType(what, t.dtype, FLOAT_DTYPES);
}

/** The contiguous f32 elements of an f32 tensor, for handing to a native kernel. */
export function f32Data(t: Tensor): Float32Array {
  return t.data() as Float32Array;
}

/** A fresh contiguous f32 tensor and its element array, for a native kernel to fill. */
export function f32Output(shape: Shape): { out: Tensor; data: Float32Array } {
  const out = Tensor.empty(shape, "f32");
  return { out, data: out.storage.data as Float32Array };
}

/** Throws a ShapeError unless the last axis of `x` has `size` elements. */
export function expectLastDim(what: string, x: Tensor, size: number, other: Tensor): void {
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== size) {
    throw new ShapeError(
      `${what}: ${fmtShape(x.shape)} does not match ${fmtShape(other.shape)} on the last axis`,
    );
  }
}

/** Storage offsets of every matrix of `t` over its leading `nBatch` axes, in row-major order. */
export function batchOffsets(t: Tensor, nBatch: number): number[] {
  const shape = t.shape.slice(0, nBatch);
  const count = numel(shape);
  const out = new Array<number>(count);
  const idx = new Array<number>(nBatch).fill(0);
  let off = t.offset;
  for (let i = 0; i < count; i++) {
    out[i] = off;
    for (let ax = nBatch - 1; ax >= 0; ax--) {
      idx[ax]!++;
      off += t.strides[ax]!;
      if (idx[ax]! < shape[ax]!) break;
      off -= idx[ax]! * t.strides[ax]!;
      idx[ax] = 0;
    }
  }
  return out;
}

/**
 * Sums a gradient of a broadcast result back to the operand's `shape` (numpy broadcasting:
 * leading axes and size-1 axes are summed). Returns `g` itself when no axis was broadcast.
 */
export function reduceToShape(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g;
  return fromF64(sumToShapeF64(readF64(g), g.shape, shape), shape, g.dtype);
}
