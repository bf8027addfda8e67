// Tiny random models shared by the unit tests (not exported from the package).
import { makeConfig } from "./config.js";
import { LlamaModel } from "./model/llama.js";

/** The shapes of the tests' tiny models: 2 layers, vocab 64, hidden 32, 4 query / 2 KV heads of 8. */
export const TINY_SHAPES = {
  vocabSize: 64,
  hiddenSize: 32,
  intermediateSize: 64,
  numLayers: 2,
  numHeads: 4,
  numKvHeads: 2,
} as const;

/** A random model of {@link TINY_SHAPES} (GQA), with config overrides. */
export function tinyModel(
  overrides: Partial<Parameters<typeof makeConfig>[0]> = {},
  seed = 7,
): LlamaModel {
  const cfg = makeConfig({ ...TINY_SHAPES, ...overrides });
  return LlamaModel.random(cfg, { seed, std: 0.2 });
}
