// GPU benchmark of @x/llm (bundled by packages/tensor-cuda/scripts/bundle-llm.mjs, run by the
// device run): prefill and decode tokens/s of a random SmolLM2-135M-shaped model on cuda (the
// weights are also saved for transformers: bench/llm_torch.py), and one training step
// (forward + backward + clip + AdamW) of the default model's shapes. Prints JSON lines.
// `node llm-bench.mjs <dir> train` runs only the training step (with X_TENSOR_CUDA_PROFILE=1,
// the per-call profile of that step goes to stderr).
import { setCudaMatmulPrecision, synchronize, Tensor } from "@x/tensor";
import {
  AdamW,
  accumulateGradients,
  clipGradNorm,
  generate,
  LlamaModel,
  makeConfig,
  moveModel,
  saveModel,
} from "../src/index.js";
import { benchPrompt, smolConfig as smol } from "./common.js";

const out = process.argv[2] ?? "/tmp/x-llm-smol";
const onlyTrain = process.argv[3] === "train";
const PROMPT = 64;
const NEW = 128;
const cpuModel = LlamaModel.random(smol, { seed: 1 });
if (!onlyTrain) saveModel(cpuModel, out);
const prompt = benchPrompt(PROMPT, smol.vocabSize);
const row = (o: Record<string, unknown>) => console.log(JSON.stringify(o));

async function decodeRun(
  model: LlamaModel,
): Promise<{ prefillMs: number; decodeTokS: number; tokens: number[] }> {
  const tokens: number[] = [];
  synchronize();
  const t0 = performance.now();
  let t1 = 0;
  for await (const s of generate(model, prompt, { maxNewTokens: NEW, stopTokens: [] })) {
    if (tokens.length === 0) t1 = performance.now();
    tokens.push(s.token);
  }
  const t2 = performance.now();
  return { prefillMs: t1 - t0, decodeTokS: (NEW - 1) / ((t2 - t1) / 1000), tokens };
}

for (const precision of onlyTrain ? [] : (["highest", "tf32"] as const)) {
  setCudaMatmulPrecision(precision);
  const gpu = moveModel(cpuModel, "cuda");
  await decodeRun(gpu); // warm-up
  const runs = [await decodeRun(gpu), await decodeRun(gpu), await decodeRun(gpu)];
  runs.sort((a, b) => a.decodeTokS - b.decodeTokS);
  const mid = runs[1]!;
  row({
    bench: "decode",
    engine: "x-llm",
    precision,
    prompt: PROMPT,
    newTokens: NEW,
    prefillTokS: PROMPT / (mid.prefillMs / 1000),
    decodeTokS: mid.decodeTokS,
    tokens: mid.tokens.slice(0, 16),
  });
  for (const t of Object.values(gpu.params)) t.dispose();
}
setCudaMatmulPrecision("highest");

// Training step: the default model's shapes, seq 256, batch 8.
const small = makeConfig({
  vocabSize: 8192,
  hiddenSize: 384,
  intermediateSize: 1024,
  numLayers: 6,
  numHeads: 6,
  numKvHeads: 2,
  tieWordEmbeddings: true, // as the default model and bench/llm_torch.py
});
for (const precision of ["highest", "tf32"] as const) {
  setCudaMatmulPrecision(precision);
  const model = moveModel(LlamaModel.random(small, { seed: 2 }), "cuda");
  const opt = new AdamW(model.params, {});
  const ids = Tensor.from(
    Array.from({ length: 8 * 256 }, (_, i) => (i * 31 + 7) % 8192),
    [8, 256],
    "i32",
  );
  const times: number[] = [];
  let loss = 0;
  for (let s = 0; s < 8; s++) {
    synchronize();
    const t0 = performance.now();
    const r = accumulateGradients(model, [{ inputIds: ids }]);
    const { grads } = clipGradNorm(r.grads, 1);
    opt.step(model.params, grads, 3e-4);
    synchronize();
    times.push(performance.now() - t0);
    for (const g of Object.values(r.grads)) g.dispose();
    for (const g of Object.values(grads)) g.dispose();
    loss = r.loss;
  }
  const steady = times.slice(3).sort((a, b) => a - b);
  row({
    bench: "train-step",
    engine: "x-llm",
    precision,
    batch: 8,
    seq: 256,
    stepMs: steady[Math.floor(steady.length / 2)],
    loss,
  });
}
