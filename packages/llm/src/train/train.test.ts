import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadModel } from "../io/load.js";
import { tinyModel } from "../test-models.js";
import type { SaveStage } from "./checkpoint.js";
import { latestCheckpoint, loadTrainingCheckpoint } from "./checkpoint.js";
import type { TrainProgress } from "./progress.js";
import { type TrainConfig, train } from "./train.js";

const root = fs.mkdtempSync(join(tmpdir(), "x-llm-train-"));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
let runs = 0;
const freshDir = () => join(root, `run-${runs++}`);

// Forty short documents from a fixed pseudo-random walk over the vocabulary.
const docs = Array.from({ length: 40 }, (_, d) =>
  Array.from({ length: 5 + (d % 7) }, (_, i) => 3 + ((d * 13 + i * 7) % 60)),
);
const base = (outDir: string): TrainConfig => ({
  model: tinyModel(),
  data: docs,
  outDir,
  seqLen: 16,
  batchSize: 2,
  gradAccumSteps: 2,
  steps: 12,
  lr: 3e-3,
  warmupSteps: 2,
  seed: 5,
  saveFinal: false,
});
const losses = (h: readonly { loss: number }[]) => h.map((r) => r.loss);

describe("train", () => {
  it("overfits a short repeated sequence (loss drops by more than 80%)", async () => {
    const seq = [3, 17, 42, 8, 29, 51, 12, 60, 5, 33, 21, 47];
    const outDir = freshDir();
    const r = await train({
      model: tinyModel(),
      data: [Array.from({ length: 8 }, () => seq).flat()],
      outDir,
      seqLen: 16,
      batchSize: 4,
      steps: 60,
      lr: 1e-2,
      warmupSteps: 5,
      seed: 1,
    });
    const first = r.history[0]!.loss;
    expect(r.finalLoss).toBeLessThan(0.2 * first);
    expect(r.steps).toBe(60);
    // the final model folder is a loadable Hugging Face checkpoint of the trained weights
    const back = await loadModel(r.finalDir!);
    expect(back.params["lm_head.weight"]!.toArray()).toEqual(
      r.model.params["lm_head.weight"]!.toArray(),
    );
    // loss curves on disk
    const csv = fs.readFileSync(join(outDir, "metrics.csv"), "utf8").trim().split("\n");
    expect(csv[0]).toBe("step,loss,lr,gradNorm,tokens,tokensPerSec,elapsedSec");
    expect(csv).toHaveLength(61);
    const json = JSON.parse(fs.readFileSync(join(outDir, "metrics.json"), "utf8"));
    expect(losses(json.records)).toEqual(losses(r.history));
    expect(json.records[59].tokens).toBe(60 * 4 * 16);
  });

  it("is deterministic under a seed, and the seed changes the data order", async () => {
    const a = await train(base(freshDir()));
    const b = await train(base(freshDir()));
    expect(losses(b.history)).toEqual(losses(a.history));
    const c = await train({ ...base(freshDir()), seed: 6 });
    expect(losses(c.history)).not.toEqual(losses(a.history));
  });

  it("resumes from a checkpoint with the same subsequent losses, bit for bit", async () => {
    const whole = await train(base(freshDir()));
    const outDir = freshDir();
    const crash = new Error("simulated crash");
    await expect(
      train({
        ...base(outDir),
        checkpointEvery: 4,
        onStep: (r) => {
          if (r.step === 6) throw crash;
        },
      }),
    ).rejects.toBe(crash);
    expect(latestCheckpoint(join(outDir, "checkpoints"))).toMatch(/step-00000004$/);
    const progress: TrainProgress[] = [];
    const resumed = await train({
      ...base(outDir),
      checkpointEvery: 4,
      resume: true,
      onProgress: (p) => progress.push(p),
    });
    expect(resumed.stepsThisRun).toBe(8);
    expect(losses(resumed.history)).toEqual(losses(whole.history));
    for (const [n, p] of Object.entries(whole.model.params))
      expect(resumed.model.params[n]!.toArray()).toEqual(p.toArray());
    expect(progress.map((p) => p.step)).toEqual([5, 6, 7, 8, 9, 10, 11, 12]);
    expect(progress.at(-1)).toMatchObject({ totalSteps: 12, etaSec: 0 });
    expect(progress[0]!.tokensPerSec).toBeGreaterThan(0);
    // a different data order cannot silently continue this run
    await expect(train({ ...base(outDir), seed: 9, resume: true })).rejects.toMatchObject({
      code: "TRAIN_CHECKPOINT",
    });
  });

  it("a crash at any stage of a save leaves the previous checkpoint loadable", async () => {
    for (const stage of ["model", "optimizer", "state", "commit"] as SaveStage[]) {
      const outDir = freshDir();
      const ckpts = join(outDir, "checkpoints");
      const boom = (s: SaveStage, step: number) => {
        if (step === 4 && s === stage) throw new Error(`crash during ${s}`);
      };
      await expect(
        train({ ...base(outDir), steps: 4, checkpointEvery: 2, onCheckpointStage: boom }),
      ).rejects.toThrow(stage);
      const dir = latestCheckpoint(ckpts)!;
      expect(dir).toMatch(/step-00000002$/);
      expect(fs.readdirSync(ckpts).sort()).toEqual(["latest", "step-00000002"]);
      const ck = loadTrainingCheckpoint(dir);
      expect(ck.state.step).toBe(2);
      expect(ck.optimizer.step).toBe(2);
      await loadModel(ck.modelDir);
    }
  });

  it("stops after the current step on abort, with a checkpoint, and shows micro-batches", async () => {
    const outDir = freshDir();
    const ctl = new AbortController();
    const seen: [number, number, number][] = [];
    const r = await train({
      ...base(outDir),
      saveFinal: true,
      onMicroBatch: (b, k, step) => seen.push([step, k, b.exampleIds.length]),
      onStep: (s) => s.step === 3 && ctl.abort(),
      signal: ctl.signal,
    });
    expect(r).toMatchObject({ steps: 3, stepsThisRun: 3, stopped: true, finalDir: undefined });
    expect(r.checkpoint).toMatch(/step-00000003$/);
    expect(seen).toEqual(
      [0, 1, 2].flatMap((s) => [
        [s, 0, 2],
        [s, 1, 2],
      ]),
    );
  });

  it("ignores leftovers of a killed save and incomplete checkpoint directories", async () => {
    const outDir = freshDir();
    const ckpts = join(outDir, "checkpoints");
    await train({ ...base(outDir), steps: 2 });
    fs.mkdirSync(join(ckpts, ".tmp-step-00000003-1-abcd"), { recursive: true });
    fs.mkdirSync(join(ckpts, "step-00000099", "model"), { recursive: true });
    fs.writeFileSync(join(ckpts, "latest"), "step-00000099\n");
    expect(latestCheckpoint(ckpts)).toMatch(/step-00000002$/);
    const r = await train({ ...base(outDir), steps: 3, resume: true });
    expect(r.stepsThisRun).toBe(1);
    expect(fs.readdirSync(ckpts).sort()).toEqual(["latest", "step-00000002", "step-00000003"]);
  });
});
