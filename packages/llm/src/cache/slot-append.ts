// What an append to a full store checks and how it writes: the checks on k, v and counts, and
// the copy of keys/values into head slots as f32 values or f16 bits.
import { f32ToF16Bits, type Tensor } from "@x/tensor";
import { KVCacheError } from "../errors.js";
import type { KVAppendOptions, KVShape } from "../protocols.js";
import type { SlotDType } from "./head-slots.js";

/** Copies n values from src at s into a slot buffer at `at`. */
export type SlotEncoder = (
  src: ArrayLike<number>,
  s: number,
  dst: Float32Array | Uint16Array,
  at: number,
  n: number,
) => void;

/**
 * Checks the k, v [batch, nKvHeads, T, headDim] (f32 or f16) and counts of an append, throwing
 * KV_SHAPE/KV_DTYPE errors. Returns T.
 */
export function checkAppend(
  shape: KVShape,
  k: Tensor,
  v: Tensor,
  counts: KVAppendOptions["counts"],
): number {
  const { batch, nKvHeads: h, headDim: d } = shape;
  for (const [name, t] of [
    ["k", k],
    ["v", v],
  ] as const) {
    if (
      t.ndim !== 4 ||
      t.shape[0] !== batch ||
      t.shape[1] !== h ||
      t.shape[3] !== d ||
      t.shape[2] !== k.shape[2]
    ) {
      throw new KVCacheError(
        "KV_SHAPE",
        `${name} [${t.shape.join(", ")}] does not match [${batch}, ${h}, T, ${d}]`,
      );
    }
    if (t.dtype !== "f32" && t.dtype !== "f16")
      throw new KVCacheError("KV_DTYPE", `${name} must be f32 or f16, got ${t.dtype}`);
  }
  const T = k.shape[2]!;
  if (counts && (counts.length !== batch || counts.some((c) => c < 0 || c > T))) {
    throw new KVCacheError(
      "KV_SHAPE",
      `counts [${[...counts].join(", ")}] must hold ${batch} values in 0..${T}`,
    );
  }
  return T;
}

/**
 * The encoder from `from` data (f32 values or f16 bits) into slots of `dtype`: a plain copy when
 * they match, f16 rounding into an f16 store; an f32 store refuses f16 data (KV_DTYPE, thrown when
 * the encoder first runs).
 */
export function slotEncoder(from: Tensor["dtype"], dtype: SlotDType): SlotEncoder {
  const same = (from === "f32") === (dtype === "f32");
  return (src, s, dst, at, n) => {
    if (same) dst.set((src as Float32Array).subarray(s, s + n), at);
    else if (dtype === "f16") for (let i = 0; i < n; i++) dst[at + i] = f32ToF16Bits(src[s + i]!);
    else throw new KVCacheError("KV_DTYPE", "an f32 cache takes f32 keys and values");
  };
}
