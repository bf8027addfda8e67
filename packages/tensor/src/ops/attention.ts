import { noGrad, record } from "../autograd/tape.js";
import { deviceOp, onDevice } from "../backend/device.js";
import type { AttentionKernel, SgemmKernel } from "../backend/kernels.js";
import { nativeKernel } from "../backend/registry.js";
import { DTypeError, ShapeError } from "../errors.js";
import { broadcastShapes, fmtShape, sameShape } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { composedAttention, composedAttentionBackward } from "./attention-composed.js";
import { expectFloat, f32Data, f32Output } from "./nn-common.js";
import { fromF64, readF64 } from "./strided.js";

export interface AttentionOptions {
  /** Query i (of the last Sq positions) sees keys j <= i + (Skv - Sq). Default false. */
  causal?: boolean;
  /** Multiplier of q·k; default 1 / sqrt(headDim). */
  scale?: number;
  /**
   * Broadcastable to [B, Hq, Sq, Skv]: bool (true = may attend) or float (added to the scaled
   * scores, e.g. -Infinity to block). Combined with `causal` when both are given. Not
   * differentiated.
   */
  mask?: Tensor;
  /** Also return the attention probabilities [B, Hq, Sq, Skv]. */
  returnProbs?: boolean;
}

export interface AttentionResult {
  /** [B, Hq, Sq, D] in q's dtype. */
  out: Tensor;
  /** Normalized probabilities [B, Hq, Sq, Skv]: f64 for f64 queries, f32 otherwise. */
  probs: Tensor;
}

/**
 * `softmax(q k^T * scale + mask) v` per head, with grouped-query attention: q [B, Hq, Sq, D],
 * k and v [B, Hkv, Skv, D] where Hq is a multiple of Hkv and query head h reads KV head
 * floor(h / (Hq / Hkv)) (Hugging Face's `repeat_kv` order). Works for prefill (Sq = Skv) and
 * decode (Sq = 1 against a cache). k and v share a dtype: q's, or f16 under f32 queries. A query
 * row that may see no key gets zeros (and zero probabilities) instead of NaN. Gradients flow to q,
 * k and v.
 *
 * ```ts
 * const out = scaledDotProductAttention(q, k, v, { causal: true });
 * const { out: o, probs } = scaledDotProductAttention(q1, kCache, vCache, { returnProbs: true });
 * ```
 */
export function scaledDotProductAttention(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  opts: AttentionOptions & { returnProbs: true },
): AttentionResult;
export function scaledDotProductAttention(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  opts?: AttentionOptions,
): Tensor;
export function scaledDotProductAttention(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  opts: AttentionOptions = {},
): Tensor | AttentionResult {
  if (onDevice(q, k, v)) return deviceOp("attention")(q, k, v, opts);
  const dims = checkAttention(q, k, v, opts.mask);
  const scale = opts.scale ?? 1 / Math.sqrt(dims.d);
  const causal = opts.causal ?? false;
  // Native routes for f32 queries: the fused kernel when it can serve the call, else batched GEMMs.
  const gemm =
    q.dtype === "f32" && dims.skv > 0 && nativeKernel<SgemmKernel>("sgemm") !== undefined;
  const { out, probs } = noGrad(() => {
    const fused =
      q.dtype === "f32" &&
      !opts.mask &&
      !opts.returnProbs &&
      dims.skv > 0 &&
      (!causal || dims.sq <= dims.skv)
        ? nativeKernel<AttentionKernel>("attention")
        : undefined;
    if (fused) {
      const { out, data } = f32Output(q.shape);
      const { b, hq, hkv, sq, skv, d } = dims;
      const kd = k.data() as Float32Array | Uint16Array;
      const vd = v.data() as Float32Array | Uint16Array;
      fused(f32Data(q), kd, vd, data, b, hq, hkv, sq, skv, d, scale, causal, k.dtype === "f16");
      return { out, probs: undefined };
    }
    const mask = opts.mask ? additiveMask(opts.mask, dims) : undefined;
    if (gemm) return composedAttention(q, k, v, mask, dims, scale, causal);
    const res = attentionF64(
      readF64(q),
      readF64(k),
      readF64(v),
      mask,
      dims,
      scale,
      causal,
      opts.returnProbs ?? false,
    );
    return {
      out: fromF64(res.out, q.shape, q.dtype),
      probs:
        res.probs &&
        fromF64(res.probs, [dims.b, dims.hq, dims.sq, dims.skv], q.dtype === "f64" ? "f64" : "f32"),
    };
  });
  const recorded = record(
    out,
    [q, k, v],
    (g) => {
      const mask = opts.mask ? additiveMask(opts.mask, dims) : undefined;
      if (gemm) return composedAttentionBackward(q, k, v, g, mask, dims, scale, causal);
      const grads = attentionBackwardF64(
        readF64(q),
        readF64(k),
        readF64(v),
        readF64(g),
        mask,
        dims,
        scale,
        causal,
      );
      return [
        fromF64(grads.dq, q.shape, q.dtype),
        fromF64(grads.dk, k.shape, k.dtype),
        fromF64(grads.dv, v.shape, v.dtype),
      ];
    },
    [q, k, v],
  );
  if (!probs || !opts.returnProbs) return recorded;
  return { out: recorded, probs };
}

/** Sizes of one attention call (internal; shared with attention-composed.ts). */
export interface AttentionDims {
  b: number;
  hq: number;
  hkv: number;
  sq: number;
  skv: number;
  d: number;
}

function checkAttention(q: Tensor, k: Tensor, v: Tensor, mask: Tensor | undefined): AttentionDims {
  expectFloat("attention q", q);
  expectFloat("attention k", k);
  if (k.dtype !== v.dtype) throw new DTypeError(`attention: k is ${k.dtype} but v is ${v.dtype}`);
  if (k.dtype !== q.dtype && !(q.dtype === "f32" && k.dtype === "f16")) {
    throw new DTypeError(
      `attention: k/v ${k.dtype} do not go with q ${q.dtype} (same dtype, or f16 under f32)`,
    );
  }
  // Built only for an error: this check runs on every decode step of every layer.
  const shapes = () => `q ${fmtShape(q.shape)}, k ${fmtShape(k.shape)}, v ${fmtShape(v.shape)}`;
  if (q.ndim !== 4 || k.ndim !== 4 || !sameShape(k.shape, v.shape)) {
    throw new ShapeError(
      `attention wants q [B, Hq, Sq, D] and k, v [B, Hkv, Skv, D]; got ${shapes()}`,
    );
  }
  const [b, hq, sq, d] = q.shape as [number, number, number, number];
  const [bk, hkv, skv, dk] = k.shape as [number, number, number, number];
  if (b !== bk || d !== dk || hkv === 0 || hq % hkv !== 0) {
    throw new ShapeError(
      `attention: batch and head dims must agree and Hq be a multiple of Hkv; got ${shapes()}`,
    );
  }
  if (mask) {
    if (mask.dtype !== "bool") expectFloat("attention mask", mask);
    const full = [b, hq, sq, skv];
    let ok = mask.ndim <= 4;
    try {
      ok &&= sameShape(broadcastShapes(mask.shape, full), full);
    } catch {
      ok = false;
    }
    if (!ok)
      throw new ShapeError(
        `attention: mask ${fmtShape(mask.shape)} does not broadcast to ${fmtShape(full)}`,
      );
  }
  return { b, hq, hkv, sq, skv, d };
}

/** The mask as additive f64 scores over the full [B, Hq, Sq, Skv] (bool false -> -Infinity). */
function additiveMask(mask: Tensor, dims: AttentionDims): Float64Array {
  const m = readF64(mask, [dims.b, dims.hq, dims.sq, dims.skv]);
  if (mask.dtype === "bool")
    for (let i = 0; i < m.length; i++) m[i] = m[i] ? 0 : Number.NEGATIVE_INFINITY;
  return m;
}

/**
 * Fills `p` with the probabilities of query row (b, h, i) over all keys (0 where masked); returns
 * false when no key is visible. `qo`/`ko` are element offsets of the query row and key block.
 */
function rowProbs(
  p: Float64Array,
  q: Float64Array,
  k: Float64Array,
  qo: number,
  ko: number,
  maskRow: number,
  mask: Float64Array | undefined,
  dims: AttentionDims,
  i: number,
  scale: number,
  causal: boolean,
): boolean {
  const { skv, sq, d } = dims;
  const last = causal ? i + skv - sq : skv - 1;
  let max = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < skv; j++) {
    let s = Number.NEGATIVE_INFINITY;
    if (j <= last) {
      let dot = 0;
      for (let c = 0; c < d; c++) dot += q[qo + c]! * k[ko + j * d + c]!;
      s = dot * scale + (mask ? mask[maskRow + j]! : 0);
    }
    p[j] = s;
    if (s > max) max = s;
  }
  if (max === Number.NEGATIVE_INFINITY) {
    p.fill(0);
    return false;
  }
  let sum = 0;
  for (let j = 0; j < skv; j++) sum += p[j] = Math.exp(p[j]! - max);
  for (let j = 0; j < skv; j++) p[j] = p[j]! / sum;
  return true;
}

/** Iterates query rows with the offsets of their KV block (GQA: head h reads h / rep). */
function forEachRow(
  dims: AttentionDims,
  fn: (qo: number, ko: number, maskRow: number, i: number) => void,
): void {
  const { b, hq, hkv, sq, skv, d } = dims;
  const rep = hq / hkv;
  for (let bi = 0; bi < b; bi++) {
    for (let h = 0; h < hq; h++) {
      const ko = (bi * hkv + Math.floor(h / rep)) * skv * d;
      for (let i = 0; i < sq; i++) {
        const row = (bi * hq + h) * sq + i;
        fn(row * d, ko, row * skv, i);
      }
    }
  }
}

/** The js oracle: exact softmax attention in f64, one query row at a time. */
function attentionF64(
  q: Float64Array,
  k: Float64Array,
  v: Float64Array,
  mask: Float64Array | undefined,
  dims: AttentionDims,
  scale: number,
  causal: boolean,
  wantProbs: boolean,
): { out: Float64Array; probs?: Float64Array } {
  const { skv, d } = dims;
  const out = new Float64Array(q.length);
  const probs = wantProbs ? new Float64Array((q.length / d) * skv) : undefined;
  const p = new Float64Array(skv);
  forEachRow(dims, (qo, ko, maskRow, i) => {
    if (!rowProbs(p, q, k, qo, ko, maskRow, mask, dims, i, scale, causal)) return;
    probs?.set(p, maskRow);
    for (let j = 0; j < skv; j++) {
      const pj = p[j]!;
      if (pj === 0) continue;
      for (let c = 0; c < d; c++) out[qo + c] = out[qo + c]! + pj * v[ko + j * d + c]!;
    }
  });
  return { out, probs };
}

/**
 * Gradients of the attention output, recomputing probabilities row by row:
 * dV += P^T dO, dS = P * (dO V^T - rowsum(dO V^T * P)), dQ = scale dS K, dK += scale dS^T Q.
 */
function attentionBackwardF64(
  q: Float64Array,
  k: Float64Array,
  v: Float64Array,
  g: Float64Array,
  mask: Float64Array | undefined,
  dims: AttentionDims,
  scale: number,
  causal: boolean,
): { dq: Float64Array; dk: Float64Array; dv: Float64Array } {
  const { skv, d } = dims;
  const dq = new Float64Array(q.length);
  const dk = new Float64Array(k.length);
  const dv = new Float64Array(v.length);
  const p = new Float64Array(skv);
  const dp = new Float64Array(skv);
  forEachRow(dims, (qo, ko, maskRow, i) => {
    if (!rowProbs(p, q, k, qo, ko, maskRow, mask, dims, i, scale, causal)) return;
    let rowDot = 0;
    for (let j = 0; j < skv; j++) {
      let s = 0;
      for (let c = 0; c < d; c++) s += g[qo + c]! * v[ko + j * d + c]!;
      dp[j] = s;
      rowDot += s * p[j]!;
    }
    for (let j = 0; j < skv; j++) {
      const pj = p[j]!;
      if (pj === 0) continue;
      const ds = pj * (dp[j]! - rowDot) * scale;
      const kj = ko + j * d;
      for (let c = 0; c < d; c++) {
        dq[qo + c] = dq[qo + c]! + ds * k[kj + c]!;
        dk[kj + c] = dk[kj + c]! + ds * q[qo + c]!;
        dv[kj + c] = dv[kj + c]! + pj * g[qo + c]!;
      }
    }
  });
  return { dq, dk, dv };
}
