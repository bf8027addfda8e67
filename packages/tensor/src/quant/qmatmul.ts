import { deviceOp, onDevice } from "../backend/device.js";
import type { QMatmulKernel, QMatmulTilesKernel } from "../backend/kernels.js";
import { nativeKernel } from "../backend/registry.js";
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { fmtShape } from "../shape.js";
import { Tensor } from "../tensor.js";
import { blockScale, quantizeBlocks } from "./ggml-blocks.js";
import {
  GGML_BLOCK,
  GGML_BLOCK_BYTES,
  type GgmlFormat,
  isGgmlFormat,
  type QTensor,
} from "./qtensor.js";
import { checkGgmlRange, f32Values } from "./quantize.js";

/**
 * Reference of the `QMatmulKernel` contract: out[m, n] = x[m, k]·Wᵀ with W [n, k] in ggml
 * blocks. As ggml does, each x row is first quantized to q8_0, then every output is
 * Σ_blocks d_w·d_x·Σ_j q_w[j]·q_x[j] with exact integer inner sums; the block sums are
 * accumulated in f64 and rounded to f32 once (native SIMD kernels accumulate in f32, so they
 * agree to f32 rounding, not bit for bit).
 *
 * ```ts
 * const out = new Float32Array(m * n);
 * qmatmulBlocks("q4_0", w.data as Uint8Array, x, out, m, n, k);
 * ```
 */
export function qmatmulBlocks(
  format: GgmlFormat,
  w: Uint8Array,
  x: Float32Array,
  out: Float32Array,
  m: number,
  n: number,
  k: number,
): void {
  const nb = k / GGML_BLOCK;
  const wb = GGML_BLOCK_BYTES[format];
  const xq = new Uint8Array(m * nb * 34);
  quantizeBlocks("q8_0", x, xq);
  const xCodes = new Int8Array(xq.buffer);
  const wCodes = new Int8Array(w.buffer, w.byteOffset, w.length);
  const dx = Float64Array.from({ length: m * nb }, (_, b) => blockScale(xq, b * 34));
  const dw = Float64Array.from({ length: n * nb }, (_, b) => blockScale(w, b * wb));
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let b = 0; b < nb; b++) {
        const xo = (i * nb + b) * 34 + 2;
        const wo = (j * nb + b) * wb + 2;
        let sum = 0;
        if (format === "q8_0") {
          for (let e = 0; e < GGML_BLOCK; e++) sum += wCodes[wo + e]! * xCodes[xo + e]!;
        } else {
          for (let e = 0; e < 16; e++) {
            const byte = w[wo + e]!;
            sum += ((byte & 15) - 8) * xCodes[xo + e]! + ((byte >>> 4) - 8) * xCodes[xo + 16 + e]!;
          }
        }
        acc += sum * dw[j * nb + b]! * dx[i * nb + b]!;
      }
      out[i * n + j] = acc;
    }
  }
}

/**
 * x·Wᵀ for a ggml-quantized weight W [n, k] (q8_0 or q4_0) and a floating-point x [..., k];
 * returns f32 [..., n]. Runs the native kernel when the active backend has one.
 *
 * ```ts
 * const w4 = quantize(weight, "q4_0"); // weight [n, k]
 * const y = qmatmul(x, w4); // x [batch, seq, k] -> y [batch, seq, n]
 * ```
 */
export function qmatmul(x: Tensor, w: QTensor): Tensor {
  if (onDevice(x)) return deviceOp("qmatmul")(x, w);
  if (!isGgmlFormat(w.format))
    throw new DTypeError(`qmatmul needs a q8_0 or q4_0 weight, got ${w.format}`);
  if (w.shape.length !== 2)
    throw new ShapeError(`qmatmul weight must be [n, k], got ${fmtShape(w.shape)}`);
  const [n, k] = w.shape as [number, number];
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== k) {
    throw new ShapeError(
      `qmatmul: x ${fmtShape(x.shape)} does not end in k = ${k} of weight ${fmtShape(w.shape)}`,
    );
  }
  const values = f32Values(x, "qmatmul");
  const m = values.length / k;
  const out = new Float32Array(m * n);
  // x is quantized to q8_0 inside the kernels; the native ones check its range themselves.
  const tiled = w.tiles && nativeKernel<QMatmulTilesKernel>("qmatmulTiles");
  const native = !tiled && nativeKernel<QMatmulKernel>("qmatmul");
  let inRange = true;
  if (tiled) inRange = tiled(w.format, w.tiles!, values, out, m, n, k);
  else if (native) inRange = native(w.format, w.data as Uint8Array, values, out, m, n, k);
  else {
    checkGgmlRange(values, "q8_0");
    qmatmulBlocks(w.format, w.data as Uint8Array, values, out, m, n, k);
  }
  if (!inRange) {
    checkGgmlRange(values, "q8_0"); // throws the ValueError naming the element
    throw new ValueError("qmatmul: x is outside the q8_0 range");
  }
  return Tensor.wrap(out, [...x.shape.slice(0, -1), n], "f32");
}
