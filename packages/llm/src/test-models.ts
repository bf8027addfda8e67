// Tiny random models shared by the unit tests (not exported from the package).
import { makeConfig } from "./config.js";
import { LlamaModel } from "./model/llama.js";

/** A 2-layer GQA model (vocab 64, hidden 32, 4 query / 2 KV heads of 8). */
export function tinyModel(
  overrides: Partial<Parameters<typeof makeConfig>[0]> = {},
  seed = 7,
): LlamaModel {
  const cfg = makeConfig({
    vocabSize: 64,
    hiddenSize: 32,
    intermediateSize: 64,
    numLayers: 2,
    numHeads: 4,
    numKvHeads: 2,
    ...overrides,
  });
  return LlamaModel.random(cfg, { seed, std: 0.2 });
}
