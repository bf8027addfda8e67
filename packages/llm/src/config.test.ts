import * as fs from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type LlamaConfig, makeConfig, parseConfig } from "./config.js";
import { ConfigError } from "./errors.js";

const FIXTURES = join(import.meta.dirname, "..", "test", "fixtures", "hf-parity");
const base = {
  model_type: "llama",
  vocab_size: 100,
  hidden_size: 64,
  intermediate_size: 128,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 2,
};

function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).field;
  }
  throw new Error("no error");
}

describe("parseConfig", () => {
  it("reads every committed transformers config", () => {
    const cfgs: Record<string, LlamaConfig> = {};
    for (const n of fs.readdirSync(FIXTURES))
      cfgs[n] = parseConfig(JSON.parse(fs.readFileSync(join(FIXTURES, n, "config.json"), "utf8")));
    expect(cfgs["smollm2-135m"]).toMatchObject({
      architecture: "llama",
      numKvHeads: 3,
      headDim: 64,
      tieWordEmbeddings: true,
      ropeTheta: 100000,
    });
    expect(cfgs["llama3-gqa"]!.ropeScaling).toEqual({
      type: "llama3",
      factor: 8,
      lowFreqFactor: 1,
      highFreqFactor: 4,
      originalMaxPositionEmbeddings: 32,
    });
    expect(cfgs["qwen2-bias"]).toMatchObject({
      architecture: "qwen2",
      qkvBias: true,
      oBias: false,
    });
    expect(cfgs["mistral-gqa"]!.slidingWindow).toEqual([undefined, undefined]);
  });

  it("accepts transformers 4.x rope_theta + rope_scaling and defaults", () => {
    const c = parseConfig({
      ...base,
      rope_theta: 500000,
      rope_scaling: { type: "linear", factor: 2 },
      eos_token_id: [2, 3],
    });
    expect(c).toMatchObject({
      ropeTheta: 500000,
      ropeScaling: { type: "linear", factor: 2 },
      headDim: 16,
      eosTokenIds: [2, 3],
      rmsNormEps: 1e-6,
    });
    expect(
      parseConfig({ ...base, rope_scaling: { rope_type: "default" } }).ropeScaling,
    ).toBeUndefined();
  });

  it("derives sliding windows per layer", () => {
    expect(
      parseConfig({ ...base, model_type: "mistral", sliding_window: 8 }).slidingWindow,
    ).toEqual([8, 8]);
    expect(
      parseConfig({ ...base, model_type: "qwen2", sliding_window: 8, use_sliding_window: false })
        .slidingWindow,
    ).toEqual([undefined, undefined]);
    expect(
      parseConfig({
        ...base,
        model_type: "qwen2",
        sliding_window: 8,
        use_sliding_window: true,
        max_window_layers: 1,
      }).slidingWindow,
    ).toEqual([undefined, 8]);
    expect(
      parseConfig({
        ...base,
        sliding_window: 4,
        layer_types: ["sliding_attention", "full_attention"],
      }).slidingWindow,
    ).toEqual([4, undefined]);
  });

  it("names the offending field in typed errors", () => {
    expect(fieldOf(() => parseConfig({ ...base, hidden_act: "gelu" }))).toBe("hidden_act");
    expect(
      fieldOf(() => parseConfig({ ...base, rope_scaling: { rope_type: "yarn", factor: 4 } })),
    ).toBe("rope_scaling.rope_type");
    expect(
      fieldOf(() =>
        parseConfig({
          ...base,
          rope_parameters: { rope_type: "llama3", factor: 8, rope_theta: 1 },
        }),
      ),
    ).toBe("rope_parameters.low_freq_factor");
    expect(fieldOf(() => parseConfig({ ...base, num_key_value_heads: 3 }))).toBe(
      "num_key_value_heads",
    );
    expect(fieldOf(() => parseConfig({ ...base, hidden_size: undefined }))).toBe("hidden_size");
    expect(fieldOf(() => parseConfig({ ...base, vocab_size: 1.5 }))).toBe("vocab_size");
    expect(fieldOf(() => parseConfig({ ...base, model_type: "gpt2" }))).toBe("model_type");
    expect(fieldOf(() => parseConfig({ ...base, architectures: ["GPT2LMHeadModel"] }))).toBe(
      "architectures",
    );
    expect(fieldOf(() => parseConfig({ ...base, layer_types: ["full_attention"] }))).toBe(
      "layer_types",
    );
    expect(fieldOf(() => parseConfig({ ...base, layer_types: ["x", "full_attention"] }))).toBe(
      "layer_types.0",
    );
    expect(fieldOf(() => parseConfig({ ...base, pretraining_tp: 2 }))).toBe("pretraining_tp");
    expect(fieldOf(() => parseConfig({ ...base, tie_word_embeddings: "yes" }))).toBe(
      "tie_word_embeddings",
    );
    expect(fieldOf(() => parseConfig([]))).toBe("(root)");
    expect(() => parseConfig({ ...base, hidden_act: "relu" })).toThrow(/config.json "hidden_act"/);
  });

  it("makeConfig round-trips through the HF JSON", () => {
    const c = makeConfig({
      vocabSize: 10,
      hiddenSize: 32,
      intermediateSize: 64,
      numLayers: 1,
      numHeads: 4,
      numKvHeads: 1,
      tieWordEmbeddings: true,
    });
    expect(parseConfig(c.raw)).toEqual(c);
  });
});
