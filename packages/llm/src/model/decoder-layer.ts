// One Llama decoder layer: pre-norm attention (RoPE, GQA, optional cache) and a SwiGLU MLP.
import { add, cat, rmsNorm, rope, scaledDotProductAttention, swiglu, type Tensor } from "@x/tensor";
import type { LlamaConfig } from "../config.js";
import type { ForwardHooks, KVCache, KVCacheLayer, LinearOp, LinearWeight } from "../protocols.js";
import { windowMask } from "./masks.js";

/** What a layer needs from its model for one forward call. */
export interface LayerContext {
  cfg: LlamaConfig;
  linear: LinearOp;
  /** A dense parameter (the params record) or a quantized projection, by Hugging Face name. */
  weight: (name: string) => LinearWeight;
  bias: (name: string) => Tensor | undefined;
  norm: (name: string) => Tensor;
  freqs: Float64Array;
  positions: Tensor;
  cache: KVCache | readonly KVCache[] | undefined;
  hooks: ForwardHooks | undefined;
}

function project(ctx: LayerContext, x: Tensor, name: string): Tensor {
  return ctx.linear(x, ctx.weight(`${name}.weight`), ctx.bias(`${name}.bias`), name);
}

/** [B, T, H*D] -> [B, H, T, D] */
function heads(t: Tensor, h: number, d: number): Tensor {
  const [b, s] = t.shape as [number, number];
  return t.reshape([b, s, h, d]).transpose(1, 2);
}

/** q, k before and after RoPE: a `keyRope: "pre"` cache takes the raw ones and rotates itself. */
interface Qk {
  q: Tensor;
  k: Tensor;
  qRaw: Tensor;
  kRaw: Tensor;
}

function attendLayer(
  ctx: LayerContext,
  layer: KVCacheLayer,
  qk: Qk,
  v: Tensor,
  window: number | undefined,
): Tensor {
  const pre = layer.caps.keyRope === "pre";
  const { cfg } = ctx;
  layer.append(pre ? qk.kRaw : qk.k, v);
  return layer.attend(pre ? qk.qRaw : qk.q, {
    ...(window === undefined ? {} : { window }),
    ...(pre ? { rope: { freqs: ctx.freqs, theta: cfg.ropeTheta, scaling: cfg.ropeScaling } } : {}),
  }).out;
}

function row(qk: Qk, b: number): Qk {
  const s = (t: Tensor) => t.slice(0, b, b + 1);
  return { q: s(qk.q), k: s(qk.k), qRaw: s(qk.qRaw), kRaw: s(qk.kRaw) };
}

function attention(ctx: LayerContext, l: number, qk: Qk, v: Tensor): Tensor {
  const window = ctx.cfg.slidingWindow[l];
  const { cache } = ctx;
  if (cache === undefined) {
    const t = qk.q.shape[2]!;
    const mask = window !== undefined && t > window ? windowMask(t, window) : undefined;
    return scaledDotProductAttention(qk.q, qk.k, v, { causal: true, ...(mask ? { mask } : {}) });
  }
  if (!Array.isArray(cache)) return attendLayer(ctx, (cache as KVCache).layers[l]!, qk, v, window);
  const caches = cache as readonly KVCache[];
  if (caches.length === 1) return attendLayer(ctx, caches[0]!.layers[l]!, qk, v, window);
  const rows = caches.map((c, b) =>
    attendLayer(ctx, c.layers[l]!, row(qk, b), v.slice(0, b, b + 1), window),
  );
  return cat(rows, 0);
}

/**
 * Runs decoder layer `l` on hidden states h [B, T, hidden] and returns the new hidden states.
 *
 * ```ts
 * h = decoderLayer(ctx, 0, h);
 * ```
 */
export function decoderLayer(ctx: LayerContext, l: number, h: Tensor): Tensor {
  const { cfg } = ctx;
  const p = `model.layers.${l}.`;
  const [b, t] = h.shape as [number, number];
  const x = rmsNorm(h, ctx.norm(`${p}input_layernorm.weight`), cfg.rmsNormEps);
  const qRaw = heads(project(ctx, x, `${p}self_attn.q_proj`), cfg.numHeads, cfg.headDim);
  const kRaw = heads(project(ctx, x, `${p}self_attn.k_proj`), cfg.numKvHeads, cfg.headDim);
  const v = heads(project(ctx, x, `${p}self_attn.v_proj`), cfg.numKvHeads, cfg.headDim);
  const q = rope(qRaw, ctx.positions, ctx.freqs);
  let k = rope(kRaw, ctx.positions, ctx.freqs);
  k = ctx.hooks?.postRopeKeys?.(l, k) ?? k;
  const att = attention(ctx, l, { q, k, qRaw, kRaw }, v)
    .transpose(1, 2)
    .reshape([b, t, cfg.numHeads * cfg.headDim]);
  const h1 = add(h, project(ctx, att, `${p}self_attn.o_proj`));
  const y = rmsNorm(h1, ctx.norm(`${p}post_attention_layernorm.weight`), cfg.rmsNormEps);
  const gated = swiglu(project(ctx, y, `${p}mlp.gate_proj`), project(ctx, y, `${p}mlp.up_proj`));
  return add(h1, project(ctx, gated, `${p}mlp.down_proj`));
}
