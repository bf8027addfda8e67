// The Hugging Face state-dict layout of a Llama-family model, derived from its config.
import type { LlamaConfig } from "../config.js";

/** Names of the projections inside one decoder layer, relative to `model.layers.N.`. */
export const LAYER_PROJECTIONS = [
  "self_attn.q_proj",
  "self_attn.k_proj",
  "self_attn.v_proj",
  "self_attn.o_proj",
  "mlp.gate_proj",
  "mlp.up_proj",
  "mlp.down_proj",
] as const;

/**
 * Every parameter's Hugging Face name and shape, in the order transformers lists them
 * (`lm_head.weight` only when embeddings are untied).
 *
 * ```ts
 * parameterShapes(cfg)["model.layers.0.self_attn.k_proj.weight"]; // [numKvHeads * headDim, hiddenSize]
 * ```
 */
export function parameterShapes(cfg: LlamaConfig): Record<string, number[]> {
  const { hiddenSize: h, intermediateSize: f, numHeads, numKvHeads, headDim: d } = cfg;
  const out: Record<string, number[]> = { "model.embed_tokens.weight": [cfg.vocabSize, h] };
  const dims: Record<(typeof LAYER_PROJECTIONS)[number], [number, number, boolean]> = {
    "self_attn.q_proj": [numHeads * d, h, cfg.qkvBias],
    "self_attn.k_proj": [numKvHeads * d, h, cfg.qkvBias],
    "self_attn.v_proj": [numKvHeads * d, h, cfg.qkvBias],
    "self_attn.o_proj": [h, numHeads * d, cfg.oBias],
    "mlp.gate_proj": [f, h, cfg.mlpBias],
    "mlp.up_proj": [f, h, cfg.mlpBias],
    "mlp.down_proj": [h, f, cfg.mlpBias],
  };
  for (let l = 0; l < cfg.numLayers; l++) {
    const p = `model.layers.${l}.`;
    for (const name of LAYER_PROJECTIONS) {
      const [o, i, bias] = dims[name];
      out[`${p}${name}.weight`] = [o, i];
      if (bias) out[`${p}${name}.bias`] = [o];
    }
    out[`${p}input_layernorm.weight`] = [h];
    out[`${p}post_attention_layernorm.weight`] = [h];
  }
  out["model.norm.weight"] = [h];
  if (!cfg.tieWordEmbeddings) out["lm_head.weight"] = [cfg.vocabSize, h];
  return out;
}

/**
 * The short target name WTA-CRS and similar tools use for a projection path
 * (`model.layers.3.self_attn.q_proj` -> `attn.q`, `...mlp.down_proj` -> `mlp.down`, `lm_head`).
 *
 * ```ts
 * linearTarget("model.layers.0.mlp.gate_proj"); // "mlp.gate"
 * ```
 */
export function linearTarget(name: string): string {
  const m = /\.(self_attn|mlp)\.(\w+)_proj$/.exec(name);
  if (!m) return name;
  return `${m[1] === "self_attn" ? "attn" : "mlp"}.${m[2]}`;
}
