// Parity with Hugging Face transformers on the committed fixtures (fixtures/README.md): weights are
// rebuilt from their names, written as a temporary HF folder, loaded with loadModel, and compared
// with the logits, greedy tokens, loss and gradients transformers produced.
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadSafetensors, saveCheckpoint, type Tensor, valueAndGrad } from "@x/tensor";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { relativeError } from "../../../scripts/testing/relative-error.js";
import {
  causalLmLoss,
  complete,
  type LlamaModel,
  loadModel,
  parameterShapes,
  readConfig,
} from "../src/index.js";
import { fixtureWeight } from "./weights.js";

const ROOT = join(import.meta.dirname, "fixtures", "hf-parity");
const names = fs.existsSync(ROOT)
  ? fs
      .readdirSync(ROOT)
      .filter((n) => fs.existsSync(join(ROOT, n, "expected.safetensors")))
      .sort()
  : [];

it("has parity fixtures to check", () => {
  expect(names.length).toBeGreaterThan(0);
});

describe.each(names)("transformers parity: %s", (name) => {
  const dir = join(ROOT, name);
  let model: LlamaModel;
  let expected: Record<string, Tensor>;
  let tmp: string;

  beforeAll(async () => {
    const cfg = readConfig(dir);
    tmp = fs.mkdtempSync(join(tmpdir(), `x-llm-parity-${name}-`));
    fs.copyFileSync(join(dir, "config.json"), join(tmp, "config.json"));
    const weights = Object.fromEntries(
      Object.entries(parameterShapes(cfg)).map(([n, s]) => [n, fixtureWeight(n, s)]),
    );
    saveCheckpoint(tmp, weights, { metadata: { format: "pt" } });
    model = await loadModel(tmp);
    expected = loadSafetensors(join(dir, "expected.safetensors")).tensors;
  }, 120_000);

  afterAll(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  const prompts = () =>
    Object.keys(expected)
      .filter((k) => k.startsWith("prompt."))
      .map((k) => k.slice(7));

  it("logits match within 1e-4 relative", () => {
    expect(prompts().length).toBeGreaterThan(0);
    for (const p of prompts()) {
      const ids = expected[`prompt.${p}`]!;
      const logits = model.forward({ inputIds: ids.reshape([1, -1]) });
      const err = relativeError(
        logits.reshape(expected[`logits.${p}`]!.shape),
        expected[`logits.${p}`]!,
      );
      console.log(`${name} prompt ${p}: logits relative error ${err.toExponential(2)}`);
      expect(err).toBeLessThan(1e-4);
    }
  });

  it("greedy continuations are identical", async () => {
    for (const p of prompts()) {
      const want = expected[`greedy.${p}`]!.toArray();
      const [out] = await complete(model, [expected[`prompt.${p}`]!.toArray()], {
        maxNewTokens: want.length,
        stopTokens: [],
      });
      expect(out!.tokens).toEqual(want);
    }
  });

  it("loss matches within 1e-5 and gradients within 1e-3 relative", () => {
    const gradNames = Object.keys(expected)
      .filter((k) => k.startsWith("grad."))
      .map((k) => k.slice(5));
    expect(gradNames.length).toBeGreaterThan(0);
    const chosen = Object.fromEntries(gradNames.map((n) => [n, model.params[n]!]));
    const ids = expected["batch.input_ids"]!;
    const labels = expected["batch.labels"]!;
    const { value, grads } = valueAndGrad((p: Record<string, Tensor>) =>
      causalLmLoss(model.forward({ inputIds: ids, params: { ...model.params, ...p } }), labels),
    )(chosen);
    const want = expected.loss!.item();
    const lossErr = Math.abs(value.item() - want) / Math.abs(want);
    expect(lossErr).toBeLessThan(1e-5);
    let worst = 0;
    for (const n of gradNames) {
      const err = relativeError(grads[n]!, expected[`grad.${n}`]!);
      worst = Math.max(worst, err);
      expect(err, n).toBeLessThan(1e-3);
    }
    console.log(
      `${name}: loss relative error ${lossErr.toExponential(2)}, worst gradient ${worst.toExponential(2)}`,
    );
  });
});
