// The decode fast path: one token, batch 1, through every layer as one native call each
// (@x/tensor's decodeLayer) when the model runs its own default pieces: the default linear op
// over ggml projections in the tile layout (fused q/k/v and gate/up where the model has them)
// or dense f32 ones, the built-in f32 full cache, no hooks, no biases, no sliding window. The
// native layer runs the same kernels in the same order as decoderLayer, so logits are
// identical; what it saves is the JS dispatch of a dozen tensor ops per layer and token.
import { decodeLayer, decodeLayerAvailable, type LayerWeight, QTensor, Tensor } from "@x/tensor";
import { FullStore } from "../cache/full-store.js";
import type { KVCache } from "../protocols.js";
import {
  decoderLayer,
  fusedGroup,
  GATE_UP,
  type LayerContext,
  names,
  QKV,
} from "./decoder-layer.js";

interface FastLayer {
  store: FullStore;
  qkv: LayerWeight | LayerWeight[];
  o: LayerWeight;
  gateUp: LayerWeight | LayerWeight[];
  down: LayerWeight;
  normIn: Float32Array;
  normPost: Float32Array;
}

/** A projection's weight when the native layer can run it (tiles, or dense f32) and it has no bias. */
function nativeWeight(ctx: LayerContext, l: number, module: string): LayerWeight | undefined {
  const n = names(l, module);
  const w = ctx.weight(n.weight);
  if (ctx.bias(n.bias)) return undefined;
  if (w instanceof QTensor) return w.tiles ? w : undefined;
  return w.dtype === "f32" && w.storage.device === "cpu" && w.isContiguous() ? w : undefined;
}

/** The group as one fused tiled weight, else its projections one by one (undefined if any cannot run). */
function group(
  ctx: LayerContext,
  l: number,
  kind: "qkv" | "gateUp",
  modules: readonly string[],
): LayerWeight | LayerWeight[] | undefined {
  const fused = fusedGroup(ctx, l, kind, modules)?.weight;
  if (fused?.tiles) return fused;
  const parts = modules.map((m) => nativeWeight(ctx, l, m));
  return parts.every((p) => p !== undefined) ? (parts as LayerWeight[]) : undefined;
}

function normData(ctx: LayerContext, l: number, module: string): Float32Array | undefined {
  const w = ctx.norm(names(l, module).weight);
  return w.dtype === "f32" && w.storage.device === "cpu" ? (w.data() as Float32Array) : undefined;
}

/** Every layer's pieces when the whole step can run natively, else undefined. */
function fastLayers(ctx: LayerContext, h: Tensor): FastLayer[] | undefined {
  const { cfg, cache } = ctx;
  if (!decodeLayerAvailable() || ctx.hooks !== undefined || !ctx.fused) return undefined;
  if (!cache || Array.isArray(cache) || h.dtype !== "f32" || h.shape[0] !== 1 || h.shape[1] !== 1)
    return undefined;
  const layers: FastLayer[] = [];
  for (let l = 0; l < cfg.numLayers; l++) {
    const store = (cache as KVCache).layers[l];
    if (!(store instanceof FullStore) || cfg.slidingWindow[l] !== undefined) return undefined;
    const { nKvHeads, nQHeads, headDim } = store.shape;
    if (nKvHeads !== cfg.numKvHeads || nQHeads !== cfg.numHeads || headDim !== cfg.headDim)
      return undefined; // op by op raises the cache's own shape error
    const qkv = group(ctx, l, "qkv", QKV);
    const gateUp = group(ctx, l, "gateUp", GATE_UP);
    const o = nativeWeight(ctx, l, "self_attn.o_proj");
    const down = nativeWeight(ctx, l, "mlp.down_proj");
    const normIn = normData(ctx, l, "input_layernorm");
    const normPost = normData(ctx, l, "post_attention_layernorm");
    if (!qkv || !gateUp || !o || !down || !normIn || !normPost) return undefined;
    layers.push({ store, qkv, o, gateUp, down, normIn, normPost });
  }
  // The native layer takes one quantized format per call.
  const formats = new Set(
    layers
      .flatMap((x) => [x.qkv, x.o, x.gateUp, x.down].flat())
      .flatMap((w) => (w instanceof QTensor ? [w.format] : [])),
  );
  return formats.size <= 1 ? layers : undefined;
}

/**
 * Runs every decoder layer on h [1, 1, hidden] natively and returns the new hidden states, or
 * undefined (nothing done) when the model or cache is not set up for it. A layer whose
 * activations leave the q8_0 range is rerun with the rest op by op, which raises the error.
 *
 * ```ts
 * const out = decodeLayersNatively(ctx, h) ?? layersOpByOp(ctx, h);
 * ```
 */
export function decodeLayersNatively(ctx: LayerContext, h: Tensor): Tensor | undefined {
  const layers = fastLayers(ctx, h);
  const slots = layers?.map((l) => l.store.decodeSlots());
  if (!layers || !slots || slots.some((s) => s === undefined)) return undefined;
  const { cfg, freqs } = ctx;
  const position = Number(ctx.positions.data()[0]);
  const cos = Float32Array.from(freqs, (f) => Math.cos(position * f));
  const sin = Float32Array.from(freqs, (f) => Math.sin(position * f));
  let cur = Float32Array.from(h.data() as Float32Array);
  let next = new Float32Array(cur.length);
  for (const [l, layer] of layers.entries()) {
    const s = slots[l]!;
    const ok = decodeLayer({
      h: cur,
      out: next,
      normIn: layer.normIn,
      normPost: layer.normPost,
      eps: cfg.rmsNormEps,
      qkv: layer.qkv,
      o: layer.o,
      gateUp: layer.gateUp,
      down: layer.down,
      cos,
      sin,
      kHeads: s.k,
      vHeads: s.v,
      count: s.count,
      heads: cfg.numHeads,
      kvHeads: cfg.numKvHeads,
      headDim: cfg.headDim,
      intermediate: cfg.intermediateSize,
      scale: 1 / Math.sqrt(cfg.headDim),
    });
    if (!ok) {
      let rest = Tensor.wrap(cur, h.shape, "f32");
      for (let k = l; k < cfg.numLayers; k++) rest = decoderLayer(ctx, k, rest);
      return rest;
    }
    layer.store.commitDecoded();
    [cur, next] = [next, cur];
  }
  return Tensor.wrap(cur, h.shape, "f32");
}
