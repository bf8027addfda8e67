// Attention as batched GEMMs for f32 queries when the native sgemm is available: used for the
// forward pass when probabilities or a mask are requested (the fused kernel supports neither) and
// for every backward pass. Query heads sharing a KV head are stacked as rows
// ([B, Hq, Sq, D] viewed as [B, Hkv, rep * Sq, D]), so GQA needs no repeated K/V copies.
import type { Tensor } from "../tensor.js";
import type { AttentionDims } from "./attention.js";
import { castRaw } from "./cast.js";
import { matmul } from "./matmul.js";

/** Scaled, masked, causal softmax of scores [B, Hkv, rep * Sq, Skv] in place (masked rows -> 0). */
function probsInPlace(
  s: Float32Array,
  mask: Float64Array | undefined,
  dims: AttentionDims,
  scale: number,
  causal: boolean,
): void {
  const { sq, skv } = dims;
  const rows = s.length / skv;
  for (let r = 0; r < rows; r++) {
    const o = r * skv;
    // Row r is query i = r mod Sq; the mask's [B, Hq, Sq, Skv] layout matches row for row.
    const last = causal ? (r % sq) + skv - sq : skv - 1;
    let max = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < skv; j++) {
      const v =
        j <= last ? s[o + j]! * scale + (mask ? mask[o + j]! : 0) : Number.NEGATIVE_INFINITY;
      s[o + j] = v;
      if (v > max) max = v;
    }
    if (max === Number.NEGATIVE_INFINITY) {
      s.fill(0, o, o + skv);
      continue;
    }
    let sum = 0;
    for (let j = 0; j < skv; j++) sum += s[o + j] = Math.exp(s[o + j]! - max);
    const inv = 1 / sum;
    for (let j = 0; j < skv; j++) s[o + j] = s[o + j]! * inv;
  }
}

interface Grouped {
  qg: Tensor;
  k32: Tensor;
  v32: Tensor;
  probs: Tensor;
}

function groupedProbs(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  mask: Float64Array | undefined,
  dims: AttentionDims,
  scale: number,
  causal: boolean,
): Grouped {
  const { b, hkv, sq, d } = dims;
  const qg = q.reshape([b, hkv, (dims.hq / hkv) * sq, d]);
  const k32 = castRaw(k, "f32");
  const v32 = castRaw(v, "f32");
  const probs = matmul(qg, k32, { transB: true });
  probsInPlace(probs.storage.data as Float32Array, mask, dims, scale, causal);
  return { qg, k32, v32, probs };
}

/** Output [B, Hq, Sq, D] and probabilities [B, Hq, Sq, Skv], both f32. Call off the tape. */
export function composedAttention(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  mask: Float64Array | undefined,
  dims: AttentionDims,
  scale: number,
  causal: boolean,
): { out: Tensor; probs: Tensor } {
  const { probs, v32 } = groupedProbs(q, k, v, mask, dims, scale, causal);
  const { b, hq, sq, skv, d } = dims;
  const out = matmul(probs, v32).reshape([b, hq, sq, d]);
  return { out, probs: probs.reshape([b, hq, sq, skv]) };
}

/**
 * Gradients for q, k, v (k/v in their own dtype) from the output gradient `g`:
 * dV = P^T dO, dS = scale * P * (dO V^T - rowsum(P * dO V^T)), dQ = dS K, dK = dS^T Q.
 */
export function composedAttentionBackward(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  g: Tensor,
  mask: Float64Array | undefined,
  dims: AttentionDims,
  scale: number,
  causal: boolean,
): [Tensor, Tensor, Tensor] {
  const { qg, k32, v32, probs } = groupedProbs(q, k, v, mask, dims, scale, causal);
  const go = castRaw(g, "f32").reshape(qg.shape);
  const dv = matmul(probs, go, { transA: true });
  const ds = matmul(go, v32, { transB: true });
  const p = probs.storage.data as Float32Array;
  const dsd = ds.storage.data as Float32Array;
  const { skv } = dims;
  for (let o = 0; o < p.length; o += skv) {
    let dot = 0;
    for (let j = 0; j < skv; j++) dot += p[o + j]! * dsd[o + j]!;
    for (let j = 0; j < skv; j++) dsd[o + j] = p[o + j]! * (dsd[o + j]! - dot) * scale;
  }
  const dq = matmul(ds, k32).reshape(q.shape);
  const dk = matmul(ds, qg, { transA: true });
  return [dq, castRaw(dk, k.dtype), castRaw(dv, v.dtype)];
}
