// One CPU training step (forward, backward, clip, AdamW) of the default model's shapes (6 layers,
// hidden 384, 6/2 heads of 64, SwiGLU 1024, vocab 8192), native kernels against the js backend
// (the oracle every kernel is tested against) in the same run; medians, ISA and threads printed.
// Run: pnpm --filter @x/llm bench:train [--json] [--batch=2] [--seq=256] [--threads=2] [--runs=3]
import { backendInfo, setNumThreads, Tensor, withBackend } from "@x/tensor";
import { AdamW, accumulateGradients, clipGradNorm, LlamaModel, makeConfig } from "../src/index.js";
import { emit, parseFlags, progress, type Row } from "./harness.js";

const flags = parseFlags();
if (flags.help) {
  console.log("usage: tsx bench/train.ts [--json] [--batch=N] [--seq=N] [--threads=N] [--runs=N]");
  process.exit(0);
}
const BATCH = Number(flags.values.batch ?? 2);
const SEQ = Number(flags.values.seq ?? 256);
const RUNS = Number(flags.values.runs ?? 3);
setNumThreads(Number(flags.values.threads ?? 2));

const config = makeConfig({
  vocabSize: 8192,
  hiddenSize: 384,
  intermediateSize: 1024,
  numLayers: 6,
  numHeads: 6,
  numKvHeads: 2,
  tieWordEmbeddings: true,
});
const ids = Tensor.from(
  Array.from({ length: BATCH * SEQ }, (_, i) => (i * 31 + 7) % config.vocabSize),
  [BATCH, SEQ],
  "i32",
);

/** Median step time; synchronous, so withBackend("js", stepMs) covers every step. */
function stepMs(): number {
  const model = LlamaModel.random(config, { seed: 2 });
  const opt = new AdamW(model.params, {});
  const step = () => {
    const r = accumulateGradients(model, [{ inputIds: ids }]);
    opt.step(model.params, clipGradNorm(r.grads, 1).grads, 3e-4);
  };
  step(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    step();
    samples.push(performance.now() - t0);
  }
  return samples.sort((a, b) => a - b)[samples.length >> 1]!;
}

const rows: Row[] = [];
progress("native (cpu backend)...");
const native = stepMs();
progress("js backend...");
const js = withBackend("js", stepMs);
for (const [engine, ms] of [
  ["@x/llm, cpu backend (native)", native],
  ["@x/llm, js backend", js],
] as const)
  rows.push({
    engine,
    step_ms: ms,
    tokens_per_s: (BATCH * SEQ) / (ms / 1000),
    speedup_vs_js: js / ms,
  });
const info = backendInfo();
emit(
  flags,
  {
    benchmark: "training step (forward + backward + clip + AdamW), default model shapes",
    parameters: LlamaModel.random(config, { seed: 0 }).numParameters(),
    batch: `${BATCH} x ${SEQ}`,
    isa: info.isa,
    threads: info.threads,
    node: process.version,
  },
  rows,
);
