// GGUF metadata -> LlamaConfig: llama.cpp's `llama.*` / `qwen2.*` keys and our `x_llm.*` ones
// become the equivalent Hugging Face config.json, validated by parseConfig.
import { type LlamaConfig, parseConfig } from "../config.js";
import { ConfigError } from "../errors.js";
import { decodeGgufTensor } from "./decode.js";
import { GGUF, GgufMeta } from "./metadata.js";
import { type GgufFile, readGguf, readGgufTensor } from "./read.js";
import { llama3FromRopeFactors } from "./rope-fit.js";

/** GGUF architectures this loader reads (llama.cpp's "llama" covers Llama 2/3, Mistral, SmolLM). */
export const GGUF_ARCHITECTURES = ["llama", "qwen2"] as const;

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
  const m = new GgufMeta(g);
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

/** The LlamaConfig of parsed file `g` at `path` (reading `rope_freqs.weight` when needed). */
export function ggufFileConfig(path: string, g: GgufFile): LlamaConfig {
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
  return ggufFileConfig(path, readGguf(path));
}
