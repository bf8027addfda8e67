// The committed default model (models/sotu) against Hugging Face transformers: the fixture holds
// what transformers 5.17 computed from these exact weights (scripts/transformers_fixture.py, run
// on the GPU machine): its tokenizer's ids, f32 logits of every position and 24 greedy tokens.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { complete, type LlamaModel, loadModel, loadTokenizer, type Tokenizer } from "@x/llm";
import { loadSafetensors, type Tensor } from "@x/tensor";
import { beforeAll, describe, expect, it } from "vitest";
import { relativeError } from "../../../scripts/testing/relative-error.js";

const MODEL = join(import.meta.dirname, "..", "..", "..", "models", "sotu");
const FIXTURE = join(import.meta.dirname, "fixtures", "transformers-sotu");
const meta = JSON.parse(readFileSync(`${FIXTURE}.json`, "utf8")) as {
  prompts: string[];
  model_sha256: string;
};

describe("models/sotu agrees with Hugging Face transformers", () => {
  let model: LlamaModel;
  let tok: Tokenizer;
  let expected: Record<string, Tensor>;

  beforeAll(async () => {
    model = await loadModel(MODEL);
    tok = loadTokenizer(MODEL);
    expected = loadSafetensors(`${FIXTURE}.safetensors`).tensors;
  });

  it("speaks for the committed weights (regenerate the fixture after retraining)", () => {
    const digest = createHash("sha256")
      .update(readFileSync(join(MODEL, "model.safetensors")))
      .digest("hex");
    expect(digest).toBe(meta.model_sha256);
  });

  it("tokenizes the prompts to transformers' ids", () => {
    meta.prompts.forEach((text, i) => {
      expect(tok.encode(text)).toEqual(expected[`prompt.${i}`]!.toArray());
    });
  });

  it("gives the same logits within 1e-4 relative and the same greedy tokens", async () => {
    for (const i of meta.prompts.keys()) {
      const ids = expected[`prompt.${i}`]!;
      const want = expected[`logits.${i}`]!;
      const logits = model.forward({ inputIds: ids.reshape([1, -1]) }).reshape(want.shape);
      const err = relativeError(logits, want);
      console.log(`prompt ${i}: logits relative error ${err.toExponential(2)}`);
      expect(err).toBeLessThan(1e-4);
      const greedy = expected[`greedy.${i}`]!.toArray();
      const [out] = await complete(model, [ids.toArray()], {
        maxNewTokens: greedy.length,
        stopTokens: [],
      });
      expect(out!.tokens).toEqual(greedy);
    }
  });
});
