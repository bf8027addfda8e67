import { record } from "../autograd/tape.js";
import { deviceOp, onDevice } from "../backend/device.js";
import type { CastKernel } from "../backend/kernels.js";
import { nativeKernel } from "../backend/registry.js";
import { type DType, isFloat } from "../dtype.js";
import { Tensor } from "../tensor.js";
import { denseData, fromF64, rawContiguous, readF64 } from "./strided.js";

const NATIVE_CAST: ReadonlySet<string> = new Set(["f32>f16", "f32>bf16", "f16>f32", "bf16>f32"]);

/** Converts without recording on the tape (used inside other ops). */
export function castRaw(t: Tensor, dtype: DType): Tensor {
  if (t.dtype === dtype) return t;
  if (onDevice(t)) return deviceOp("castRaw")(t, dtype);
  const kernel = NATIVE_CAST.has(`${t.dtype}>${dtype}`)
    ? nativeKernel<CastKernel>("cast")
    : undefined;
  if (kernel) {
    const src = rawContiguous(t);
    const out = Tensor.empty(t.shape, dtype);
    kernel(
      denseData(src) as Float32Array | Uint16Array,
      t.dtype,
      out.storage.data as Float32Array | Uint16Array,
      dtype,
    );
    return out;
  }
  // Decoding to f64 is exact for every dtype, so each conversion rounds once (float -> int truncates).
  return fromF64(readF64(t), t.shape, dtype);
}

/**
 * Converts `t` to `dtype` (a new tensor; `t` itself when the dtype already matches). Floats round
 * to nearest even, floats to integers truncate toward zero, anything non-zero becomes `true`.
 * Gradients flow through float-to-float casts.
 *
 * ```ts
 * cast(Tensor.from([1.7, -2.5]), "i32").toArray(); // [1, -2]
 * ```
 */
export function cast(t: Tensor, dtype: DType): Tensor {
  if (t.dtype === dtype) return t;
  const out = castRaw(t, dtype);
  if (!isFloat(t.dtype) || !isFloat(dtype)) return out;
  return record(out, [t], (g) => [castRaw(g, t.dtype)]);
}

/**
 * Alias of {@link cast}, named like numpy's `ndarray.astype`.
 *
 * ```ts
 * astype(Tensor.from([1, 2]), "f16").dtype; // "f16"
 * ```
 */
export function astype(t: Tensor, dtype: DType): Tensor {
  return cast(t, dtype);
}
