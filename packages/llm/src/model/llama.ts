// LlamaModel: weights by Hugging Face name plus the forward pass over them.
import {
  embedding,
  isRecording,
  nativeTiles,
  QTensor,
  quantize,
  randn,
  rmsNorm,
  ropeFrequencies,
  Tensor,
} from "@x/tensor";
import type { LlamaConfig } from "../config.js";
import { UsageError, WeightsError } from "../errors.js";
import type {
  CausalLM,
  ForwardOptions,
  KVCache,
  KVCacheFactory,
  LinearOp,
  LinearWeight,
} from "../protocols.js";
import { decodeLayersNatively } from "./decode-step.js";
import { decoderLayer } from "./decoder-layer.js";
import { type FusedLayer, fuseQuantized } from "./fused.js";
import { defaultLinear } from "./linear.js";
import { LAYER_PROJECTIONS, parameterShapes } from "./parameters.js";
import { positionsFor } from "./positions.js";

/** Formats of weight quantization (layer projections, optionally the LM head; embeddings and norms stay f32). */
export type WeightQuantization = "q8_0" | "q4_0";

/**
 * A Llama-family decoder (Llama 2/3, Mistral, Qwen2, SmolLM). Dense weights live in `params`
 * keyed by Hugging Face state-dict names; quantized projections in `quantized`. The forward pass
 * is differentiable end to end: pass a params record (or input embeddings) to `valueAndGrad`.
 *
 * ```ts
 * const model = await loadModel("./SmolLM2-135M");
 * const logits = model.forward({ inputIds: Tensor.from([1, 2, 3], [1, 3], "i32") }); // [1, 3, vocab]
 * const { grads } = valueAndGrad((p: Record<string, Tensor>) =>
 *   causalLmLoss(model.forward({ inputIds, params: p }), labels))(model.params);
 * ```
 */
export class LlamaModel implements CausalLM {
  readonly config: LlamaConfig;
  /** Dense parameters by Hugging Face name (the tied LM head is the embedding, not repeated). */
  readonly params: Record<string, Tensor>;
  /** Quantized projection weights by Hugging Face name (empty for an f32 model). */
  readonly quantized: Readonly<Record<string, QTensor>>;
  /** The folder's generation_config.json, kept so saving writes it back. */
  generationConfig: Record<string, unknown> | undefined;
  private linearOp: LinearOp = defaultLinear;
  private readonly freqs: Float64Array;
  private readonly fused: readonly FusedLayer[];

  /** Checks every tensor against the config (missing, unexpected or mis-shaped is a WeightsError). */
  constructor(config: LlamaConfig, weights: Readonly<Record<string, Tensor | QTensor>>) {
    this.config = config;
    const expected = parameterShapes(config);
    const params: Record<string, Tensor> = {};
    const quantized: Record<string, QTensor> = {};
    for (const [name, shape] of Object.entries(expected)) {
      const w = weights[name];
      if (!w) throw new WeightsError(name, "is missing");
      if (w.shape.length !== shape.length || w.shape.some((d, i) => d !== shape[i])) {
        throw new WeightsError(
          name,
          `has shape [${w.shape.join(", ")}], the config implies [${shape.join(", ")}]`,
        );
      }
      if (w instanceof QTensor) quantized[name] = w;
      else if (w.dtype !== "f32")
        throw new WeightsError(name, `must be f32 in memory, got ${w.dtype}`);
      else params[name] = w;
    }
    const head = weights["lm_head.weight"];
    if (config.tieWordEmbeddings && head instanceof QTensor) {
      // A tied model may carry a quantized copy of its head (the embedding stays dense for lookup).
      if (head.shape[0] !== config.vocabSize || head.shape[1] !== config.hiddenSize) {
        throw new WeightsError(
          "lm_head.weight",
          `has shape [${head.shape.join(", ")}], the config implies [${config.vocabSize}, ${config.hiddenSize}]`,
        );
      }
      quantized["lm_head.weight"] = head;
    }
    for (const name of Object.keys(weights)) {
      // Old checkpoints store RoPE buffers; a tied model may still carry a copy of the head.
      if (expected[name] || name.endsWith("rotary_emb.inv_freq") || name === "lm_head.weight")
        continue;
      throw new WeightsError(name, "is not a parameter of this config");
    }
    this.params = params;
    // Native CPU products run on ggml weights in the tile layout (same blocks, @x/tensor).
    const tiles = nativeTiles();
    this.fused = fuseQuantized(quantized, config.numLayers, { tiles });
    const fusedParts = new Set(
      this.fused.flatMap((l) => [l.qkv, l.gateUp]).flatMap((f) => f?.parts ?? []),
    );
    if (tiles)
      for (const [name, w] of Object.entries(quantized))
        if ((w.format === "q8_0" || w.format === "q4_0") && !fusedParts.has(w))
          quantized[name] = w.toTiles();
    this.quantized = quantized;
    this.freqs = ropeFrequencies({
      dim: config.headDim,
      base: config.ropeTheta,
      scaling: config.ropeScaling,
    });
  }

  /**
   * A model with N(0, std²) weights and unit norms, drawn from a seeded counter-based stream
   * (tests and benchmarks).
   *
   * ```ts
   * const model = LlamaModel.random(makeConfig({ vocabSize: 64, hiddenSize: 32, intermediateSize: 64,
   *   numLayers: 2, numHeads: 4, numKvHeads: 2 }), { seed: 1 });
   * ```
   */
  static random(config: LlamaConfig, opts: { seed?: number; std?: number } = {}): LlamaModel {
    const { seed = 0, std = 0.02 } = opts;
    const weights: Record<string, Tensor> = {};
    Object.entries(parameterShapes(config)).forEach(([name, shape], i) => {
      const t = randn(shape, { seed, offset: i });
      const d = t.data() as Float32Array;
      const norm = name.endsWith("norm.weight");
      for (let j = 0; j < d.length; j++) d[j] = norm ? 1 + 0.1 * d[j]! : std * d[j]!;
      weights[name] = t;
    });
    return new LlamaModel(config, weights);
  }

  /** Replaces the linear op used for every projection (undefined restores the default). */
  setLinearOp(op?: LinearOp): void {
    this.linearOp = op ?? defaultLinear;
  }

  /** Dense parameters by Hugging Face name (see {@link CausalLM.namedParameters}). */
  namedParameters(): Readonly<Record<string, Tensor>> {
    return this.params;
  }

  /** Number of parameters (dense and quantized). */
  numParameters(): number {
    const tiedCopy = this.config.tieWordEmbeddings ? "lm_head.weight" : "";
    const all = [
      ...Object.values(this.params),
      ...Object.entries(this.quantized)
        .filter(([n]) => n !== tiedCopy)
        .map(([, q]) => q),
    ];
    return all.reduce((s, t) => s + t.shape.reduce((a, b) => a * b, 1), 0);
  }

  /** Token embeddings [..., hidden] of i32 ids. */
  embed(ids: Tensor, params: Readonly<Record<string, Tensor>> = this.params): Tensor {
    return embedding(params["model.embed_tokens.weight"]!, ids);
  }

  /**
   * A new model sharing this one's dense tensors, with every layer projection quantized; with
   * `head: true` the LM head too (for a tied model, a quantized copy; the embedding stays f32).
   *
   * ```ts
   * const q4 = model.quantize("q4_0", { head: true });
   * ```
   */
  quantize(format: WeightQuantization, opts: { head?: boolean } = {}): LlamaModel {
    const weights: Record<string, Tensor | QTensor> = { ...this.params, ...this.quantized };
    if (opts.head && !(weights["lm_head.weight"] instanceof QTensor)) {
      const dense = this.config.tieWordEmbeddings
        ? this.params["model.embed_tokens.weight"]!
        : this.params["lm_head.weight"]!;
      weights["lm_head.weight"] = quantize(dense, format);
    }
    for (let l = 0; l < this.config.numLayers; l++) {
      for (const p of LAYER_PROJECTIONS) {
        const name = `model.layers.${l}.${p}.weight`;
        const w = weights[name];
        if (w instanceof Tensor) weights[name] = quantize(w, format);
      }
    }
    const m = new LlamaModel(this.config, weights);
    m.generationConfig = this.generationConfig;
    m.linearOp = this.linearOp;
    return m;
  }

  /**
   * A cache for this model's geometry.
   *
   * ```ts
   * const cache = model.createCache(fullCache(), { batch: 1 });
   * model.forward({ inputIds: prompt, cache, logitsFor: "last" });
   * ```
   */
  createCache(factory: KVCacheFactory, opts: { batch?: number; maxSeqLen?: number } = {}): KVCache {
    const c = this.config;
    return factory.create({
      nLayers: c.numLayers,
      batch: opts.batch ?? 1,
      nKvHeads: c.numKvHeads,
      nQHeads: c.numHeads,
      headDim: c.headDim,
      ...(opts.maxSeqLen !== undefined ? { maxSeqLen: opts.maxSeqLen } : {}),
      dtype: "f32",
      device: "cpu",
    });
  }

  /**
   * Logits [B, T, vocab] (or [B, 1, vocab] with `logitsFor: "last"`) for token ids or input
   * embeddings. With a cache, k/v are appended and RoPE positions continue from each row's length.
   */
  forward(opts: ForwardOptions): Tensor {
    const cfg = this.config;
    const params = opts.params ?? this.params;
    let h: Tensor;
    if (opts.inputIds && opts.inputsEmbeds)
      throw new UsageError("forward: pass inputIds or inputsEmbeds, not both");
    if (opts.inputIds) {
      const ids = opts.inputIds.ndim === 1 ? opts.inputIds.reshape([1, -1]) : opts.inputIds;
      if (ids.ndim !== 2 || ids.dtype !== "i32")
        throw new UsageError(
          `forward: inputIds must be i32 [B, T], got ${ids.dtype} [${ids.shape.join(", ")}]`,
        );
      h = this.embed(ids, params);
    } else if (opts.inputsEmbeds) {
      h = opts.inputsEmbeds;
      if (h.ndim !== 3 || h.shape[2] !== cfg.hiddenSize) {
        throw new UsageError(
          `forward: inputsEmbeds must be [B, T, ${cfg.hiddenSize}], got [${h.shape.join(", ")}]`,
        );
      }
    } else {
      throw new UsageError("forward: pass inputIds or inputsEmbeds");
    }
    const [b, t] = h.shape as [number, number];
    if (t === 0) throw new UsageError("forward: the input has no positions");
    if (opts.cache && isRecording())
      throw new UsageError(
        "forward: a KV cache cannot be used inside grad() (training runs without one)",
      );
    const positions = positionsFor(opts, b, t);
    const quantized = this.quantized;
    const weight = (name: string): LinearWeight => {
      const w = params[name] ?? quantized[name];
      if (!w) throw new WeightsError(name, "is missing from the params passed to forward");
      return w;
    };
    const ctx = {
      cfg,
      linear: this.linearOp,
      weight,
      bias: (name: string) => params[name],
      norm: (name: string) => weight(name) as Tensor,
      freqs: this.freqs,
      positions,
      cache: opts.cache,
      hooks: opts.hooks,
      fused: this.linearOp === defaultLinear ? this.fused : undefined,
    };
    const native = decodeLayersNatively(ctx, h);
    if (native) h = native;
    else for (let l = 0; l < cfg.numLayers; l++) h = decoderLayer(ctx, l, h);
    if (opts.logitsFor === "last" && t > 1) h = h.slice(1, t - 1, t);
    h = rmsNorm(h, weight("model.norm.weight") as Tensor, cfg.rmsNormEps);
    const head =
      quantized["lm_head.weight"] ??
      weight(cfg.tieWordEmbeddings ? "model.embed_tokens.weight" : "lm_head.weight");
    return this.linearOp(h, head, undefined, "lm_head");
  }
}
