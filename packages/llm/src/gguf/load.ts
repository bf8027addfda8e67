// GGUF file -> LlamaModel: llama.cpp metadata to a validated LlamaConfig, tensors back to
// Hugging Face names and layout (Q/K rows un-permuted), q8_0/q4_0 blocks kept as they are.
import { dequantize, QTensor, quantize, type RopeScaling, Tensor } from "@x/tensor";
import { type LlamaConfig, parseConfig } from "../config.js";
import { ConfigError, UsageError, WeightsError } from "../errors.js";
import { type ModelDevice, moveModel, pickDevice } from "../model/device.js";
import { LlamaModel, type WeightQuantization } from "../model/llama.js";
import { parameterShapes } from "../model/parameters.js";
import { decodeGgufTensor } from "./decode.js";
import { invertOrder, permuteRows, qkRowOrder } from "./permute.js";
import { type GgufFile, type GgufTensorInfo, readGguf, readGgufTensor } from "./read.js";
import { llama3RopeFactors } from "./rope-factors.js";
import type { GgufValue } from "./types.js";

/** Options of {@link loadGguf}. */
export interface GgufLoadOptions {
  /** Compute dtype; only "f32" (f16/bf16 tensors are upcast). */
  dtype?: "f32";
  /**
   * Format of the layer projections: dense (f32/f16/bf16) ones are quantized while loading, and
   * q8_0/q4_0 ones in the other format are dequantized and requantized. Default: q8_0/q4_0
   * tensors stay as stored (byte for byte), dense ones stay f32.
   */
  quantize?: WeightQuantization;
  /** Also quantize a dense LM head (needs `quantize`). Default false. */
  quantizeHead?: boolean;
  /**
   * Dequantize every q8_0/q4_0 tensor to f32 (a fully dense model, e.g. for training). Default
   * false.
   */
  dequantize?: boolean;
  /** "cpu" (default), "cuda" or "auto", as for `loadModel`. */
  device?: ModelDevice;
}

/** GGUF architectures this loader reads (llama.cpp's "llama" covers Llama 2/3, Mistral, SmolLM). */
export const GGUF_ARCHITECTURES = ["llama", "qwen2"] as const;

/** ggml types whose tensors can be loaded. */
const LOADABLE = new Set(["f32", "f16", "bf16", "q8_0", "q4_0"]);

const GGUF = "GGUF";

/** The shortest decimal that rounds to the same f32 (1e-5 stored as f32 reads back as 1e-5). */
function snapF32(v: number): number {
  for (let p = 1; p <= 9; p++) {
    const c = Number(v.toPrecision(p));
    if (Math.fround(c) === v) return c;
  }
  return v;
}

const INT_TYPES = new Set(["u8", "i8", "u16", "i16", "u32", "i32", "u64", "i64"]);

/** Typed access to GGUF metadata; every problem is a ConfigError naming the key. */
class Meta {
  constructor(private readonly g: GgufFile) {}
  has(key: string): boolean {
    return this.g.metadata.has(key);
  }
  private req(key: string): GgufValue {
    const v = this.g.metadata.get(key);
    if (!v) throw new ConfigError(key, "is missing", GGUF);
    return v;
  }
  int(key: string, opts: { optional?: boolean; min?: number } = {}): number | undefined {
    if (opts.optional && !this.has(key)) return undefined;
    const v = this.req(key);
    let n: number;
    if (v.type === "array" && v.itemType !== "array" && INT_TYPES.has(v.itemType)) {
      // Per-layer arrays (head_count_kv, feed_forward_length) are fine when every layer agrees.
      const vals = (v.value as (number | bigint)[]).map(Number);
      if (vals.length === 0 || vals.some((x) => x !== vals[0]))
        throw new ConfigError(
          key,
          `per-layer values [${vals.join(", ")}] differ; only uniform layers are supported`,
          GGUF,
        );
      n = vals[0]!;
    } else if (v.type !== "array" && INT_TYPES.has(v.type)) n = Number(v.value);
    else throw new ConfigError(key, `must be an integer, got ${v.type}`, GGUF);
    const min = opts.min ?? 1;
    if (!Number.isSafeInteger(n) || n < min)
      throw new ConfigError(key, `must be an integer >= ${min}, got ${n}`, GGUF);
    return n;
  }
  float(key: string, fallback?: number): number {
    if (!this.has(key) && fallback !== undefined) return fallback;
    const v = this.req(key);
    let n: number;
    if (v.type === "f32") n = snapF32(Number(v.value));
    else if (v.type === "f64" || (v.type !== "array" && INT_TYPES.has(v.type))) n = Number(v.value);
    else throw new ConfigError(key, `must be a number, got ${v.type}`, GGUF);
    if (!(n > 0) || !Number.isFinite(n))
      throw new ConfigError(key, `must be a positive number, got ${n}`, GGUF);
    return n;
  }
  str(key: string, optional = false): string | undefined {
    if (optional && !this.has(key)) return undefined;
    const v = this.req(key);
    if (v.type !== "string") throw new ConfigError(key, `must be a string, got ${v.type}`, GGUF);
    return v.value as string;
  }
  ids(key: string): number[] {
    const v = this.g.metadata.get(key);
    if (!v) return [];
    const list = v.type === "array" ? (v.value as unknown[]) : [v.value];
    const out = list.map((x) => (typeof x === "bigint" ? Number(x) : x));
    if (!out.every((x) => typeof x === "number" && Number.isInteger(x) && x >= 0))
      throw new ConfigError(key, "must be token ids", GGUF);
    return out as number[];
  }
  bools(key: string): boolean[] | undefined {
    const v = this.g.metadata.get(key);
    if (!v) return undefined;
    if (v.type !== "array" || v.itemType !== "bool")
      throw new ConfigError(key, `must be an array of bools, got ${v.type}`, GGUF);
    return v.value as boolean[];
  }
}

const TWO_PI = 2 * Math.PI;

/** Rounds to a multiple of 1/64 when within 1e-6 relative (f32 noise of a fitted parameter). */
function snapNice(v: number): number {
  const r = Math.round(v * 64) / 64;
  return Math.abs(r - v) <= 1e-6 * Math.abs(v) ? r : v;
}

/**
 * Recovers llama3 RoPE scaling from llama.cpp's per-dimension divisors (`rope_freqs.weight`).
 * Only the factors matter to RoPE, so any parameters that reproduce them are exact; with lowFreq
 * fixed at 1 the in-between band fixes the others. Throws when the factors do not follow the
 * llama3 rule.
 */
export function llama3FromRopeFactors(
  factors: ArrayLike<number>,
  headDim: number,
  theta: number,
): RopeScaling | undefined {
  const half = headDim / 2;
  const bad = (why: string) =>
    new ConfigError("rope_freqs.weight", `${why}; only llama3-style RoPE factors load`, GGUF);
  if (factors.length !== half)
    throw bad(`has ${factors.length} values, the head dimension implies ${half}`);
  const f = Array.from(factors);
  const factor = Math.max(...f);
  if (f.every((x) => Math.abs(x - 1) <= 1e-6)) return undefined;
  const wl = f.map((_, i) => TWO_PI * theta ** ((2 * i) / headDim));
  const isOne = (x: number) => Math.abs(x - 1) <= 1e-6;
  const isMax = (x: number) => Math.abs(x - factor) <= 1e-6 * factor;
  // smooth = (factor / f - 1) / (factor - 1) = orig / wavelen - lo, with lo = 1, hi - lo = 1/b.
  const band = f.map((_, i) => i).filter((i) => !isOne(f[i]!) && !isMax(f[i]!));
  const firstMax = f.findIndex(isMax);
  const lastOne = f.findLastIndex(isOne);
  let orig: number;
  let hi: number;
  const smooth = (i: number) => (factor / f[i]! - 1) / (factor - 1);
  if (band.length >= 2) {
    // Least squares of smooth = a·x − b over the band (x = 1/wavelen): a = orig/(hi−1), b = 1/(hi−1).
    const xs = band.map((i) => 1 / wl[i]!);
    const ys = band.map(smooth);
    const n = xs.length;
    const mx = xs.reduce((s, x) => s + x, 0) / n;
    const my = ys.reduce((s, y) => s + y, 0) / n;
    let sxy = 0;
    let sxx = 0;
    for (let i = 0; i < n; i++) {
      sxy += (xs[i]! - mx) * (ys[i]! - my);
      sxx += (xs[i]! - mx) ** 2;
    }
    const a = sxy / sxx;
    const b = a * mx - my;
    if (!(a > 0) || !(b > 0)) throw bad("the factors between 1 and the maximum are not monotone");
    orig = Math.round(a / b);
    hi = snapNice(1 + 1 / b);
  } else {
    // At most one dimension in between: pick an integer original context inside the band edges.
    const lower = band.length === 1 ? wl[band[0]!]! : lastOne >= 0 ? wl[lastOne]! : 0;
    const upper = firstMax >= 0 ? wl[firstMax]! : Number.POSITIVE_INFINITY;
    orig = Math.floor(upper) < upper ? Math.floor(upper) : upper - 1;
    if (!Number.isFinite(orig) || !(orig > lower)) throw bad("the band edges are too close");
    if (band.length === 1) {
      const s = smooth(band[0]!);
      hi = 1 + (orig / wl[band[0]!]! - 1) / s;
    } else hi = (1 + orig / Math.max(lower, 1e-9)) / 2;
  }
  const scaling: RopeScaling = {
    type: "llama3",
    factor: snapF32(Math.fround(factor)),
    lowFreqFactor: 1,
    highFreqFactor: hi,
    originalMaxPositionEmbeddings: orig,
  };
  const back = llama3RopeFactors(headDim, theta, scaling);
  for (let i = 0; i < half; i++) {
    if (!(Math.abs(back[i]! - f[i]!) <= 1e-5 * f[i]!))
      throw bad(`value ${i} (${f[i]}) does not follow the llama3 rule (${back[i]})`);
  }
  return scaling;
}

/** The Hugging Face parameter name -> GGUF tensor name, for every parameter of `cfg`. */
export function ggufTensorNames(cfg: LlamaConfig): Map<string, string> {
  const gg: Record<string, string> = {
    "self_attn.q_proj": "attn_q",
    "self_attn.k_proj": "attn_k",
    "self_attn.v_proj": "attn_v",
    "self_attn.o_proj": "attn_output",
    "mlp.gate_proj": "ffn_gate",
    "mlp.up_proj": "ffn_up",
    "mlp.down_proj": "ffn_down",
    input_layernorm: "attn_norm",
    post_attention_layernorm: "ffn_norm",
  };
  const out = new Map<string, string>();
  for (const hf of Object.keys(parameterShapes(cfg))) {
    let g: string | undefined;
    if (hf === "model.embed_tokens.weight") g = "token_embd.weight";
    else if (hf === "model.norm.weight") g = "output_norm.weight";
    else if (hf === "lm_head.weight") g = "output.weight";
    else {
      const m = /^model\.layers\.(\d+)\.(.+)\.(weight|bias)$/.exec(hf);
      if (m && gg[m[2]!]) g = `blk.${m[1]}.${gg[m[2]!]}.${m[3]}`;
    }
    if (!g) throw new WeightsError(hf, "has no GGUF name");
    out.set(hf, g);
  }
  return out;
}

/** Hugging Face config keys -> the GGUF key they come from (to name it in errors). */
function keyMap(a: string): Record<string, string> {
  return {
    vocab_size: `${a}.vocab_size`,
    hidden_size: `${a}.embedding_length`,
    intermediate_size: `${a}.feed_forward_length`,
    num_hidden_layers: `${a}.block_count`,
    num_attention_heads: `${a}.attention.head_count`,
    num_key_value_heads: `${a}.attention.head_count_kv`,
    head_dim: `${a}.attention.key_length`,
    rms_norm_eps: `${a}.attention.layer_norm_rms_epsilon`,
    rope_theta: `${a}.rope.freq_base`,
    max_position_embeddings: `${a}.context_length`,
    sliding_window: `${a}.attention.sliding_window`,
    layer_types: `${a}.attention.sliding_window_pattern`,
    max_window_layers: `${a}.attention.sliding_window_pattern`,
  };
}

function tensorRows(g: GgufFile, name: string): number | undefined {
  return g.tensors.find((t) => t.name === name)?.shape[0];
}

/**
 * The LlamaConfig of a parsed GGUF header (llama.cpp's `llama.*` / `qwen2.*` keys plus our
 * `x_llm.*` extension keys). `raw` is the equivalent Hugging Face config.json, so `saveModel`
 * writes a folder transformers loads. `ropeFactors` are the values of `rope_freqs.weight`, when
 * the file has that tensor and no `x_llm.rope_scaling.*` keys (see {@link loadGguf}).
 *
 * ```ts
 * const cfg = ggufConfig(readGguf("smollm2-q8_0.gguf"));
 * cfg.numLayers; // 30
 * ```
 */
export function ggufConfig(g: GgufFile, ropeFactors?: ArrayLike<number>): LlamaConfig {
  const m = new Meta(g);
  const arch = m.str("general.architecture")!;
  if (!(GGUF_ARCHITECTURES as readonly string[]).includes(arch)) {
    throw new ConfigError(
      "general.architecture",
      `${JSON.stringify(arch)} is not supported (want ${GGUF_ARCHITECTURES.join(" or ")}: Llama 2/3, Mistral, SmolLM, Qwen2)`,
      GGUF,
    );
  }
  const k = (s: string) => `${arch}.${s}`;
  const hidden = m.int(k("embedding_length"))!;
  const layers = m.int(k("block_count"))!;
  const heads = m.int(k("attention.head_count"))!;
  const kvHeads = m.int(k("attention.head_count_kv"), { optional: true }) ?? heads;
  const keyLen = m.int(k("attention.key_length"), { optional: true });
  const valueLen = m.int(k("attention.value_length"), { optional: true });
  if (keyLen !== undefined && valueLen !== undefined && keyLen !== valueLen)
    throw new ConfigError(
      k("attention.value_length"),
      `${valueLen} differs from key_length ${keyLen}; only equal k/v head sizes are supported`,
      GGUF,
    );
  const headDim = keyLen ?? (hidden % heads === 0 ? hidden / heads : undefined);
  if (headDim === undefined)
    throw new ConfigError(
      k("attention.key_length"),
      `is missing and embedding_length ${hidden} is not a multiple of head_count ${heads}`,
      GGUF,
    );
  const ropeDim = m.int(k("rope.dimension_count"), { optional: true });
  if (ropeDim !== undefined && ropeDim !== headDim)
    throw new ConfigError(
      k("rope.dimension_count"),
      `${ropeDim} differs from the head size ${headDim}; partial rotary embeddings are not supported`,
      GGUF,
    );
  const vocab =
    m.int(k("vocab_size"), { optional: true }) ??
    tensorRows(g, "token_embd.weight") ??
    (g.metadata.get("tokenizer.ggml.tokens")?.value as unknown[] | undefined)?.length;
  if (vocab === undefined)
    throw new ConfigError(k("vocab_size"), "is missing (and there is no token_embd.weight)", GGUF);
  const theta = m.float(k("rope.freq_base"), 10000);
  const has = (t: string) => g.tensors.some((x) => x.name === t);

  // RoPE scaling: linear from llama.cpp's keys, llama3 from ours or from rope_freqs.
  let ropeScaling: Record<string, unknown> | null = null;
  const xType = m.str("x_llm.rope_scaling.type", true);
  const type = m.str(k("rope.scaling.type"), true);
  if (xType !== undefined) {
    if (xType !== "llama3")
      throw new ConfigError("x_llm.rope_scaling.type", `${xType} is not supported`, GGUF);
    ropeScaling = {
      rope_type: "llama3",
      factor: m.float("x_llm.rope_scaling.factor"),
      low_freq_factor: m.float("x_llm.rope_scaling.low_freq_factor"),
      high_freq_factor: m.float("x_llm.rope_scaling.high_freq_factor"),
      original_max_position_embeddings: m.int(
        "x_llm.rope_scaling.original_max_position_embeddings",
      ),
    };
  } else if (type === "linear" || (type === undefined && m.has(k("rope.scaling.factor")))) {
    const factor = m.float(k("rope.scaling.factor"), 1);
    if (factor !== 1) ropeScaling = { rope_type: "linear", factor };
  } else if (type !== undefined && type !== "none") {
    throw new ConfigError(
      k("rope.scaling.type"),
      `${JSON.stringify(type)} is not supported (none, linear, or llama3 through rope_freqs.weight)`,
      GGUF,
    );
  }
  if (ropeScaling === null && ropeFactors) {
    const s = llama3FromRopeFactors(ropeFactors, headDim, theta);
    if (s?.type === "llama3")
      ropeScaling = {
        rope_type: "llama3",
        factor: s.factor,
        low_freq_factor: s.lowFreqFactor,
        high_freq_factor: s.highFreqFactor,
        original_max_position_embeddings: s.originalMaxPositionEmbeddings,
      };
  }

  // Family and sliding windows.
  const window = m.int(k("attention.sliding_window"), { optional: true });
  const pattern = m.bools(k("attention.sliding_window_pattern"));
  if (pattern && pattern.length !== layers)
    throw new ConfigError(
      k("attention.sliding_window_pattern"),
      `has ${pattern.length} entries for ${layers} layers`,
      GGUF,
    );
  const sliding = pattern ?? new Array<boolean>(layers).fill(true);
  const family =
    m.str("x_llm.architecture", true) ??
    (arch === "qwen2" ? "qwen2" : window ? "mistral" : "llama");
  const families: Record<string, string> = {
    llama: "LlamaForCausalLM",
    mistral: "MistralForCausalLM",
    qwen2: "Qwen2ForCausalLM",
  };
  if (!families[family] || (arch === "qwen2") !== (family === "qwen2"))
    throw new ConfigError(
      "x_llm.architecture",
      `${JSON.stringify(family)} does not fit general.architecture ${arch}`,
      GGUF,
    );
  const json: Record<string, unknown> = {
    architectures: [families[family]],
    model_type: family,
    vocab_size: vocab,
    hidden_size: hidden,
    intermediate_size: m.int(k("feed_forward_length")),
    num_hidden_layers: layers,
    num_attention_heads: heads,
    num_key_value_heads: kvHeads,
    head_dim: headDim,
    hidden_act: "silu",
    rms_norm_eps: m.float(k("attention.layer_norm_rms_epsilon")),
    rope_theta: theta,
    rope_scaling: ropeScaling,
    max_position_embeddings: m.int(k("context_length"), { optional: true }) ?? 2048,
    tie_word_embeddings: !has("output.weight"),
    attention_bias: family !== "qwen2" && has("blk.0.attn_q.bias"),
    mlp_bias: has("blk.0.ffn_gate.bias"),
  };
  if (window !== undefined) {
    const first = sliding.indexOf(true);
    const contiguous = first >= 0 && sliding.every((s, l) => s === l >= first);
    if (family === "mistral" && sliding.every(Boolean)) json.sliding_window = window;
    else if (family === "qwen2" && contiguous) {
      json.use_sliding_window = true;
      json.sliding_window = window;
      json.max_window_layers = first;
    } else if (sliding.some(Boolean)) {
      json.sliding_window = window;
      json.layer_types = sliding.map((s) => (s ? "sliding_attention" : "full_attention"));
    }
  }
  const bos = m.has("x_llm.bos_token_id")
    ? m.ids("x_llm.bos_token_id")
    : m.ids("tokenizer.ggml.bos_token_id");
  const eos = m.has("x_llm.eos_token_ids")
    ? m.ids("x_llm.eos_token_ids")
    : m.ids("tokenizer.ggml.eos_token_id");
  const pad = m.has("x_llm.pad_token_id")
    ? m.ids("x_llm.pad_token_id")
    : m.ids("tokenizer.ggml.padding_token_id");
  if (bos.length) json.bos_token_id = bos[0];
  if (eos.length) json.eos_token_id = eos.length === 1 ? eos[0] : eos;
  if (pad.length) json.pad_token_id = pad[0];
  const fileType = m.int("general.file_type", { optional: true, min: 0 });
  json.torch_dtype = fileType === 1 ? "float16" : fileType === 32 ? "bfloat16" : "float32";
  try {
    return parseConfig(json);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const key = keyMap(arch)[err.field] ?? err.field;
    const why = err.message.replace(/^config\.json "[^"]*": /, "");
    throw new ConfigError(key, why, GGUF);
  }
}

function configOf(path: string, g: GgufFile): LlamaConfig {
  const freqs = g.tensors.find((t) => t.name === "rope_freqs.weight");
  const ropeFactors =
    freqs && !g.metadata.has("x_llm.rope_scaling.type")
      ? decodeGgufTensor(freqs, readGgufTensor(path, freqs))
      : undefined;
  return ggufConfig(g, ropeFactors);
}

/**
 * The LlamaConfig of a GGUF file (its header, plus `rope_freqs.weight` when llama3 scaling must
 * be recovered from it).
 *
 * ```ts
 * readGgufConfig("smollm2-q8_0.gguf").numKvHeads; // 3
 * ```
 */
export function readGgufConfig(path: string): LlamaConfig {
  return configOf(path, readGguf(path));
}

/** True for the weights kept as QTensors: layer projections and the LM head. */
function isProjection(hf: string): boolean {
  return hf === "lm_head.weight" || (hf.startsWith("model.layers.") && hf.endsWith("_proj.weight"));
}

function checkOptions(opts: GgufLoadOptions): void {
  if (opts.dtype !== undefined && opts.dtype !== "f32")
    throw new UsageError(`loadGguf: dtype ${String(opts.dtype)} is not supported yet (only "f32")`);
  if (opts.quantize !== undefined && opts.quantize !== "q8_0" && opts.quantize !== "q4_0")
    throw new UsageError(
      `loadGguf: quantize must be "q8_0" or "q4_0", got ${String(opts.quantize)}`,
    );
  if (opts.quantizeHead && opts.quantize === undefined)
    throw new UsageError("loadGguf: quantizeHead needs quantize");
  if (opts.dequantize && opts.quantize !== undefined)
    throw new UsageError("loadGguf: dequantize and quantize exclude each other");
}

/** f32 values of a dense tensor's bytes. */
function denseValues(info: GgufTensorInfo, bytes: Uint8Array): Float32Array {
  if (info.type.name === "f32" && LITTLE_ENDIAN && bytes.byteOffset % 4 === 0)
    return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  return decodeGgufTensor(info, bytes);
}
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Loads a llama.cpp GGUF file (architecture `llama` or `qwen2`; tensors f32, f16, bf16, q8_0 or
 * q4_0) as a {@link LlamaModel}. Metadata becomes a LlamaConfig; tensor names map back to
 * Hugging Face's and llama-architecture Q/K rows are un-permuted to the rotate-half layout.
 * q8_0/q4_0 projections stay QTensors with the file's blocks (byte for byte, no requantization);
 * a quantized `token_embd` is dequantized for the lookup and, when the head is tied, also kept
 * as the quantized LM head (as llama.cpp runs it). f16/bf16 tensors are upcast to f32.
 *
 * Errors: a malformed or truncated file is a `FormatError` (with the byte offset); an
 * unsupported architecture or a bad key a {@link ConfigError} naming the key; a missing,
 * mis-shaped, unexpected or unsupported-type tensor a {@link WeightsError} naming it.
 *
 * ```ts
 * const model = await loadGguf("smollm2-135m-q8_0.gguf");
 * const dense = await loadGguf("smollm2-135m-q8_0.gguf", { dequantize: true }); // all f32
 * ```
 */
export async function loadGguf(path: string, opts: GgufLoadOptions = {}): Promise<LlamaModel> {
  checkOptions(opts);
  const device = pickDevice(opts.device);
  const g = readGguf(path);
  const byName = new Map(g.tensors.map((t) => [t.name, t]));
  const freqs = byName.get("rope_freqs.weight");
  const config = configOf(path, g);
  const arch = String(g.metadata.get("general.architecture")!.value);
  const names = ggufTensorNames(config);
  const shapes = parameterShapes(config);
  const d = config.headDim;
  const orders: Record<string, Int32Array> =
    arch === "llama"
      ? {
          "self_attn.q_proj": invertOrder(qkRowOrder(config.numHeads * d, config.numHeads)),
          "self_attn.k_proj": invertOrder(qkRowOrder(config.numKvHeads * d, config.numKvHeads)),
        }
      : {};
  const weights: Record<string, Tensor | QTensor> = {};
  const used = new Set<string>(freqs ? [freqs.name] : []);
  for (const [hf, gname] of names) {
    const info = byName.get(gname);
    if (!info) throw new WeightsError(hf, `GGUF tensor ${gname} is missing from ${path}`);
    used.add(gname);
    const shape = shapes[hf]!;
    if (info.shape.length !== shape.length || info.shape.some((x, i) => x !== shape[i]))
      throw new WeightsError(
        hf,
        `GGUF tensor ${gname} has shape [${info.shape.join(", ")}], the metadata implies [${shape.join(", ")}]`,
      );
    const type = info.type.name;
    if (!LOADABLE.has(type))
      throw new WeightsError(
        hf,
        `GGUF tensor ${gname} is ggml type ${type}; loadable types are f32, f16, bf16, q8_0 and q4_0 (llama.cpp's llama-quantize --pure writes every tensor as Q8_0 or Q4_0; add --allow-requantize for an already quantized file)`,
      );
    const module = /^model\.layers\.\d+\.(self_attn\.[qk]_proj)\./.exec(hf)?.[1];
    const order = module ? orders[module] : undefined;
    let bytes = readGgufTensor(path, info);
    if (type === "q8_0" || type === "q4_0") {
      if (order) bytes = permuteRows(bytes, order);
      const q = new QTensor({ format: type, shape, data: bytes });
      if (hf === "model.embed_tokens.weight") {
        const dense = dequantize(q);
        weights[hf] = dense;
        if (config.tieWordEmbeddings && !opts.dequantize)
          weights["lm_head.weight"] =
            opts.quantize && opts.quantize !== type ? quantize(dense, opts.quantize) : q;
      } else if (!isProjection(hf) || opts.dequantize) weights[hf] = dequantize(q);
      else if (opts.quantize && opts.quantize !== type)
        weights[hf] = quantize(dequantize(q), opts.quantize);
      else weights[hf] = q;
    } else {
      let values = denseValues(info, bytes);
      if (order) values = permuteRows(values, order);
      const t = Tensor.wrap(values, shape, "f32");
      const quantizeIt = opts.quantize !== undefined && isProjection(hf) && hf !== "lm_head.weight";
      weights[hf] = quantizeIt ? quantize(t, opts.quantize!) : t;
    }
  }
  for (const t of g.tensors) {
    if (!used.has(t.name))
      throw new WeightsError(
        t.name,
        `GGUF tensor ${t.name} is not part of a ${arch} model with this metadata (${path})`,
      );
  }
  let model = new LlamaModel(config, weights);
  if (opts.quantizeHead) model = model.quantize(opts.quantize!, { head: true });
  if (device !== "cpu") model = moveModel(model, device);
  return model;
}
