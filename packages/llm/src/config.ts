// Hugging Face config.json -> a validated, camelCase LlamaConfig (and back, for saving).
import type { RopeScaling } from "@x/tensor";
import { ConfigError } from "./errors.js";

/** Model families whose decoder is the Llama block (SmolLM/SmolLM2 are `llama`). */
export type Architecture = "llama" | "mistral" | "qwen2";

const ARCHITECTURES: Record<string, Architecture> = {
  LlamaForCausalLM: "llama",
  MistralForCausalLM: "mistral",
  Qwen2ForCausalLM: "qwen2",
};
const MODEL_TYPES: Record<string, Architecture> = {
  llama: "llama",
  mistral: "mistral",
  qwen2: "qwen2",
};

/**
 * Everything the runtime needs from `config.json`, validated. `raw` keeps the original JSON so
 * that saving writes back every field transformers wrote (unknown keys included).
 */
export interface LlamaConfig {
  architecture: Architecture;
  vocabSize: number;
  hiddenSize: number;
  intermediateSize: number;
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  rmsNormEps: number;
  ropeTheta: number;
  ropeScaling: RopeScaling | undefined;
  maxPositionEmbeddings: number;
  tieWordEmbeddings: boolean;
  /** q/k/v projections have a bias (Qwen2 always; Llama when `attention_bias`). */
  qkvBias: boolean;
  /** o_proj has a bias (Llama `attention_bias` only; never Qwen2). */
  oBias: boolean;
  /** gate/up/down projections have a bias (`mlp_bias`). */
  mlpBias: boolean;
  /**
   * Sliding attention window per layer (undefined = full attention): Mistral's `sliding_window`
   * on every layer; Qwen2's on layers >= `max_window_layers` when `use_sliding_window`.
   */
  slidingWindow: ReadonlyArray<number | undefined>;
  bosTokenId: number | undefined;
  /** End-of-sequence ids (`eos_token_id` may be a list). */
  eosTokenIds: readonly number[];
  padTokenId: number | undefined;
  raw: Readonly<Record<string, unknown>>;
}

type Json = Record<string, unknown>;

function int(json: Json, key: string, opts: { min?: number; optional?: boolean } = {}): number {
  const v = json[key];
  if (v === undefined || v === null) {
    if (opts.optional) return Number.NaN;
    throw new ConfigError(key, "is missing");
  }
  if (typeof v !== "number" || !Number.isInteger(v) || v < (opts.min ?? 1)) {
    throw new ConfigError(key, `must be an integer >= ${opts.min ?? 1}, got ${JSON.stringify(v)}`);
  }
  return v;
}

function num(json: Json, key: string, fallback: number): number {
  const v = json[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== "number" || !(v > 0) || !Number.isFinite(v)) {
    throw new ConfigError(key, `must be a positive number, got ${JSON.stringify(v)}`);
  }
  return v;
}

function bool(json: Json, key: string, fallback: boolean): boolean {
  const v = json[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== "boolean")
    throw new ConfigError(key, `must be true or false, got ${JSON.stringify(v)}`);
  return v;
}

function tokenIds(json: Json, key: string): number[] {
  const v = json[key];
  if (v === undefined || v === null) return [];
  const list = Array.isArray(v) ? v : [v];
  for (const id of list) {
    if (typeof id !== "number" || !Number.isInteger(id) || id < 0) {
      throw new ConfigError(key, `must be a token id or a list of them, got ${JSON.stringify(v)}`);
    }
  }
  return list as number[];
}

function architectureOf(json: Json): Architecture {
  const archs = json.architectures;
  if (Array.isArray(archs) && archs.length > 0) {
    const a = ARCHITECTURES[String(archs[0])];
    if (!a) {
      throw new ConfigError(
        "architectures",
        `${JSON.stringify(archs[0])} is not supported (want one of ${Object.keys(ARCHITECTURES).join(", ")})`,
      );
    }
    return a;
  }
  const t = MODEL_TYPES[String(json.model_type)];
  if (!t) {
    throw new ConfigError(
      "model_type",
      `${JSON.stringify(json.model_type)} is not supported (want llama, mistral or qwen2)`,
    );
  }
  return t;
}

/** RoPE base and scaling: transformers 5 writes `rope_parameters`, 4.x `rope_theta` + `rope_scaling`. */
function ropeOf(json: Json): { theta: number; scaling: RopeScaling | undefined } {
  const v5 = json.rope_parameters !== undefined && json.rope_parameters !== null;
  const key = v5 ? "rope_parameters" : "rope_scaling";
  const rs = json[key];
  if (rs !== undefined && rs !== null && (typeof rs !== "object" || Array.isArray(rs))) {
    throw new ConfigError(key, `must be null or an object, got ${JSON.stringify(rs)}`);
  }
  const r = (rs ?? {}) as Json;
  const theta =
    v5 && r.rope_theta !== undefined ? num(r, "rope_theta", 10000) : num(json, "rope_theta", 10000);
  if (rs === undefined || rs === null) return { theta, scaling: undefined };
  return { theta, scaling: scalingOf(r, key) };
}

function scalingOf(r: Json, key: string): RopeScaling | undefined {
  const kind = r.rope_type ?? r.type;
  const field = r.rope_type !== undefined ? `${key}.rope_type` : `${key}.type`;
  if (kind === "default" || kind === undefined) return undefined;
  if (kind !== "linear" && kind !== "llama3") {
    throw new ConfigError(
      field,
      `${JSON.stringify(kind)} is not supported (want "llama3", "linear" or "default")`,
    );
  }
  const need = (name: string) => {
    const v = r[name];
    if (typeof v !== "number" || !(v > 0))
      throw new ConfigError(
        `${key}.${name}`,
        `must be a positive number, got ${JSON.stringify(v)}`,
      );
    return v;
  };
  const factor = need("factor");
  if (kind === "linear") return { type: "linear", factor };
  const lo = need("low_freq_factor");
  const hi = need("high_freq_factor");
  const orig = need("original_max_position_embeddings");
  if (!(hi > lo))
    throw new ConfigError(
      `${key}.high_freq_factor`,
      `must exceed low_freq_factor (${lo}), got ${hi}`,
    );
  if (!Number.isInteger(orig))
    throw new ConfigError(
      `${key}.original_max_position_embeddings`,
      `must be an integer, got ${orig}`,
    );
  return {
    type: "llama3",
    factor,
    lowFreqFactor: lo,
    highFreqFactor: hi,
    originalMaxPositionEmbeddings: orig,
  };
}

function slidingWindowsOf(json: Json, arch: Architecture, layers: number): (number | undefined)[] {
  const none = new Array<number | undefined>(layers).fill(undefined);
  const types = json.layer_types;
  if (Array.isArray(types)) {
    // transformers 5 states the attention kind of every layer explicitly.
    if (types.length !== layers)
      throw new ConfigError("layer_types", `has ${types.length} entries for ${layers} layers`);
    return types.map((t, l) => {
      if (t === "full_attention") return undefined;
      if (t !== "sliding_attention")
        throw new ConfigError(
          `layer_types.${l}`,
          `${JSON.stringify(t)} is not supported (want "full_attention" or "sliding_attention")`,
        );
      return int(json, "sliding_window");
    });
  }
  if (arch === "llama") return none;
  const w = json.sliding_window;
  if (arch === "qwen2" && !bool(json, "use_sliding_window", false)) return none;
  if (w === undefined || w === null) return none;
  const window = int(json, "sliding_window");
  if (arch === "mistral") return none.map(() => window);
  const from = json.max_window_layers == null ? 0 : int(json, "max_window_layers", { min: 0 });
  return none.map((_, l) => (l >= from ? window : undefined));
}

/**
 * Validates a Hugging Face `config.json` object of a LlamaForCausalLM, MistralForCausalLM or
 * Qwen2ForCausalLM. Unsupported values raise a {@link ConfigError} naming the field.
 *
 * ```ts
 * const cfg = parseConfig(JSON.parse(fs.readFileSync("SmolLM2-135M/config.json", "utf8")));
 * cfg.numKvHeads; // 3
 * ```
 */
export function parseConfig(json: unknown): LlamaConfig {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new ConfigError("(root)", "must be a JSON object");
  }
  const j = json as Json;
  const architecture = architectureOf(j);
  const act = j.hidden_act ?? "silu";
  if (act !== "silu")
    throw new ConfigError("hidden_act", `${JSON.stringify(act)} is not supported (only "silu")`);
  if (j.pretraining_tp != null && j.pretraining_tp !== 1) {
    throw new ConfigError("pretraining_tp", `must be 1, got ${JSON.stringify(j.pretraining_tp)}`);
  }
  const hiddenSize = int(j, "hidden_size");
  const numHeads = int(j, "num_attention_heads");
  const kv = int(j, "num_key_value_heads", { optional: true });
  const numKvHeads = Number.isNaN(kv) ? numHeads : kv;
  if (numHeads % numKvHeads !== 0) {
    throw new ConfigError(
      "num_key_value_heads",
      `${numKvHeads} does not divide num_attention_heads ${numHeads}`,
    );
  }
  const hd = int(j, "head_dim", { optional: true });
  if (Number.isNaN(hd) && hiddenSize % numHeads !== 0) {
    throw new ConfigError(
      "head_dim",
      `is missing and hidden_size ${hiddenSize} is not a multiple of num_attention_heads ${numHeads}`,
    );
  }
  const headDim = Number.isNaN(hd) ? hiddenSize / numHeads : hd;
  if (headDim % 2 !== 0)
    throw new ConfigError("head_dim", `must be even for rotary embeddings, got ${headDim}`);
  const numLayers = int(j, "num_hidden_layers");
  const attentionBias = bool(j, "attention_bias", false);
  const qwen = architecture === "qwen2";
  const rope = ropeOf(j);
  return {
    architecture,
    vocabSize: int(j, "vocab_size"),
    hiddenSize,
    intermediateSize: int(j, "intermediate_size"),
    numLayers,
    numHeads,
    numKvHeads,
    headDim,
    rmsNormEps: num(j, "rms_norm_eps", 1e-6),
    ropeTheta: rope.theta,
    ropeScaling: rope.scaling,
    maxPositionEmbeddings: int(j, "max_position_embeddings", { optional: true }) || 2048,
    tieWordEmbeddings: bool(j, "tie_word_embeddings", false),
    qkvBias: qwen || attentionBias,
    oBias: !qwen && attentionBias,
    mlpBias: bool(j, "mlp_bias", false),
    slidingWindow: slidingWindowsOf(j, architecture, numLayers),
    bosTokenId: tokenIds(j, "bos_token_id")[0],
    eosTokenIds: tokenIds(j, "eos_token_id"),
    padTokenId: tokenIds(j, "pad_token_id")[0],
    raw: Object.freeze({ ...j }),
  };
}

/**
 * Builds a config from camelCase fields (for tests and freshly initialised models); the result
 * also carries the matching Hugging Face JSON in `raw`.
 *
 * ```ts
 * const cfg = makeConfig({ vocabSize: 256, hiddenSize: 64, intermediateSize: 128, numLayers: 2,
 *   numHeads: 4, numKvHeads: 2 });
 * ```
 */
export function makeConfig(
  c: Pick<LlamaConfig, "vocabSize" | "hiddenSize" | "intermediateSize" | "numLayers" | "numHeads"> &
    Partial<Omit<LlamaConfig, "raw" | "slidingWindow" | "qkvBias" | "oBias">> & {
      attentionBias?: boolean;
    },
): LlamaConfig {
  const arch = c.architecture ?? "llama";
  const json: Json = {
    architectures: [Object.keys(ARCHITECTURES).find((k) => ARCHITECTURES[k] === arch)],
    model_type: arch,
    vocab_size: c.vocabSize,
    hidden_size: c.hiddenSize,
    intermediate_size: c.intermediateSize,
    num_hidden_layers: c.numLayers,
    num_attention_heads: c.numHeads,
    num_key_value_heads: c.numKvHeads ?? c.numHeads,
    head_dim: c.headDim ?? c.hiddenSize / c.numHeads,
    hidden_act: "silu",
    rms_norm_eps: c.rmsNormEps ?? 1e-5,
    rope_theta: c.ropeTheta ?? 10000,
    rope_scaling: c.ropeScaling ? ropeScalingJson(c.ropeScaling) : null,
    max_position_embeddings: c.maxPositionEmbeddings ?? 2048,
    tie_word_embeddings: c.tieWordEmbeddings ?? false,
    attention_bias: c.attentionBias ?? false,
    mlp_bias: c.mlpBias ?? false,
    bos_token_id: c.bosTokenId ?? 1,
    eos_token_id: c.eosTokenIds ? [...c.eosTokenIds] : 2,
    torch_dtype: "float32",
  };
  return parseConfig(json);
}

function ropeScalingJson(s: RopeScaling): Json {
  if (s.type === "linear") return { rope_type: "linear", factor: s.factor };
  return {
    rope_type: "llama3",
    factor: s.factor,
    low_freq_factor: s.lowFreqFactor,
    high_freq_factor: s.highFreqFactor,
    original_max_position_embeddings: s.originalMaxPositionEmbeddings,
  };
}
