// One Llama decoder layer: pre-norm attention (RoPE, GQA, optional cache) and a SwiGLU MLP.
import { add, cat, rmsNorm, rope, scaledDotProductAttention, swiglu, type Tensor } from "@x/tensor";
import type { LlamaConfig } from "../config.js";
import type { ForwardHooks, KVCache, KVCacheLayer, LinearOp, LinearWeight } from "../protocols.js";
import type { FusedLayer, FusedProjection } from "./fused.js";
import { quantLinear } from "./linear.js";
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
  /** Fused quantized projections per layer; undefined when a custom linear op must see each one. */
  fused: readonly FusedLayer[] | undefined;
}

/** HF names of one layer's module: `name`, `name.weight`, `name.bias`. */
interface ModuleNames {
  name: string;
  weight: string;
  bias: string;
}

// Built once per (layer, module): a fresh template string per lookup would be hashed anew on
// every access to the weight records, hundreds of times per decoded token.
const moduleNames: Record<string, ModuleNames[]> = {};
export function names(l: number, module: string): ModuleNames {
  const byLayer = (moduleNames[module] ??= []);
  let n = byLayer[l];
  if (!n) {
    const name = `model.layers.${l}.${module}`;
    n = byLayer[l] = { name, weight: `${name}.weight`, bias: `${name}.bias` };
  }
  return n;
}

function project(ctx: LayerContext, x: Tensor, l: number, module: string): Tensor {
  const n = names(l, module);
  return ctx.linear(x, ctx.weight(n.weight), ctx.bias(n.bias), n.name);
}

/** Layer l's fused group when every part is still the model's own weight, without bias. */
export function fusedGroup(
  ctx: LayerContext,
  l: number,
  group: keyof FusedLayer,
  projections: readonly string[],
): FusedProjection | undefined {
  const f = ctx.fused?.[l]?.[group];
  if (!f) return undefined;
  const own = f.parts.every((w, i) => {
    const n = names(l, projections[i]!);
    return ctx.weight(n.weight) === w && ctx.bias(n.bias) === undefined;
  });
  return own ? f : undefined;
}

export const QKV = ["self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj"];
export const GATE_UP = ["mlp.gate_proj", "mlp.up_proj"];

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
  const [b, t] = h.shape as [number, number];
  const x = rmsNorm(h, ctx.norm(names(l, "input_layernorm").weight), cfg.rmsNormEps);
  const { qk, v } = queriesKeysValues(ctx, l, x);
  qk.k = ctx.hooks?.postRopeKeys?.(l, qk.k) ?? qk.k;
  const att = attention(ctx, l, qk, v)
    .transpose(1, 2)
    .reshape([b, t, cfg.numHeads * cfg.headDim]);
  const h1 = add(h, project(ctx, att, l, "self_attn.o_proj"));
  const y = rmsNorm(h1, ctx.norm(names(l, "post_attention_layernorm").weight), cfg.rmsNormEps);
  const gateUp = fusedGroup(ctx, l, "gateUp", GATE_UP);
  let gated: Tensor;
  if (gateUp) {
    const both = quantLinear(y, gateUp.weight);
    const n = cfg.intermediateSize;
    gated = swiglu(both.slice(2, 0, n), both.slice(2, n, 2 * n));
  } else {
    gated = swiglu(project(ctx, y, l, "mlp.gate_proj"), project(ctx, y, l, "mlp.up_proj"));
  }
  return add(h1, project(ctx, gated, l, "mlp.down_proj"));
}

/** Projects x to q, k (before and after RoPE) and v, [B, H, T, D] each. */
function queriesKeysValues(ctx: LayerContext, l: number, x: Tensor): { qk: Qk; v: Tensor } {
  const { cfg } = ctx;
  const [hq, hkv, d] = [cfg.numHeads, cfg.numKvHeads, cfg.headDim];
  const qkv = fusedGroup(ctx, l, "qkv", QKV);
  if (!qkv) {
    const qRaw = heads(project(ctx, x, l, "self_attn.q_proj"), hq, d);
    const kRaw = heads(project(ctx, x, l, "self_attn.k_proj"), hkv, d);
    const v = heads(project(ctx, x, l, "self_attn.v_proj"), hkv, d);
    const q = rope(qRaw, ctx.positions, ctx.freqs);
    const k = rope(kRaw, ctx.positions, ctx.freqs);
    return { qk: { q, k, qRaw, kRaw }, v };
  }
  // One matmul for all heads, then one RoPE over the q and k heads together.
  const all = heads(quantLinear(x, qkv.weight), hq + 2 * hkv, d);
  const rotated = rope(all.slice(1, 0, hq + hkv), ctx.positions, ctx.freqs);
  const qk = {
    q: rotated.slice(1, 0, hq),
    k: rotated.slice(1, hq, hq + hkv),
    qRaw: all.slice(1, 0, hq),
    kRaw: all.slice(1, hq, hq + hkv),
  };
  return { qk, v: all.slice(1, hq + hkv) };
}
