// Test helper (not exported from the package): a tiny Llama-style transformer block built from
// public ops, for gradient tests of the composite the Llama runtime runs.
import type { DType } from "../dtype.js";
import { swiglu } from "../ops/activation.js";
import { scaledDotProductAttention } from "../ops/attention.js";
import { add, mul } from "../ops/elementwise.js";
import { crossEntropy } from "../ops/loss.js";
import { linear } from "../ops/matmul.js";
import { rmsNorm } from "../ops/norm.js";
import { randint, randn } from "../ops/random.js";
import { rope, ropeFrequencies } from "../ops/rope.js";
import type { Shape } from "../shape.js";
import type { Tensor } from "../tensor.js";

/** Sizes of the block: 2 query heads share 1 KV head (GQA), head dim 4, odd vocab/ffn sizes. */
export const BLOCK = { batch: 1, seq: 3, dim: 8, hq: 2, hkv: 1, headDim: 4, ffn: 6, vocab: 5 };

/** The block's inputs in the order {@link transformerBlock} takes them (targets last, i32). */
export interface BlockParams {
  list: [
    x: Tensor,
    norm1: Tensor,
    wq: Tensor,
    wk: Tensor,
    wv: Tensor,
    wo: Tensor,
    norm2: Tensor,
    wGate: Tensor,
    wUp: Tensor,
    wDown: Tensor,
    lmHead: Tensor,
    targets: Tensor,
  ];
}

/** Seeded parameters of `dtype` (weights scaled by 1/sqrt(fan-in)) and random targets. */
export function blockParams(seed: number, dtype: DType): BlockParams {
  const { batch, seq, dim, hq, hkv, headDim, ffn, vocab } = BLOCK;
  let k = 0;
  const r = (shape: Shape, scale: number) =>
    mul(randn(shape, { seed: seed * 100 + k++, dtype }), scale);
  const w = (out: number, inF: number) => r([out, inF], 1 / Math.sqrt(inF));
  return {
    list: [
      r([batch, seq, dim], 1),
      add(r([dim], 0.1), 1),
      w(hq * headDim, dim),
      w(hkv * headDim, dim),
      w(hkv * headDim, dim),
      w(dim, hq * headDim),
      add(r([dim], 0.1), 1),
      w(ffn, dim),
      w(ffn, dim),
      w(dim, ffn),
      w(vocab, dim),
      randint(0, vocab, [batch, seq], { seed: seed * 100 + 99, dtype: "i32" }),
    ],
  };
}

/** Llama MLP: down(silu(gate(x)) * up(x)). */
export function activationLayer(x: Tensor, wGate: Tensor, wUp: Tensor, wDown: Tensor): Tensor {
  return linear(swiglu(linear(x, wGate), linear(x, wUp)), wDown);
}

/** [B, S, H * D] -> [B, H, S, D] (a view). */
function heads(t: Tensor, h: number): Tensor {
  const [b, s] = t.shape as [number, number];
  return t.reshape([b, s, h, -1]).transpose(1, 2);
}

/**
 * rmsNorm -> q, k, v projections -> rope -> causal GQA attention -> o projection -> residual ->
 * rmsNorm -> SwiGLU MLP -> residual -> lm head -> cross-entropy against `targets`.
 */
export function transformerBlock(p: BlockParams["list"]): Tensor {
  const [x, norm1, wq, wk, wv, wo, norm2, wGate, wUp, wDown, lmHead, targets] = p;
  const { batch, seq, hq, hkv, headDim } = BLOCK;
  const freqs = ropeFrequencies({ dim: headDim });
  const positions = Array.from({ length: seq }, (_, i) => i + 2);
  const h = rmsNorm(x, norm1);
  const q = rope(heads(linear(h, wq), hq), positions, freqs);
  const k = rope(heads(linear(h, wk), hkv), positions, freqs);
  const v = heads(linear(h, wv), hkv);
  const attn = scaledDotProductAttention(q, k, v, { causal: true });
  const merged = attn.transpose(1, 2).reshape([batch, seq, hq * headDim]);
  const x2 = add(x, linear(merged, wo));
  const x3 = add(x2, activationLayer(rmsNorm(x2, norm2), wGate, wUp, wDown));
  return crossEntropy(linear(x3, lmHead), targets);
}
