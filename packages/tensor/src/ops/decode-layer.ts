// A Llama-family decoder layer for one token as one native call: @x/llm's decode fast path
// (the op-by-op path runs the very same kernels in the same order, so the results are
// identical; the call saves the JS dispatch of a dozen ops).
import type { DecodeLayerKernel, DecodeLayerWeight } from "../backend/kernels.js";
import { nativeKernel } from "../backend/registry.js";
import { ShapeError, ValueError } from "../errors.js";
import { QTensor } from "../quant/qtensor.js";
import { fmtShape } from "../shape.js";
import type { Tensor } from "../tensor.js";

/**
 * A projection weight [out, in] of {@link decodeLayer}: a q8_0/q4_0 QTensor in the tile layout,
 * or a dense contiguous f32 CPU tensor (run as `linear` runs it).
 */
export type LayerWeight = QTensor | Tensor;

/** Inputs of {@link decodeLayer}: one token, batch 1. */
export interface DecodeLayerInput {
  /** Layer input [hidden] and where the output goes ([hidden], not aliasing h). */
  h: Float32Array;
  out: Float32Array;
  /** RMSNorm weights before attention and before the MLP, and their epsilon. */
  normIn: Float32Array;
  normPost: Float32Array;
  eps: number;
  /**
   * Projections: q/k/v as one weight of stacked rows or [q, k, v]; o; gate/up as one weight or
   * [gate, up]; down. Quantized ones share one format.
   */
  qkv: LayerWeight | readonly LayerWeight[];
  o: LayerWeight;
  gateUp: LayerWeight | readonly LayerWeight[];
  down: LayerWeight;
  /** RoPE (rotate-half) cos and sin of the token's position, headDim / 2 each. */
  cos: Float32Array;
  sin: Float32Array;
  /** The KV cache's per-head buffers: the new key/value go to slot `count`, attention reads 0..count. */
  kHeads: readonly Float32Array[];
  vHeads: readonly Float32Array[];
  count: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  intermediate: number;
  /** Attention score multiplier (usually 1 / sqrt(headDim)). */
  scale: number;
}

/**
 * Whether {@link decodeLayer} can run: the native CPU backend is active.
 *
 * ```ts
 * if (decodeLayerAvailable()) decodeLayer(input);
 * ```
 */
export function decodeLayerAvailable(): boolean {
  return nativeKernel<DecodeLayerKernel>("decodeLayer") !== undefined;
}

/**
 * Runs a pre-norm Llama decoder layer (RMSNorm, q/k/v, RoPE, GQA attention over the cache plus
 * the new token, o, residual; RMSNorm, SwiGLU MLP, residual) for one token. Returns false, with
 * `out` and the cache's committed slots untouched in meaning, when an activation is outside the
 * q8_0 range (rerun op by op for the error). Throws when the native backend is not active.
 *
 * ```ts
 * decodeLayer({ h, out, normIn, normPost, eps: 1e-5, qkv, o, gateUp, down, cos, sin,
 *   kHeads, vHeads, count, heads: 9, kvHeads: 3, headDim: 64, intermediate: 1536, scale: 0.125 });
 * ```
 */
export function decodeLayer(i: DecodeLayerInput): boolean {
  const kernel = nativeKernel<DecodeLayerKernel>("decodeLayer");
  if (!kernel) throw new ValueError("decodeLayer needs the native CPU backend");
  const all = [i.qkv, i.o, i.gateUp, i.down].flat() as LayerWeight[];
  const formats = new Set(all.flatMap((w) => (w instanceof QTensor ? [w.format] : [])));
  const format = [...formats][0] ?? "q8_0";
  const raw = (w: LayerWeight): DecodeLayerWeight => {
    if (w instanceof QTensor) {
      if (!w.tiles || formats.size > 1 || (format !== "q8_0" && format !== "q4_0"))
        throw new ValueError(
          `decodeLayer needs quantized weights of one format (q8_0 or q4_0) in the tile layout, got ${w.format} (${w.layout})`,
        );
      return w.tiles;
    }
    if (w.dtype !== "f32" || w.storage.device !== "cpu" || !w.isContiguous())
      throw new ValueError(
        `decodeLayer needs dense weights as contiguous f32 CPU tensors, got ${w.dtype}`,
      );
    return w.data() as Float32Array;
  };
  // Each weight's shape against the layer's sizes: [rows, inputs] per part.
  const hidden = i.h.length;
  const [q, kv, inter] = [i.heads * i.headDim, i.kvHeads * i.headDim, i.intermediate];
  const expect = (name: string, w: LayerWeight, rows: number, cols: number) => {
    if (w.shape.length !== 2 || w.shape[0] !== rows || w.shape[1] !== cols)
      throw new ShapeError(
        `decodeLayer: ${name} is ${fmtShape(w.shape)}, the layer needs [${rows}, ${cols}]`,
      );
    return raw(w);
  };
  const parts = (
    name: string,
    p: LayerWeight | readonly LayerWeight[],
    rows: number[],
    cols: number,
  ) => {
    if (!Array.isArray(p))
      return expect(
        name,
        p as LayerWeight,
        rows.reduce((a, b) => a + b, 0),
        cols,
      );
    if (p.length !== rows.length)
      throw new ShapeError(`decodeLayer: ${name} has ${p.length} parts, needs 1 or ${rows.length}`);
    return p.map((w, k) => expect(`${name}[${k}]`, w, rows[k]!, cols));
  };
  return kernel(
    format,
    i.h,
    i.out,
    i.normIn,
    i.normPost,
    i.eps,
    parts("qkv", i.qkv, [q, kv, kv], hidden),
    expect("o", i.o, hidden, q),
    parts("gateUp", i.gateUp, [inter, inter], hidden),
    expect("down", i.down, hidden, inter),
    i.cos,
    i.sin,
    i.kHeads,
    i.vHeads,
    i.count,
    i.heads,
    i.kvHeads,
    i.headDim,
    i.intermediate,
    i.scale,
  );
}
