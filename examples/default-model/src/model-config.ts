// The default model's architecture (a small Llama: GQA, SwiGLU, RoPE, tied embeddings) and its
// seeded initialization.
import { type LlamaConfig, LlamaModel, makeConfig } from "@x/llm";

/** The shape of the model, as the train command's flags set it. */
export interface Architecture {
  vocabSize: number;
  hidden: number;
  layers: number;
  heads: number;
  kvHeads: number;
  intermediate: number;
  maxPositions: number;
  ropeTheta: number;
  bos: number;
  eos: number;
}

/**
 * The default model: vocabulary 8,192 (the models/sotu tokenizer), hidden 384, 6 layers, 6 query
 * heads and 2 KV heads of 64, SwiGLU 1,024, tied embeddings, RoPE θ 10,000, 1,024 positions.
 */
export const DEFAULT_ARCHITECTURE: Readonly<Architecture> = {
  vocabSize: 8192,
  hidden: 384,
  layers: 6,
  heads: 6,
  kvHeads: 2,
  intermediate: 1024,
  maxPositions: 1024,
  ropeTheta: 10000,
  bos: 0,
  eos: 1,
};

/** Sampling defaults written to `generation_config.json` (what the card's samples use). */
export const GENERATION_CONFIG = {
  bos_token_id: 0,
  eos_token_id: 1,
  do_sample: true,
  temperature: 0.8,
  top_p: 0.95,
};

/**
 * The Hugging Face config of an architecture (`LlamaForCausalLM`).
 *
 * ```ts
 * modelConfig(DEFAULT_ARCHITECTURE).headDim; // 64
 * ```
 */
export function modelConfig(a: Architecture): LlamaConfig {
  if (a.hidden % a.heads !== 0)
    throw new Error(`hidden ${a.hidden} is not a multiple of heads ${a.heads}`);
  if (a.heads % a.kvHeads !== 0)
    throw new Error(`heads ${a.heads} is not a multiple of kv-heads ${a.kvHeads}`);
  return makeConfig({
    architecture: "llama",
    vocabSize: a.vocabSize,
    hiddenSize: a.hidden,
    intermediateSize: a.intermediate,
    numLayers: a.layers,
    numHeads: a.heads,
    numKvHeads: a.kvHeads,
    headDim: a.hidden / a.heads,
    rmsNormEps: 1e-5,
    ropeTheta: a.ropeTheta,
    maxPositionEmbeddings: a.maxPositions,
    tieWordEmbeddings: true,
    bosTokenId: a.bos,
    eosTokenIds: [a.eos],
  });
}

/**
 * A freshly initialized model: N(0, 0.02²) weights, the residual-stream outputs (o_proj,
 * down_proj) scaled by 1/√(2·layers) as in GPT-2, RMSNorm weights 1. Same seed, same weights.
 *
 * ```ts
 * const model = initModel(modelConfig(DEFAULT_ARCHITECTURE), 1);
 * ```
 */
export function initModel(config: LlamaConfig, seed: number): LlamaModel {
  const model = LlamaModel.random(config, { seed, std: 0.02 });
  const residual = 1 / Math.sqrt(2 * config.numLayers);
  for (const [name, t] of Object.entries(model.params)) {
    const d = t.data() as Float32Array;
    if (name.endsWith("norm.weight")) d.fill(1);
    else if (/\.(o_proj|down_proj)\.weight$/.test(name))
      for (let i = 0; i < d.length; i++) d[i] = d[i]! * residual;
  }
  model.generationConfig = {
    ...GENERATION_CONFIG,
    bos_token_id: config.bosTokenId,
    eos_token_id: config.eosTokenIds[0],
  };
  return model;
}
