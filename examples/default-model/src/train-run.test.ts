import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadCorpus } from "@x/corpus";
import { LlamaModel, loadModel } from "@x/llm";
import { cast, Tensor } from "@x/tensor";
import { afterAll, describe, expect, it } from "vitest";
import { renderCard } from "./card-render.js";
import { prepareSplits } from "./encode-splits.js";
import { evaluateModel } from "./evaluation.js";
import { DEFAULT_ARCHITECTURE } from "./model-config.js";
import { defaultModelDir } from "./paths.js";
import { runTraining, type TrainRunOptions } from "./train-run.js";

const root = mkdtempSync(join(tmpdir(), "sotu-train-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const dataDir = join(root, "data");
prepareSplits({
  tokenizerDir: defaultModelDir(),
  outDir: dataDir,
  passages: loadCorpus({ sources: ["sotu"] }).slice(0, 300),
});

const options = (runDir: string): TrainRunOptions => ({
  dataDir,
  runDir,
  tokenizerDir: defaultModelDir(),
  architecture: {
    ...DEFAULT_ARCHITECTURE,
    layers: 2,
    hidden: 64,
    heads: 4,
    kvHeads: 2,
    intermediate: 128,
    maxPositions: 128,
  },
  seqLen: 64,
  batchSize: 4,
  gradAccumSteps: 1,
  steps: 16,
  epochs: 1,
  lr: 3e-3,
  minLr: 3e-4,
  warmupSteps: 2,
  weightDecay: 0.1,
  maxGradNorm: 1,
  betas: [0.9, 0.95],
  seed: 0,
  initSeed: 1,
  saveDtype: "f16",
  maxPassages: 40,
  device: "cpu",
  threads: 2,
  checkpointEvery: 0,
  command: "test",
});

describe("runTraining (CPU smoke)", () => {
  const a = join(root, "a");
  const run = runTraining(options(a));

  it("lowers the loss and writes a Hugging Face folder that reloads with the same logits", async () => {
    const { log, result } = await run;
    expect(log.stepsDone).toBe(16);
    expect(log.finished).toBe(true);
    const losses = result.history.map((r) => r.loss);
    const tail = losses.slice(-4).reduce((s, x) => s + x, 0) / 4;
    expect(losses[0]!).toBeGreaterThan(8.5); // about ln 8192 = 9.01
    expect(tail).toBeLessThan(losses[0]! - 1);
    for (const f of [
      "config.json",
      "model.safetensors",
      "generation_config.json",
      "tokenizer.json",
      "tokenizer_config.json",
    ])
      expect(existsSync(join(a, "final", f))).toBe(true);
    expect(JSON.parse(readFileSync(join(a, "final", "config.json"), "utf8")).torch_dtype).toBe(
      "float16",
    );
    expect(existsSync(join(a, "train-log.json")) && existsSync(join(a, "metrics.csv"))).toBe(true);

    const loaded = await loadModel(join(a, "final"));
    const rounded = new LlamaModel(
      result.model.config,
      Object.fromEntries(
        Object.entries(result.model.params).map(([k, t]) => [k, cast(cast(t, "f16"), "f32")]),
      ),
    );
    const ids = Tensor.from([0, 5, 900, 77, 3001, 1], [1, 6], "i32");
    const got = loaded.forward({ inputIds: ids }).data();
    const want = rounded.forward({ inputIds: ids }).data();
    expect(Array.from(got)).toEqual(Array.from(want));
  });

  it("resumes after a time-limit stop with the same losses as an uninterrupted run", async () => {
    const { result: full } = await run;
    const b = join(root, "b");
    const first = await runTraining({ ...options(b), timeLimitSec: 1, stopMarginSec: 0 });
    expect(first.result.stopped).toBe(true);
    expect(first.log.finished).toBe(false);
    expect(first.log.stepsDone).toBeLessThan(16);
    expect(existsSync(join(b, "final"))).toBe(false);
    const second = await runTraining(options(b));
    expect(second.log.finished).toBe(true);
    expect(second.log.sessions.map((s) => [s.fromStep, s.toStep])).toEqual([
      [0, first.log.stepsDone],
      [first.log.stepsDone, 16],
    ]);
    expect(second.result.history.map((r) => r.loss)).toEqual(full.history.map((r) => r.loss));
    await expect(runTraining({ ...options(b), lr: 1e-3 })).rejects.toThrow(/other settings \(lr/);
  });

  it("evaluates the folder and renders a card", async () => {
    const { log } = await run;
    const report = await evaluateModel({
      modelDir: join(a, "final"),
      dataDir,
      maxPassages: 3,
      sampling: { maxNewTokens: 5 },
    });
    expect(report.splits.map((s) => s.split)).toEqual(["validation", "test"]);
    for (const s of report.splits) {
      expect(s.passages).toBe(3);
      expect(Number.isFinite(s.ppl) && s.ppl > 1).toBe(true);
      expect(s.unigram!.ppl).toBeGreaterThan(1);
    }
    expect(report.samples.items).toHaveLength(3);
    const card = renderCard(log, report);
    expect(card).toContain(`| parameters | ${log.model.parameters.toLocaleString("en-US")} |`);
    expect(card).toContain(report.splits[0]!.ppl.toFixed(2));
    expect(card).toContain("`tokenizer.json`, `tokenizer_config.json`");
  });
});
