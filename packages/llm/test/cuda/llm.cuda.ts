// @x/llm on cuda (run by `pnpm test:cuda` on a GPU machine, bundled by
// packages/tensor-cuda/scripts/bundle-llm.mjs): HF parity fixtures with the model on the device
// (logits 1e-4 relative, TF32 off; identical greedy tokens; gradients 1e-3), generation with the
// device cache against full recompute, quantized projections, perplexity and AdamW steps.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import {
  argmax,
  cudaMemory,
  cudaStatus,
  loadSafetensors,
  saveCheckpoint,
  Tensor as T,
  type Tensor,
  tidy,
  valueAndGrad,
} from "@x/tensor";
import { relativeError } from "../../../../scripts/testing/relative-error.js";
import {
  AdamW,
  accumulateGradients,
  causalLmLoss,
  complete,
  LlamaModel,
  loadModel,
  makeConfig,
  moveModel,
  parameterShapes,
  perplexity,
  readConfig,
  restoreWeights,
  saveModel,
  Trainer,
} from "../../src/index.js";
import { deviceCache } from "../../src/kv.js";
import { fixtureWeight } from "../weights.js";

if (!cudaStatus().available) throw new Error(`cuda unavailable: ${cudaStatus().reason}`);
const ROOT = join(process.cwd(), "packages/llm/test/fixtures/hf-parity");
const names = fs
  .readdirSync(ROOT)
  .filter((n) => fs.existsSync(join(ROOT, n, "expected.safetensors")));

function fixtureDir(name: string): string {
  const dir = join(ROOT, name);
  const tmp = fs.mkdtempSync(join(tmpdir(), `x-llm-cuda-${name}-`));
  fs.copyFileSync(join(dir, "config.json"), join(tmp, "config.json"));
  const cfg = readConfig(dir);
  const weights = Object.fromEntries(
    Object.entries(parameterShapes(cfg)).map(([n, s]) => [n, fixtureWeight(n, s)]),
  );
  saveCheckpoint(tmp, weights, { metadata: { format: "pt" } });
  return tmp;
}

for (const name of names) {
  test(`transformers parity on cuda: ${name}`, async () => {
    const tmp = fixtureDir(name);
    const model = await loadModel(tmp, { device: "cuda" });
    assert.equal(model.params["model.norm.weight"]!.device, "cuda");
    const expected = loadSafetensors(join(ROOT, name, "expected.safetensors")).tensors;
    const prompts = Object.keys(expected)
      .filter((k) => k.startsWith("prompt."))
      .map((k) => k.slice(7));
    for (const p of prompts) {
      const ids = expected[`prompt.${p}`]!;
      const logits = model.forward({ inputIds: ids.reshape([1, -1]) });
      const err = relativeError(
        logits.reshape(expected[`logits.${p}`]!.shape),
        expected[`logits.${p}`]!,
      );
      console.log(`# ${name} prompt ${p}: logits relative error ${err.toExponential(2)}`);
      assert.ok(err < 1e-4, `${name} logits ${err}`);
      const want = expected[`greedy.${p}`]!.toArray() as number[];
      const [out] = await complete(model, [ids.toArray() as number[]], {
        maxNewTokens: want.length,
        stopTokens: [],
      });
      assert.deepEqual(out!.tokens, want, `${name} greedy ${p}`);
    }
    const gradNames = Object.keys(expected)
      .filter((k) => k.startsWith("grad."))
      .map((k) => k.slice(5));
    const chosen = Object.fromEntries(gradNames.map((n) => [n, model.params[n]!]));
    const { value, grads } = valueAndGrad((p: Record<string, Tensor>) =>
      causalLmLoss(
        model.forward({
          inputIds: expected["batch.input_ids"]!,
          params: { ...model.params, ...p },
        }),
        expected["batch.labels"]!,
      ),
    )(chosen);
    const lossErr =
      Math.abs(value.item() - expected.loss!.item()) / Math.abs(expected.loss!.item());
    let worst = 0;
    for (const n of gradNames)
      worst = Math.max(worst, relativeError(grads[n]!, expected[`grad.${n}`]!));
    console.log(
      `# ${name}: loss relative error ${lossErr.toExponential(2)}, worst gradient ${worst.toExponential(2)}`,
    );
    assert.ok(lossErr < 1e-5, `loss ${lossErr}`);
    assert.ok(worst < 1e-3, `gradients ${worst}`);
    fs.rmSync(tmp, { recursive: true, force: true });
  });
}

const small = makeConfig({
  vocabSize: 96,
  hiddenSize: 64,
  intermediateSize: 128,
  numLayers: 3,
  numHeads: 4,
  numKvHeads: 2,
});

test("generation with the device cache equals full recompute (greedy, 20 tokens)", async () => {
  const model = moveModel(LlamaModel.random(small, { seed: 7, std: 0.2 }), "cuda");
  const prompt = [5, 17, 3, 90, 41, 8];
  const [cached] = await complete(model, [prompt], { maxNewTokens: 20, stopTokens: [] });
  const seq = [...prompt];
  for (let i = 0; i < 20; i++) {
    const logits = model.forward({
      inputIds: T.from(seq, [1, seq.length], "i32"),
      logitsFor: "last",
    });
    seq.push(argmax(logits.toHost().reshape([-1])).item());
  }
  assert.deepEqual(cached!.tokens, seq.slice(prompt.length));
  // Two sequences decoded together (cat of per-row attention on the device).
  const both = await complete(model, [prompt, prompt.slice(0, 3)], {
    maxNewTokens: 6,
    stopTokens: [],
  });
  assert.deepEqual(both[0]!.tokens, cached!.tokens.slice(0, 6));
});

test("diagnostics: device cache without tidy, tidy without cache, gradients alone", async () => {
  const model = moveModel(LlamaModel.random(small, { seed: 7, std: 0.2 }), "cuda");
  const prompt = [5, 17, 3, 90, 41, 8];
  const full = (seq: number[]) =>
    argmax(
      model
        .forward({ inputIds: T.from(seq, [1, seq.length], "i32"), logitsFor: "last" })
        .toHost()
        .reshape([-1]),
    ).item();
  const lastAll = (seq: number[]) => {
    const l = model.forward({ inputIds: T.from(seq, [1, seq.length], "i32") }).toHost();
    return argmax(l.reshape([seq.length, -1]).select(0, seq.length - 1)).item();
  };
  const cache = model.createCache(deviceCache());
  const l0 = model.forward({
    inputIds: T.from(prompt, [1, prompt.length], "i32"),
    cache,
    logitsFor: "last",
  });
  const viaCache = argmax(l0.toHost().reshape([-1])).item();
  const viaTidy = tidy(() => full(prompt));
  console.log(
    `# diag first token: full(last) ${full(prompt)}, full(all) ${lastAll(prompt)}, cache(no tidy) ${viaCache}, full in tidy ${viaTidy}`,
  );
  const cpu = LlamaModel.random(small, { seed: 9 });
  const gpu = moveModel(cpu, "cuda");
  const batch = {
    inputIds: T.from(
      Array.from({ length: 32 }, (_, i) => (i * 13) % 96),
      [2, 16],
      "i32",
    ),
  };
  const a = accumulateGradients(cpu, [batch]).grads;
  const b = accumulateGradients(gpu, [batch]).grads;
  const bad = Object.keys(a)
    .map((n) => [n, relativeError(b[n]!, a[n]!)] as const)
    .filter(([, e]) => e > 1e-4);
  console.log(`# diag gradients cpu vs cuda over 1e-4: ${JSON.stringify(bad.slice(0, 8))}`);
});

test("q8_0 projections on cuda match the cpu q8_0 model; perplexity matches", async () => {
  const cpu = LlamaModel.random(small, { seed: 8, std: 0.1 });
  const q = cpu.quantize("q8_0");
  const qg = moveModel(q, "cuda");
  const ids = T.from([1, 2, 3, 4, 5, 6, 7, 8], [1, 8], "i32");
  const err = relativeError(qg.forward({ inputIds: ids }), q.forward({ inputIds: ids }));
  console.log(`# q8_0 cuda vs cpu logits relative error ${err.toExponential(2)}`);
  assert.ok(err < 2e-3, `q8_0 ${err}`);
  const toks = Array.from({ length: 40 }, (_, i) => (i * 7) % 96);
  const a = perplexity(cpu, toks, { window: 16, stride: 8 }).nll;
  const b = perplexity(moveModel(cpu, "cuda"), toks, { window: 16, stride: 8 }).nll;
  assert.ok(Math.abs(a - b) / a < 1e-5, `perplexity ${a} vs ${b}`);
});

test("AdamW training steps on cuda match the cpu", () => {
  const cpu = LlamaModel.random(small, { seed: 9 });
  const gpu = moveModel(LlamaModel.random(small, { seed: 9 }), "cuda");
  const batch = {
    inputIds: T.from(
      Array.from({ length: 32 }, (_, i) => (i * 13) % 96),
      [2, 16],
      "i32",
    ),
  };
  const opts = [new AdamW(cpu.params, {}), new AdamW(gpu.params, {})] as const;
  [cpu, gpu].forEach((m, k) => {
    for (let s = 0; s < 3; s++) {
      const { grads } = accumulateGradients(m, [batch, batch]);
      opts[k].step(m.params, grads, 1e-3);
    }
  });
  let worst = 0;
  for (const n of Object.keys(cpu.params))
    worst = Math.max(worst, relativeError(gpu.params[n]!, cpu.params[n]!));
  console.log(`# 3 AdamW steps: worst parameter relative error ${worst.toExponential(2)}`);
  assert.ok(worst < 1e-4, `params ${worst}`);
});

test("Trainer steps on cuda keep device memory flat (spent gradients are freed)", async () => {
  const model = moveModel(LlamaModel.random(small, { seed: 11 }), "cuda");
  const trainer = new Trainer(model, { lr: 1e-3 });
  const batch = {
    inputIds: T.from(
      Array.from({ length: 64 }, (_, i) => (i * 7) % 96),
      [4, 16],
      "i32",
    ),
  };
  const live: number[] = [];
  for (let s = 0; s < 6; s++) {
    await trainer.step([batch]);
    live.push(cudaMemory().bytes);
  }
  console.log(`# live device bytes after each step: ${live.join(", ")}`);
  // Step 1 creates the AdamW moments; afterwards nothing may accumulate.
  assert.ok(Math.max(...live.slice(2)) <= live[1]!, `device memory grew: ${live.join(", ")}`);
});

test("restoreWeights writes device parameters on the device", () => {
  const dir = fs.mkdtempSync(join(tmpdir(), "x-llm-restore-"));
  const saved = LlamaModel.random(small, { seed: 12 });
  saveModel(saved, dir);
  const gpu = moveModel(LlamaModel.random(small, { seed: 13 }), "cuda");
  restoreWeights(gpu, dir);
  for (const [n, p] of Object.entries(saved.params))
    assert.deepEqual(gpu.params[n]!.toHost().toArray(), p.toArray(), n);
});
