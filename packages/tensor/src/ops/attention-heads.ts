// Attention over a KV cache's own per-head buffers: the native kernel reads each (batch, KV head)
// buffer where it lies, so a decode step does not first copy the whole cache into one tensor.
import type { AttentionKernel } from "../backend/kernels.js";
import { nativeKernel } from "../backend/registry.js";
import { DTypeError, ShapeError } from "../errors.js";
import { fmtShape } from "../shape.js";
import { Tensor } from "../tensor.js";
import { scaledDotProductAttention } from "./attention.js";
import { f32Data, f32Output } from "./nn-common.js";

/** Per-head K/V storage: B·Hkv buffers each (batch b, KV head h at b·Hkv + h), `length` slots of D values from their start. */
export interface KVHeads {
  k: readonly (Float32Array | Uint16Array)[];
  v: readonly (Float32Array | Uint16Array)[];
  /** Slots every head holds (Skv). */
  length: number;
  /** f32 values, or f16 bit patterns in Uint16Arrays. */
  dtype: "f32" | "f16";
}

/** [B, Hkv, length, D] copies of the heads (the fallback without a native kernel). */
function gather(heads: KVHeads, which: "k" | "v", b: number, d: number): Tensor {
  const list = heads[which];
  const size = heads.length * d;
  const out =
    heads.dtype === "f32"
      ? new Float32Array(list.length * size)
      : new Uint16Array(list.length * size);
  for (const [i, h] of list.entries()) out.set(h.subarray(0, size) as never, i * size);
  return Tensor.wrap(out, [b, list.length / b, heads.length, d], heads.dtype);
}

/**
 * `scaledDotProductAttention(q, k, v, opts)` for f32 q [B, Hq, Sq, D] where k and v are given as
 * per-head buffers (a KV cache's storage) instead of [B, Hkv, Skv, D] tensors; the result equals
 * the call on the gathered tensors (the same kernel). No mask, no probabilities, not recorded
 * for gradients.
 *
 * ```ts
 * const out = attendHeads(q, { k: [k0, k1], v: [v0, v1], length: 17, dtype: "f32" }, { causal: true });
 * ```
 */
export function attendHeads(
  q: Tensor,
  heads: KVHeads,
  opts: { scale?: number; causal?: boolean } = {},
): Tensor {
  if (q.dtype !== "f32") throw new DTypeError(`attendHeads: q must be f32, got ${q.dtype}`);
  if (q.ndim !== 4)
    throw new ShapeError(`attendHeads: q must be [B, Hq, Sq, D], got ${fmtShape(q.shape)}`);
  const [b, hq, sq, d] = q.shape as [number, number, number, number];
  const hkv = heads.k.length / b;
  if (heads.v.length !== heads.k.length || !Number.isInteger(hkv) || hkv === 0 || hq % hkv !== 0) {
    throw new ShapeError(
      `attendHeads: ${heads.k.length} k and ${heads.v.length} v heads do not fit q ${fmtShape(q.shape)} (B·Hkv heads, Hq a multiple of Hkv)`,
    );
  }
  const scale = opts.scale ?? 1 / Math.sqrt(d);
  const causal = opts.causal ?? false;
  const kernel = nativeKernel<AttentionKernel>("attention");
  if (!kernel || heads.length === 0 || (causal && sq > heads.length)) {
    const [k, v] = [gather(heads, "k", b, d), gather(heads, "v", b, d)];
    return scaledDotProductAttention(q, k, v, { scale, causal });
  }
  const { out, data } = f32Output(q.shape);
  kernel(
    f32Data(q),
    heads.k,
    heads.v,
    data,
    b,
    hq,
    hkv,
    sq,
    heads.length,
    d,
    scale,
    causal,
    heads.dtype === "f16",
  );
  return out;
}
