import type { DequantizeKernel, QuantizeKernel } from "../backend/kernels.js";
import { nativeKernel } from "../backend/registry.js";
import { expectDType } from "../dtype.js";
import { DTypeError, ValueError } from "../errors.js";
import { Tensor } from "../tensor.js";
import { dequantizeBlocks, quantizeBlocks } from "./ggml-blocks.js";
import { type GroupQuantizeOptions, groupDequantize, groupQuantize } from "./group-quant.js";
import {
  checkGgmlShape,
  GGML_BLOCK,
  GGML_BLOCK_BYTES,
  type GgmlFormat,
  type GroupFormat,
  isGgmlFormat,
  type QFormat,
  QTensor,
} from "./qtensor.js";

/**
 * Row-major f32 values of a floating-point tensor (f64 is rounded to f32; a contiguous f32
 * tensor is returned without copying).
 *
 * ```ts
 * f32Values(Tensor.from([1, 2], [2], "bf16"), "op"); // Float32Array [1, 2]
 * ```
 */
export function f32Values(t: Tensor, what: string): Float32Array {
  expectDType(what, t.dtype, ["f32", "f16", "bf16", "f64"]);
  if (t.dtype === "f32") return t.data() as Float32Array;
  return Float32Array.from(t.toFloat64());
}

/** Largest d (amax/127 or amax/8) whose f16 encoding is finite. */
const AMAX_LIMIT: Readonly<Record<GgmlFormat, number>> = { q8_0: 65504 * 127, q4_0: 65504 * 8 };

/**
 * Throws a ValueError for values ggml cannot encode: non-finite ones, or magnitudes whose block
 * scale would overflow f16 (ggml leaves both undefined, so kernels never see them).
 *
 * ```ts
 * checkGgmlRange(Float32Array.of(Number.NaN), "q8_0"); // ValueError
 * ```
 */
export function checkGgmlRange(values: Float32Array, format: GgmlFormat): void {
  // The limit is read once: this scan runs on every qmatmul input, so the loop must stay tight.
  const limit = AMAX_LIMIT[format];
  for (let i = 0; i < values.length; i++) {
    if (!(Math.abs(values[i]!) <= limit)) {
      throw new ValueError(
        `cannot quantize ${values[i]} (element ${i}) to ${format}: its f16 scale would overflow`,
      );
    }
  }
}

/**
 * Quantizes f32 values to ggml blocks, on the native kernel when the active backend has one.
 *
 * ```ts
 * const blocks = quantizeGgml(new Float32Array(64), "q8_0"); // 2 blocks, 68 bytes
 * ```
 */
export function quantizeGgml(values: Float32Array, format: GgmlFormat): Uint8Array {
  if (values.length % GGML_BLOCK !== 0)
    throw new ValueError(`${format} needs a multiple of 32 values, got ${values.length}`);
  checkGgmlRange(values, format);
  const dst = new Uint8Array((values.length / GGML_BLOCK) * GGML_BLOCK_BYTES[format]);
  const native = nativeKernel<QuantizeKernel>("quantize");
  if (native) native(format, values, dst);
  else quantizeBlocks(format, values, dst);
  return dst;
}

/**
 * Quantizes a floating-point tensor. ggml formats need the last dimension to be a multiple of
 * 32 (ShapeError otherwise); group formats need `opts.groupSize` dividing the group axis. See
 * {@link QTensor} for the layouts.
 *
 * ```ts
 * const w4 = quantize(weight, "q4_0"); // weight [n, k], k % 32 == 0
 * const keys2 = quantize(keys, "u2", { groupSize: 32, axis: "per-channel" }); // keys [B, H, T, D]
 * ```
 */
export function quantize(t: Tensor, format: GgmlFormat): QTensor;
export function quantize(t: Tensor, format: GroupFormat, opts: GroupQuantizeOptions): QTensor;
export function quantize(t: Tensor, format: QFormat, opts?: GroupQuantizeOptions): QTensor;
export function quantize(
  t: Tensor,
  format: GgmlFormat | GroupFormat,
  opts?: GroupQuantizeOptions,
): QTensor {
  if (isGgmlFormat(format)) {
    checkGgmlShape(format, t.shape);
    return new QTensor({
      format,
      shape: t.shape,
      data: quantizeGgml(f32Values(t, `quantize(${format})`), format),
    });
  }
  if (!opts) throw new ValueError(`${format} quantization needs options with a groupSize`);
  return groupQuantize(f32Values(t, `quantize(${format})`), t.shape, format, opts);
}

/**
 * Decodes a quantized tensor to an f32 tensor of its logical shape.
 *
 * ```ts
 * const approx = dequantize(quantize(w, "q8_0")); // |approx - w| <= d/2 per element (+ f16 rounding of d)
 * ```
 */
export function dequantize(q: QTensor): Tensor {
  if (!(q instanceof QTensor)) {
    const what =
      q === null
        ? "null"
        : typeof q === "object"
          ? ((q as object).constructor?.name ?? "object")
          : typeof q;
    throw new DTypeError(`dequantize needs a QTensor (from quantize), got ${what}`);
  }
  if (!isGgmlFormat(q.format)) return Tensor.wrap(groupDequantize(q), q.shape, "f32");
  const out = new Float32Array(q.size);
  const native = nativeKernel<DequantizeKernel>("dequantize");
  if (native) native(q.format, q.data as Uint8Array, out);
  else dequantizeBlocks(q.format, q.data as Uint8Array, out);
  return Tensor.wrap(out, q.shape, "f32");
}
