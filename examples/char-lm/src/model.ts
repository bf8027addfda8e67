// A one-block Llama-style decoder (RMSNorm, RoPE, grouped-query causal attention, SwiGLU MLP)
// written directly with @x/tensor ops, so autograd differentiates the whole forward pass.
import {
  add,
  crossEntropy,
  embedding,
  linear,
  mul,
  randn,
  rmsNorm,
  rope,
  ropeFrequencies,
  scaledDotProductAttention,
  swiglu,
  Tensor,
} from "@x/tensor";

export interface ModelConfig {
  vocab: number;
  dim: number;
  heads: number;
  kvHeads: number;
  hidden: number;
}

export type Params = Record<string, Tensor>;

/** Random initial weights (std 0.02 as GPT-2/Llama do), from a fixed seed. */
export function initParams(cfg: ModelConfig, seed: number): Params {
  const headDim = cfg.dim / cfg.heads;
  const w = (shape: number[], k: number) => mul(randn(shape, { seed: seed + k }), 0.02);
  return {
    embed: w([cfg.vocab, cfg.dim], 1),
    attnNorm: Tensor.from(new Array(cfg.dim).fill(1)),
    wq: w([cfg.heads * headDim, cfg.dim], 2),
    wk: w([cfg.kvHeads * headDim, cfg.dim], 3),
    wv: w([cfg.kvHeads * headDim, cfg.dim], 4),
    wo: w([cfg.dim, cfg.heads * headDim], 5),
    mlpNorm: Tensor.from(new Array(cfg.dim).fill(1)),
    gate: w([cfg.hidden, cfg.dim], 6),
    up: w([cfg.hidden, cfg.dim], 7),
    down: w([cfg.dim, cfg.hidden], 8),
    finalNorm: Tensor.from(new Array(cfg.dim).fill(1)),
    head: w([cfg.vocab, cfg.dim], 9),
  };
}

/** Logits [batch, seq, vocab] for token ids [batch, seq] (i32). */
export function forward(cfg: ModelConfig, p: Params, ids: Tensor): Tensor {
  const [batch, seq] = ids.shape as [number, number];
  const headDim = cfg.dim / cfg.heads;
  const freqs = ropeFrequencies({ dim: headDim, base: 10000 });
  const positions = Array.from({ length: seq }, (_, i) => i);
  const heads = (t: Tensor, n: number) => t.reshape([batch, seq, n, headDim]).transpose(1, 2);

  let h = embedding(p.embed!, ids);
  const x = rmsNorm(h, p.attnNorm!, 1e-5);
  const q = rope(heads(linear(x, p.wq!), cfg.heads), positions, freqs);
  const k = rope(heads(linear(x, p.wk!), cfg.kvHeads), positions, freqs);
  const v = heads(linear(x, p.wv!), cfg.kvHeads);
  const attn = scaledDotProductAttention(q, k, v, { causal: true });
  h = add(h, linear(attn.transpose(1, 2).reshape([batch, seq, cfg.dim]), p.wo!));
  const y = rmsNorm(h, p.mlpNorm!, 1e-5);
  h = add(h, linear(swiglu(linear(y, p.gate!), linear(y, p.up!)), p.down!));
  return linear(rmsNorm(h, p.finalNorm!, 1e-5), p.head!);
}

/** Mean next-token cross-entropy of a batch of windows [batch, seq + 1]. */
export function loss(cfg: ModelConfig, p: Params, windows: Tensor): Tensor {
  const seq = windows.shape[1]! - 1;
  const logits = forward(cfg, p, windows.slice(1, 0, seq).contiguous());
  const targets = windows.slice(1, 1, seq + 1).contiguous();
  return crossEntropy(logits.reshape([-1, cfg.vocab]), targets.reshape([-1]));
}
