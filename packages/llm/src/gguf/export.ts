// LlamaModel (+ Tokenizer) -> a GGUF file llama.cpp loads: llama.cpp key and tensor names,
// Q/K rows permuted to ggml's RoPE layout, weights in f32, f16, q8_0 or q4_0.
import { dequantize, f32ToF16Bits, QTensor, quantize, Tensor } from "@x/tensor";
import type { LlamaConfig } from "../config.js";
import { UsageError } from "../errors.js";
import type { LlamaModel } from "../model/llama.js";
import type { Tokenizer } from "../tokenizer/tokenizer.js";
import { permuteRows, qkRowOrder } from "./permute.js";
import { llama3RopeFactors } from "./rope-factors.js";
import {
  GGUF_DEFAULT_ALIGNMENT,
  GGUF_FILE_TYPE,
  type GgmlWriteType,
  type GgufValue,
  ggmlType,
  TOKEN_TYPE,
} from "./types.js";
import { type GgufTensorSpec, writeGguf } from "./write.js";

/** Options of {@link exportGguf}. */
export interface GgufExportOptions {
  /** Type of the 2-D weights (default "f16"); norms and biases stay f32. */
  type?: GgmlWriteType;
  /** The model's tokenizer (byte-level BPE is written as llama.cpp's "gpt2" vocabulary). */
  tokenizer?: Tokenizer;
  /** `general.name`. */
  name?: string;
  /** `tokenizer.ggml.pre`, llama.cpp's pre-tokenizer name (default "default"). */
  pre?: string;
  /** Called after each tensor is written (for progress). */
  onTensor?: (done: number, total: number, name: string) => void;
  /**
   * Extra metadata written last, overriding the keys above (e.g. the `tokenizer.*` keys of a
   * GGUF file being re-exported in another type).
   */
  metadata?: Record<string, GgufValue>;
}

const u32 = (value: number): GgufValue => ({ type: "u32", value });
const f32 = (value: number): GgufValue => ({ type: "f32", value });
const str = (value: string): GgufValue => ({ type: "string", value });

/** The GGUF architecture of a config: Llama and Mistral share llama.cpp's "llama" graph. */
export function ggufArchitecture(cfg: LlamaConfig): "llama" | "qwen2" {
  return cfg.architecture === "qwen2" ? "qwen2" : "llama";
}

/**
 * The `tokenizer.ggml.*` keys for a byte-level BPE tokenizer, padded to `vocabSize` with
 * unused `[PADn]` tokens.
 *
 * ```ts
 * ggufTokenizerMetadata(tok, model.config.vocabSize)["tokenizer.ggml.model"]; // { type: "string", value: "gpt2" }
 * ```
 */
export function ggufTokenizerMetadata(
  tok: Tokenizer,
  vocabSize: number,
  pre = "default",
): Record<string, GgufValue> {
  if (!tok.byteLevel || tok.modelType !== "BPE") {
    throw new UsageError(
      `GGUF export writes byte-level BPE vocabularies only; this tokenizer is ${tok.byteLevel ? "byte-level " : ""}${tok.modelType}`,
    );
  }
  if (tok.vocabSize > vocabSize)
    throw new UsageError(`the tokenizer has ${tok.vocabSize} ids, the model only ${vocabSize}`);
  const tokens = tok.tokens();
  const types: number[] = [];
  for (let i = 0; i < vocabSize; i++) {
    if (i >= tokens.length || tokens[i] === "") {
      tokens[i] = `[PAD${i}]`;
      types.push(TOKEN_TYPE.unused);
    } else
      types.push(
        tok.isSpecial(i)
          ? TOKEN_TYPE.control
          : tok.isAdded(i)
            ? TOKEN_TYPE.userDefined
            : TOKEN_TYPE.normal,
      );
  }
  const meta: Record<string, GgufValue> = {
    "tokenizer.ggml.model": str("gpt2"),
    "tokenizer.ggml.pre": str(pre),
    "tokenizer.ggml.tokens": { type: "array", itemType: "string", value: tokens },
    "tokenizer.ggml.token_type": { type: "array", itemType: "i32", value: types },
    "tokenizer.ggml.merges": { type: "array", itemType: "string", value: tok.merges() },
  };
  if (tok.bosTokenId !== undefined) meta["tokenizer.ggml.bos_token_id"] = u32(tok.bosTokenId);
  if (tok.eosTokenIds[0] !== undefined)
    meta["tokenizer.ggml.eos_token_id"] = u32(tok.eosTokenIds[0]);
  if (tok.padTokenId !== undefined) meta["tokenizer.ggml.padding_token_id"] = u32(tok.padTokenId);
  // llama.cpp adds BOS itself when the key says so: true when the tokenizer's post-processor
  // prepends it (Llama 3 style), false for GPT-2 style vocabularies.
  const bos = tok.bosTokenId;
  const addsBos =
    bos !== undefined &&
    tok.encode("a")[0] === bos &&
    tok.encode("a", { addSpecialTokens: false })[0] !== bos;
  meta["tokenizer.ggml.add_bos_token"] = { type: "bool", value: addsBos };
  if (tok.chatTemplate) meta["tokenizer.chat_template"] = str(tok.chatTemplate);
  return meta;
}

/**
 * The model keys llama.cpp reads for a llama (or qwen2) graph.
 *
 * ```ts
 * ggufModelMetadata(model.config, "q8_0")["llama.block_count"]; // { type: "u32", value: 30 }
 * ```
 */
export function ggufModelMetadata(
  cfg: LlamaConfig,
  type: GgmlWriteType,
  name?: string,
): Record<string, GgufValue> {
  const a = ggufArchitecture(cfg);
  const meta: Record<string, GgufValue> = {
    "general.architecture": str(a),
    ...(name ? { "general.name": str(name) } : {}),
    "general.file_type": u32(GGUF_FILE_TYPE[type]),
    "general.quantization_version": u32(2),
    "general.alignment": u32(GGUF_DEFAULT_ALIGNMENT),
    [`${a}.context_length`]: u32(cfg.maxPositionEmbeddings),
    [`${a}.embedding_length`]: u32(cfg.hiddenSize),
    [`${a}.block_count`]: u32(cfg.numLayers),
    [`${a}.feed_forward_length`]: u32(cfg.intermediateSize),
    [`${a}.attention.head_count`]: u32(cfg.numHeads),
    [`${a}.attention.head_count_kv`]: u32(cfg.numKvHeads),
    [`${a}.rope.freq_base`]: f32(cfg.ropeTheta),
    [`${a}.attention.layer_norm_rms_epsilon`]: f32(cfg.rmsNormEps),
    [`${a}.vocab_size`]: u32(cfg.vocabSize),
    [`${a}.rope.dimension_count`]: u32(cfg.headDim),
  };
  if (cfg.headDim * cfg.numHeads !== cfg.hiddenSize) {
    meta[`${a}.attention.key_length`] = u32(cfg.headDim);
    meta[`${a}.attention.value_length`] = u32(cfg.headDim);
  }
  if (cfg.ropeScaling?.type === "linear") {
    meta[`${a}.rope.scaling.type`] = str("linear");
    meta[`${a}.rope.scaling.factor`] = f32(cfg.ropeScaling.factor);
  }
  const windows = cfg.slidingWindow;
  const sizes = [...new Set(windows.filter((w): w is number => w !== undefined))];
  if (sizes.length > 1)
    throw new UsageError(
      `GGUF export: layers with different sliding windows (${sizes.join(", ")}) cannot be written`,
    );
  if (sizes.length === 1) {
    meta[`${a}.attention.sliding_window`] = u32(sizes[0]!);
    if (windows.includes(undefined))
      meta[`${a}.attention.sliding_window_pattern`] = {
        type: "array",
        itemType: "bool",
        value: windows.map((w) => w !== undefined),
      };
  }
  Object.assign(meta, xllmMetadata(cfg));
  return meta;
}

/**
 * Our own keys (`x_llm.*`, ignored by llama.cpp) for what its llama/qwen2 keys cannot say: the
 * Hugging Face family when it is not the GGUF architecture (Mistral), llama3 RoPE scaling
 * parameters (llama.cpp only stores the per-dimension `rope_freqs` factors) and the config's
 * bos/eos/pad ids. `loadGguf` reads them back.
 */
function xllmMetadata(cfg: LlamaConfig): Record<string, GgufValue> {
  const meta: Record<string, GgufValue> = {};
  if (cfg.architecture !== ggufArchitecture(cfg))
    meta["x_llm.architecture"] = str(cfg.architecture);
  const s = cfg.ropeScaling;
  if (s?.type === "llama3") {
    meta["x_llm.rope_scaling.type"] = str("llama3");
    meta["x_llm.rope_scaling.factor"] = { type: "f64", value: s.factor };
    meta["x_llm.rope_scaling.low_freq_factor"] = { type: "f64", value: s.lowFreqFactor };
    meta["x_llm.rope_scaling.high_freq_factor"] = { type: "f64", value: s.highFreqFactor };
    meta["x_llm.rope_scaling.original_max_position_embeddings"] = u32(
      s.originalMaxPositionEmbeddings,
    );
  }
  if (cfg.bosTokenId !== undefined) meta["x_llm.bos_token_id"] = u32(cfg.bosTokenId);
  if (cfg.eosTokenIds.length > 0)
    meta["x_llm.eos_token_ids"] = { type: "array", itemType: "u32", value: [...cfg.eosTokenIds] };
  if (cfg.padTokenId !== undefined) meta["x_llm.pad_token_id"] = u32(cfg.padTokenId);
  return meta;
}

/** Encodes a weight (dense or quantized) in `type`, with rows reordered when `order` is given. */
function encode(w: Tensor | QTensor, type: GgmlWriteType, order?: Int32Array): Uint8Array {
  if (w instanceof QTensor && w.format === type) {
    const bytes = w.data as Uint8Array;
    return order ? permuteRows(bytes, order) : bytes;
  }
  const dense = w instanceof QTensor ? dequantize(w) : w;
  let values = dense.data() as Float32Array;
  if (order) values = permuteRows(values, order);
  if (type === "f32") return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  if (type === "f16") {
    const h = new Uint16Array(values.length);
    for (let i = 0; i < values.length; i++) h[i] = f32ToF16Bits(values[i]!);
    return new Uint8Array(h.buffer);
  }
  return quantize(Tensor.wrap(values, dense.shape, "f32"), type).data as Uint8Array;
}

/**
 * The tensor list of a model in llama.cpp's names and layout (data encoded lazily).
 *
 * ```ts
 * ggufTensors(model, "q4_0").map((t) => t.name); // ["token_embd.weight", "blk.0.attn_norm.weight", ...]
 * ```
 */
export function ggufTensors(model: LlamaModel, type: GgmlWriteType): GgufTensorSpec[] {
  const cfg = model.config;
  const permute = ggufArchitecture(cfg) === "llama";
  const get = (name: string): Tensor | QTensor => {
    const w = model.params[name] ?? model.quantized[name];
    if (!w) throw new UsageError(`GGUF export: the model has no ${name}`);
    return w;
  };
  const specs: GgufTensorSpec[] = [];
  const add = (gguf: string, hf: string, order?: Int32Array) => {
    const w = get(hf);
    const twoD = w.shape.length === 2;
    let t: GgmlWriteType = twoD ? type : "f32";
    if ((t === "q8_0" || t === "q4_0") && w.shape.at(-1)! % 32 !== 0) t = "f16";
    specs.push({ name: gguf, shape: w.shape, type: ggmlType(t), data: () => encode(w, t, order) });
  };
  add("token_embd.weight", "model.embed_tokens.weight");
  const factors =
    cfg.ropeScaling?.type === "llama3"
      ? Float32Array.from(llama3RopeFactors(cfg.headDim, cfg.ropeTheta, cfg.ropeScaling))
      : undefined;
  if (factors)
    specs.push({
      name: "rope_freqs.weight",
      shape: [factors.length],
      type: ggmlType("f32"),
      data: new Uint8Array(factors.buffer),
    });
  const d = cfg.headDim;
  const qOrder = permute ? qkRowOrder(cfg.numHeads * d, cfg.numHeads) : undefined;
  const kOrder = permute ? qkRowOrder(cfg.numKvHeads * d, cfg.numKvHeads) : undefined;
  const names: [string, string, Int32Array | undefined][] = [
    ["attn_q", "self_attn.q_proj", qOrder],
    ["attn_k", "self_attn.k_proj", kOrder],
    ["attn_v", "self_attn.v_proj", undefined],
    ["attn_output", "self_attn.o_proj", undefined],
    ["ffn_gate", "mlp.gate_proj", undefined],
    ["ffn_up", "mlp.up_proj", undefined],
    ["ffn_down", "mlp.down_proj", undefined],
  ];
  for (let l = 0; l < cfg.numLayers; l++) {
    const p = `model.layers.${l}.`;
    add(`blk.${l}.attn_norm.weight`, `${p}input_layernorm.weight`);
    for (const [g, h, order] of names) {
      add(`blk.${l}.${g}.weight`, `${p}${h}.weight`, order);
      if (model.params[`${p}${h}.bias`]) add(`blk.${l}.${g}.bias`, `${p}${h}.bias`, order);
    }
    add(`blk.${l}.ffn_norm.weight`, `${p}post_attention_layernorm.weight`);
  }
  add("output_norm.weight", "model.norm.weight");
  if (!cfg.tieWordEmbeddings) add("output.weight", "lm_head.weight");
  return specs;
}

/**
 * Writes `model` (and its tokenizer) as a GGUF v3 file that llama.cpp loads, atomically.
 *
 * ```ts
 * exportGguf(model, "smollm2-q8.gguf", { type: "q8_0", tokenizer: loadTokenizer(dir) });
 * ```
 */
export function exportGguf(model: LlamaModel, path: string, opts: GgufExportOptions = {}): void {
  const type = opts.type ?? "f16";
  if (!["f32", "f16", "q8_0", "q4_0"].includes(type))
    throw new UsageError(`GGUF export: type must be f32, f16, q8_0 or q4_0, got ${String(type)}`);
  const meta = ggufModelMetadata(model.config, type, opts.name);
  Object.assign(
    meta,
    opts.tokenizer
      ? ggufTokenizerMetadata(opts.tokenizer, model.config.vocabSize, opts.pre)
      : { "tokenizer.ggml.model": str("no_vocab") },
    opts.metadata ?? {},
  );
  writeGguf(path, meta, ggufTensors(model, type), opts.onTensor);
}
