// llama.cpp (through node-llama-cpp, a devDependency) loads our GGUF export and computes the same
// next-token distributions and greedy continuation as our runtime: this proves the export,
// including the Q/K row permutation (without it the distributions diverge at the first token).
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { softmax, Tensor } from "@x/tensor";
import { getLlama, LlamaLogLevel } from "node-llama-cpp";
import { afterAll, describe, expect, it } from "vitest";
import type { GgmlWriteType } from "../src/gguf/index.js";
import { complete, exportGguf, LlamaModel, loadTokenizer, makeConfig } from "../src/index.js";

const dir = fs.mkdtempSync(join(tmpdir(), "x-llamacpp-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const tok = loadTokenizer(fileURLToPath(new URL("./fixtures/tokenizers/bpe", import.meta.url)));
const cfg = makeConfig({
  vocabSize: 272,
  hiddenSize: 64,
  intermediateSize: 128,
  numLayers: 2,
  numHeads: 4,
  numKvHeads: 2,
  maxPositionEmbeddings: 128,
});
// Large weights make the distributions peaked, so greedy choices are far from ties.
const model = LlamaModel.random(cfg, { seed: 11, std: 0.25 });
const prompt = tok.encode("hello world, hello");

function ourProbs(ids: number[], m: LlamaModel = model): Float32Array {
  const logits = m.forward({
    inputIds: Tensor.from(ids, [1, ids.length], "i32"),
    logitsFor: "last",
  });
  return softmax(logits.reshape([-1])).data() as Float32Array;
}

async function llamaCppRun(type: GgmlWriteType, steps: number, m: LlamaModel = model) {
  const path = join(dir, `tiny-${type}-${m === model ? "base" : "scaled"}.gguf`);
  exportGguf(m, path, { type, tokenizer: tok });
  const llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });
  const lm = await llama.loadModel({ modelPath: path });
  const ctx = await lm.createContext({ contextSize: 128, batchSize: 128, threads: 1 });
  try {
    const seq = ctx.getSequence();
    const probs: Map<number, number>[] = [];
    const tokens: number[] = [];
    let input: Parameters<typeof seq.controlledEvaluate>[0] = [
      ...prompt.slice(0, -1),
      [prompt.at(-1)!, { generateNext: { probabilities: true } }],
    ];
    for (let s = 0; s < steps; s++) {
      const out = await seq.controlledEvaluate(input);
      const p = out.at(-1)!.next!.probabilities!;
      probs.push(p);
      let best = -1;
      let bestP = -1;
      for (const [t, v] of p) if (v > bestP) [best, bestP] = [t, v];
      tokens.push(best);
      input = [[best, { generateNext: { probabilities: true } }]];
    }
    return { probs, tokens };
  } finally {
    await ctx.dispose();
    await lm.dispose();
  }
}

describe("llama.cpp loads our GGUF", () => {
  it("f32: same next-token distribution and the same greedy tokens", async () => {
    const steps = 12;
    const ours = (await complete(model, prompt, { maxNewTokens: steps, stopTokens: [] }))[0]!
      .tokens;
    const theirs = await llamaCppRun("f32", steps);
    expect(theirs.tokens).toEqual(ours);
    const p = ourProbs(prompt);
    let maxDiff = 0;
    for (let t = 0; t < cfg.vocabSize; t++)
      maxDiff = Math.max(maxDiff, Math.abs((theirs.probs[0]!.get(t) ?? 0) - p[t]!));
    expect(maxDiff).toBeLessThan(1e-3);
  });

  it("q8_0: the same greedy tokens as our q8_0 model", async () => {
    const steps = 8;
    const q = model.quantize("q8_0");
    const ours = (await complete(q, prompt, { maxNewTokens: steps, stopTokens: [] }))[0]!.tokens;
    const theirs = await llamaCppRun("q8_0", steps);
    expect(theirs.tokens).toEqual(ours);
  });

  it("llama3 RoPE scaling (rope_freqs) and tied embeddings: the same distribution and greedy tokens", async () => {
    const scaled = LlamaModel.random(
      makeConfig({
        ...cfg,
        ropeTheta: 500000,
        tieWordEmbeddings: true,
        ropeScaling: {
          type: "llama3",
          factor: 8,
          lowFreqFactor: 1,
          highFreqFactor: 4,
          originalMaxPositionEmbeddings: 32,
        },
      }),
      { seed: 11, std: 0.25 },
    );
    const ours = (await complete(scaled, prompt, { maxNewTokens: 8, stopTokens: [] }))[0]!.tokens;
    const theirs = await llamaCppRun("f32", 8, scaled);
    expect(theirs.tokens).toEqual(ours);
    const p = ourProbs(prompt, scaled);
    let maxDiff = 0;
    for (let t = 0; t < cfg.vocabSize; t++)
      maxDiff = Math.max(maxDiff, Math.abs((theirs.probs[0]!.get(t) ?? 0) - p[t]!));
    expect(maxDiff).toBeLessThan(1e-3);
  });
});
