// Joining and in-place writes on cuda: cat/stack, the scatter behind slice/select gradients, and
// writeInto (a strided copy into a view, what device KV caches and optimizers append/update with).
import { DTypeError, ShapeError } from "../../errors.js";
import { fmtShape, type Shape, sameShape } from "../../shape.js";
import { Tensor } from "../../tensor.js";
import { cuda } from "./addon.js";
import { addr, copyInto, devEmpty, expectCuda } from "./tensors.js";

/** The joined buffer of `cat` (shape already checked): each input copied into its slab of `out`. */
export function catInto(tensors: readonly Tensor[], axis: number, shape: Shape): Tensor {
  expectCuda("cat", ...tensors);
  const out = devEmpty(shape, tensors[0]!.dtype);
  let at = 0;
  for (const t of tensors) {
    const n = t.shape[axis]!;
    if (t.size) {
      const view = out.slice(axis, at, at + n);
      copyInto(t, view, view.strides);
    }
    at += n;
  }
  return out;
}

/** Zeros of `shape` with `g` written at the strided positions of a view (slice/select backward). */
export function scatterView(
  g: Tensor,
  shape: Shape,
  viewShape: Shape,
  viewStrides: readonly number[],
  offset: number,
): Tensor {
  if (g.dtype !== "f32") throw new DTypeError(`view gradients on cuda are f32, got ${g.dtype}`);
  const out = devEmpty(shape, "f32");
  if (out.size) cuda().fill(addr(out), 0, out.size);
  if (g.size) copyInto(g, new Tensor(out.storage, viewShape, viewStrides, offset), viewStrides);
  return out;
}

/** Copies `src` into the (possibly strided) device view `dst`, in place; same shape and dtype. */
export function writeInto(dst: Tensor, src: Tensor): Tensor {
  expectCuda("writeInto", dst, src);
  if (!sameShape(dst.shape, src.shape))
    throw new ShapeError(`writeInto: ${fmtShape(src.shape)} into ${fmtShape(dst.shape)}`);
  if (dst.dtype !== src.dtype)
    throw new DTypeError(`writeInto: ${src.dtype} into ${dst.dtype} (cast first)`);
  if (src.size) copyInto(src, dst, dst.strides);
  return dst;
}
