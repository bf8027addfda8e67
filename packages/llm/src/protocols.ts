// Extension protocols declared by @x/llm and implemented by the technique packages (KIVI,
// Scissorhands, NoMAD caches; WTA-CRS linears; RapidIn gradients; Zen data parallelism).
// Technique packages import these with `import type`, so this file holds types only (plus the
// protocol version constant).
import type { QTensor, RopeScaling, Tensor } from "@x/tensor";

/** Version of the KV-cache protocol below; a factory declares the version it implements. */
export const KV_PROTOCOL_VERSION = 1;

/** Geometry of a model's KV cache; `nQHeads % nKvHeads === 0` (query head h reads KV head ⌊h / (nQHeads / nKvHeads)⌋). */
export interface KVShape {
  nLayers: number;
  /** Independent rows (sequences); each has its own length. */
  batch: number;
  nKvHeads: number;
  nQHeads: number;
  headDim: number;
  /** Upper bound on tokens per row, when known (lets a cache preallocate). */
  maxSeqLen?: number;
  /** Dtype of the model's k/v activations (what `append` receives). */
  dtype: "f32" | "f16" | "bf16";
  device: "cpu" | "cuda";
}

/** What a cache does, so the model and wrappers can adapt. */
export interface KVCaps {
  /** Stores keys/values lossily (attention sees dequantized values). */
  quantized: boolean;
  /** Drops tokens, so stored(row, head) may be less than length(row). */
  evicts: boolean;
  /** `attend(q, {returnProbs: true})` is supported. */
  emitsProbs: boolean;
  /** "post": append receives keys after RoPE. "pre": un-rotated keys; the model passes `rope` to attend. */
  keyRope: "post" | "pre";
}

/** Physical bytes held by a cache (codes, metadata, residuals, positions, history...). */
export interface KVBytes {
  used: number;
  reserved: number;
  parts: Record<string, number>;
}

/** Options of {@link KVCacheLayer.append}. */
export interface KVAppendOptions {
  /** Valid tokens per row (left-aligned, `counts[b] <= T`); the rest is never stored. Default: all T. */
  counts?: Int32Array;
}

/** RoPE parameters the model passes to a `keyRope: "pre"` cache. */
export interface KVRopeParams {
  freqs: Float64Array;
  theta: number;
  scaling: RopeScaling | undefined;
}

/** Options of {@link KVCacheLayer.attend}. */
export interface KVAttendOptions {
  /** Multiplier of q·k; default 1/√headDim. */
  scale?: number;
  /** Causal inside the pending block (default true). */
  causal?: boolean;
  /** Also return probabilities over the stored slots. */
  returnProbs?: boolean;
  /**
   * Sliding window: a query at position p sees keys at positions > p - window. A cache may then
   * free the committed tokens no later query can see (positions <= length - window), as
   * `fullCache()` does by default; such a cache reports `caps.evicts`, and after dropping,
   * attending with a larger window or none is KV_STATE (as is truncating below what it holds).
   */
  window?: number;
  /** Given only to `keyRope: "pre"` caches. */
  rope?: KVRopeParams;
}

/** Result of {@link KVCacheLayer.attend}. */
export interface KVAttendResult {
  /** [batch, nQHeads, Tq, headDim] in q's dtype. */
  out: Tensor;
  /** [batch, nQHeads, Tq, S] over the slots of each query head's KV head (unused slots 0). */
  probs?: Tensor;
  /** [batch, nKvHeads, S] token position held by each slot (-1 = unused), i32. */
  slotPositions?: Tensor;
}

/** A structured-clonable copy of a cache's state; `restore` of it is bit-exact. */
export interface KVSnapshot {
  protocol: typeof KV_PROTOCOL_VERSION;
  kind: string;
  config: unknown;
  shape: KVShape;
  arrays: Record<string, ArrayBufferView | number[]>;
}

/**
 * One attention layer's cache. The cache owns attention so a quantized cache can fuse
 * dequantization. The model calls `append(k, v)` (k, v [batch, nKvHeads, T, headDim], post-RoPE
 * unless caps.keyRope is "pre") then `attend(q)` (q [batch, nQHeads, Tq, headDim], Tq = max
 * pending over rows). Appended tokens are pending until the next attend, which attends them
 * causally and then commits them. Rows past their pending count return zeros; with nothing
 * pending, attend is a read-only probe over everything stored. Errors are {@link KVCacheError}s
 * thrown before any state changes; attend while autograd records is KV_UNSUPPORTED.
 *
 * ```ts
 * layer.append(k, v);                       // k, v [1, 2, 5, 64]
 * const { out } = layer.attend(q);          // q [1, 8, 5, 64] -> out [1, 8, 5, 64]
 * layer.length(0);                          // 5 = the next RoPE position
 * ```
 */
export interface KVCacheLayer {
  readonly caps: KVCaps;
  append(k: Tensor, v: Tensor, opts?: KVAppendOptions): void;
  attend(q: Tensor, opts?: KVAttendOptions): KVAttendResult;
  /** Tokens appended to `row` so far, pending included (= next RoPE position). */
  length(row?: number): number;
  /** Tokens currently held for (row, kvHead) (less than length when the cache evicts). */
  stored(row: number, kvHead: number): number;
  bytes(): KVBytes;
  stats(): Record<string, unknown>;
  /** Keeps the first `n` positions of `row` (all rows when omitted); nothing may be pending. */
  truncate(n: number, row?: number): void;
  reset(rows?: readonly number[]): void;
  fork(): KVCacheLayer;
  snapshot(): KVSnapshot;
  restore(s: KVSnapshot): void;
  dispose(): void;
}

/**
 * A layer that evictors can wrap: slots can be removed per (row, KV head) by stable compaction
 * (survivors bit-identical), and each slot's token position is readable.
 */
export interface KVStore extends KVCacheLayer {
  remove(row: number, kvHead: number, slots: Int32Array): void;
  positions(row: number, kvHead: number): Int32Array;
}

/** A whole model's cache: one layer object per attention layer, with aggregate operations. */
export interface KVCache {
  readonly kind: string;
  readonly shape: KVShape;
  readonly layers: readonly KVCacheLayer[];
  /** Length of `row` in layer 0 (all layers agree). */
  length(row?: number): number;
  bytes(): KVBytes;
  stats(): Record<string, unknown>;
  truncate(n: number, row?: number): void;
  reset(rows?: readonly number[]): void;
  fork(): KVCache;
  snapshot(): KVSnapshot[];
  restore(s: readonly KVSnapshot[]): void;
  dispose(): void;
  [Symbol.dispose](): void;
}

/**
 * Builds caches for a model; `generate(model, prompt, {cache: factory})` calls `create` with the
 * model's shape. `config` is the factory's options, for reports.
 *
 * ```ts
 * const cache = fullCache({ dtype: "f16" }).create({ nLayers: 2, batch: 1, nKvHeads: 2,
 *   nQHeads: 8, headDim: 64, dtype: "f32", device: "cpu" });
 * ```
 */
export interface KVCacheFactory<Config = unknown> {
  readonly kind: string;
  readonly config: Config;
  readonly protocol: typeof KV_PROTOCOL_VERSION;
  create(shape: KVShape): KVCache;
}

/** A projection weight: dense, or ggml-quantized for inference. */
export type LinearWeight = Tensor | QTensor;

/**
 * The pluggable linear op: `x Wᵀ + b` for every projection of the model. `name` is the module's
 * Hugging Face path, e.g. `model.layers.3.self_attn.q_proj` or `lm_head`; WTA-CRS swaps the op
 * for matching names to change the weight-gradient product. Must be differentiable w.r.t. x
 * (and weight/bias when dense and tracked).
 *
 * ```ts
 * const logged: LinearOp = (x, w, b, name) => { console.log(name); return defaultLinear(x, w, b, name); };
 * model.setLinearOp(logged);
 * ```
 */
export type LinearOp = (
  x: Tensor,
  weight: LinearWeight,
  bias: Tensor | undefined,
  name: string,
) => Tensor;

/** Hooks into the forward pass (observers for NoMAD codebook training, Fisher probes...). */
export interface ForwardHooks {
  /** Sees (and may replace, e.g. by adding a zero probe) each layer's post-RoPE keys [B, Hkv, T, D]. */
  postRopeKeys?: (layer: number, k: Tensor) => Tensor | undefined;
}

/** Inputs of the model's forward pass. Exactly one of inputIds / inputsEmbeds. */
export interface ForwardOptions {
  /** Token ids, i32 [B, T] (or [T], treated as one row). */
  inputIds?: Tensor;
  /** Input embeddings [B, T, hidden] (e.g. a soft prompt concatenated with `embed(ids)`). */
  inputsEmbeds?: Tensor;
  /** RoPE positions [T] or [B, T]; default: the cache length of each row + 0..T-1 (0..T-1 without cache). */
  positions?: Tensor | readonly number[];
  /** A whole-model cache (rows = batch rows), or one cache per row (each created with batch 1). */
  cache?: KVCache | readonly KVCache[];
  /** Logits for every position (default) or only the last (skips the LM head elsewhere). */
  logitsFor?: "all" | "last";
  /** Parameters to use instead of the model's own (e.g. the record valueAndGrad differentiates). */
  params?: Readonly<Record<string, Tensor>>;
  hooks?: ForwardHooks;
}

/**
 * What technique packages need from a causal LM (structural, so wrappers such as a prompted or
 * compressed model can implement it).
 */
export interface CausalLM {
  readonly config: {
    vocabSize: number;
    hiddenSize: number;
    numLayers: number;
    numHeads: number;
    numKvHeads: number;
    headDim: number;
    maxPositionEmbeddings: number;
  };
  /** Logits [B, T, vocab] (or [B, 1, vocab] with logitsFor "last"). */
  forward(opts: ForwardOptions): Tensor;
  /** Token embeddings [..., hidden] of ids (differentiable w.r.t. the embedding table). */
  embed(ids: Tensor, params?: Readonly<Record<string, Tensor>>): Tensor;
  /** Dense parameters by Hugging Face name (quantized projections are not listed). */
  namedParameters(): Readonly<Record<string, Tensor>>;
}

/** A row-sparse gradient (embedding rows touched by a batch): `values[i]` is row `rowIds[i]`. */
export interface RowSparseGradient {
  kind: "rows";
  rowIds: Int32Array;
  /** [R, D] */
  values: Tensor;
  numRows: number;
}

/** A parameter gradient as the data-parallel hook sees it. */
export type Gradient = Tensor | RowSparseGradient;

/** Context of one {@link DataParallelHook.synchronize} call. */
export interface SyncContext {
  step: number;
}

/**
 * Called by a training loop after backward and before clipping + the optimizer step; returns
 * the synchronized gradients (Zen: sparse embedding rows, dense buckets for the rest).
 * Ownership: the trainer owns both the gradients it passes in and the tensors returned, and
 * disposes the device ones after the optimizer step; a hook that keeps buffers across steps
 * returns copies of them.
 *
 * ```ts
 * const grads = await hook.synchronize(localGrads, { step });
 * optimizer.step(grads);
 * ```
 */
export interface DataParallelHook {
  synchronize(grads: Record<string, Gradient>, ctx: SyncContext): Promise<Record<string, Gradient>>;
}
