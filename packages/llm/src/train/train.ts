// train(config): the whole loop the CLI runs. Packs the data, steps the Trainer, logs the loss
// curve, reports progress, checkpoints atomically and resumes bit for bit.
import * as fs from "node:fs";
import { join } from "node:path";
import { loadModel } from "../io/load.js";
import { saveModel } from "../io/save.js";
import type { LlamaModel } from "../model/llama.js";
import { BatchSampler } from "./batches.js";
import {
  latestCheckpoint,
  loadTrainingCheckpoint,
  restoreWeights,
  type SaveStage,
  saveTrainingCheckpoint,
  TRAIN_STATE_FORMAT,
  type TrainState,
} from "./checkpoint.js";
import { type PackedDataset, packDocuments } from "./data.js";
import { requireConfig, TrainingError } from "./errors.js";
import { MetricsLog } from "./metrics.js";
import { ProgressMeter } from "./progress.js";
import type { LrSchedule } from "./schedule.js";
import type { TrainConfig, TrainResult } from "./train-config.js";
import { Trainer } from "./trainer.js";

export type { TrainConfig, TrainResult } from "./train-config.js";

function resolveSchedule(c: TrainConfig, totalSteps: number): LrSchedule {
  if (typeof c.lr === "object") return c.lr;
  const peak = c.lr ?? 3e-4;
  const warmupSteps = c.warmupSteps ?? 0;
  if ((c.schedule ?? "cosine") === "constant") return { kind: "constant", peak, warmupSteps };
  return { kind: "cosine", peak, warmupSteps, totalSteps, minLr: c.minLr ?? peak / 10 };
}

function isPacked(d: TrainConfig["data"]): d is PackedDataset {
  return (
    (d as PackedDataset).tokens instanceof Int32Array &&
    typeof (d as PackedDataset).seqLen === "number"
  );
}

/** Writes a model folder next to `dir` and renames it over `dir`. */
function saveFinalModel(model: LlamaModel, dir: string, dtype: "f32" | "f16" | "bf16"): void {
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  saveModel(model, tmp, { dtype });
  const old = `${dir}.old-${process.pid}`;
  if (fs.existsSync(dir)) fs.renameSync(dir, old);
  fs.renameSync(tmp, dir);
  fs.rmSync(old, { recursive: true, force: true });
}

/**
 * Full-parameter training of a Llama-family model with AdamW, warmup + cosine (or constant)
 * learning rate, global-norm clipping and gradient accumulation; deterministic under `seed`.
 * Checkpoints (model + optimizer + data cursor) are atomic, and `resume: true` continues with the
 * same losses, bit for bit, as a run that was never interrupted.
 *
 * ```ts
 * const result = await train({
 *   model: "./SmolLM2-135M", data: documents, outDir: "./run", seqLen: 256, batchSize: 8,
 *   gradAccumSteps: 4, epochs: 2, lr: 3e-4, warmupSteps: 50, checkpointEvery: 200, resume: true,
 *   onProgress: (p) => process.stderr.write(`\r${formatProgress(p)}`),
 * });
 * ```
 */
export async function train(c: TrainConfig): Promise<TrainResult> {
  const accum = c.gradAccumSteps ?? 1;
  requireConfig(
    Number.isInteger(accum) && accum >= 1,
    `gradAccumSteps must be an integer >= 1, got ${accum}`,
  );
  requireConfig(
    Number.isInteger(c.batchSize) && c.batchSize >= 1,
    `batchSize must be an integer >= 1, got ${c.batchSize}`,
  );
  const seed = c.seed ?? 0;
  const shuffle = c.shuffle ?? true;
  const model =
    typeof c.model === "string"
      ? await loadModel(c.model, { dequantize: true, ...(c.device ? { device: c.device } : {}) })
      : c.model;
  if (c.linearOp) model.setLinearOp(c.linearOp);
  const cfg = model.config;
  let data: PackedDataset;
  if (isPacked(c.data)) {
    data = c.data;
    for (const id of data.tokens)
      if (id < 0 || id >= cfg.vocabSize)
        throw new TrainingError(
          "TRAIN_DATA",
          `packed data holds token ${id}, outside the vocabulary [0, ${cfg.vocabSize})`,
        );
  } else {
    requireConfig(c.seqLen !== undefined, "seqLen is required to pack documents");
    const p = c.packing ?? {};
    const bos = p.bos === undefined ? cfg.bosTokenId : p.bos;
    const eos = p.eos === undefined ? cfg.eosTokenIds[0] : p.eos;
    data = packDocuments(c.data, {
      ...p,
      seqLen: c.seqLen,
      bos: bos ?? null,
      eos: eos ?? null,
      vocabSize: cfg.vocabSize,
    });
  }
  requireConfig(
    data.seqLen <= cfg.maxPositionEmbeddings,
    `seqLen ${data.seqLen} exceeds the model's ${cfg.maxPositionEmbeddings} positions`,
  );
  const perStep = c.batchSize * accum;
  const totalSteps = c.steps ?? Math.ceil(((c.epochs ?? 1) * data.numWindows) / perStep);
  requireConfig(
    Number.isInteger(totalSteps) && totalSteps >= 1,
    `steps must be an integer >= 1, got ${totalSteps}`,
  );
  const trainer = new Trainer(model, {
    lr: resolveSchedule(c, totalSteps),
    ...(c.optimizer ? { optimizer: c.optimizer } : {}),
    ...(c.maxGradNorm !== undefined ? { maxGradNorm: c.maxGradNorm } : {}),
    ...(c.trainable ? { trainable: c.trainable } : {}),
    ...(c.dataParallel ? { dataParallel: c.dataParallel } : {}),
    ...(c.sparseEmbeddingGrad ? { sparseEmbeddingGrad: true } : {}),
    // train() only ever passes MicroBatch objects to the trainer.
    ...(c.onMicroBatch
      ? { onMicroBatch: c.onMicroBatch as (b: unknown, k: number, s: number) => void }
      : {}),
  });
  const run = {
    seqLen: data.seqLen,
    numWindows: data.numWindows,
    fingerprint: data.fingerprint,
    batchSize: c.batchSize,
    gradAccumSteps: accum,
    seed,
    shuffle,
  };
  const ckptRoot = join(c.outDir, "checkpoints");
  let cursor = { epoch: 0, index: 0 };
  let tokensSeen = 0;
  let resumed: number | undefined;
  if (c.resume) {
    // A string names a checkpoint directory or a root holding several (the newest is taken).
    const dir =
      typeof c.resume === "string"
        ? (latestCheckpoint(c.resume) ?? c.resume)
        : latestCheckpoint(ckptRoot);
    if (dir) {
      const ck = loadTrainingCheckpoint(dir);
      for (const [k, v] of Object.entries(run)) {
        if (ck.state.run[k] !== v)
          throw new TrainingError(
            "TRAIN_CHECKPOINT",
            `${dir} was written with ${k} = ${String(ck.state.run[k])}, this run has ${String(v)}`,
          );
      }
      restoreWeights(model, ck.modelDir);
      trainer.loadState({ optimizer: ck.optimizer });
      cursor = ck.state.data;
      tokensSeen = ck.state.tokensSeen;
      resumed = ck.state.step;
    }
  }
  const sampler = new BatchSampler(data, { batchSize: c.batchSize, seed, shuffle }, cursor);
  const metrics = new MetricsLog(c.outDir, resumed ?? 0);
  const startStep = trainer.stepCount;
  const meter = new ProgressMeter(totalSteps, startStep);
  const flushEvery = c.flushEvery ?? 50;
  let checkpoint: string | undefined;
  let lastSaved = resumed;
  let finalLoss = Number.NaN;
  let stopped = false;
  const save = () => {
    const step = trainer.stepCount;
    const state: TrainState = {
      format: TRAIN_STATE_FORMAT,
      step,
      data: sampler.cursor,
      tokensSeen,
      run,
    };
    checkpoint = saveTrainingCheckpoint(ckptRoot, model, trainer.state().optimizer, state, {
      ...(c.keepCheckpoints !== undefined ? { keep: c.keepCheckpoints } : {}),
      ...(c.onCheckpointStage ? { onStage: (s: SaveStage) => c.onCheckpointStage!(s, step) } : {}),
    });
    lastSaved = step;
    metrics.flush();
  };
  while (trainer.stepCount < totalSteps) {
    if (c.signal?.aborted) {
      stopped = true;
      break;
    }
    const batches = Array.from({ length: accum }, () => sampler.next());
    const r = await trainer.step(batches);
    tokensSeen += r.tokens;
    finalLoss = r.loss;
    const rate = meter.update(r.step, r.tokens);
    metrics.add({
      step: r.step,
      loss: r.loss,
      lr: r.lr,
      gradNorm: r.gradNorm,
      tokens: tokensSeen,
      tokensPerSec: rate.tokensPerSec,
      elapsedSec: rate.elapsedSec,
    });
    c.onStep?.(r);
    c.onProgress?.({
      step: r.step,
      totalSteps,
      epoch: sampler.epochsDone,
      loss: r.loss,
      lr: r.lr,
      gradNorm: r.gradNorm,
      tokens: tokensSeen,
      ...rate,
    });
    if (c.checkpointEvery && r.step % c.checkpointEvery === 0) save();
    else if (r.step % flushEvery === 0) metrics.flush();
  }
  if (lastSaved !== trainer.stepCount) save();
  metrics.flush();
  let finalDir: string | undefined;
  if (!stopped && (c.saveFinal ?? true)) {
    finalDir = join(c.outDir, "final");
    saveFinalModel(model, finalDir, c.saveDtype ?? "f32");
  }
  return {
    model,
    steps: trainer.stepCount,
    stepsThisRun: trainer.stepCount - startStep,
    totalSteps,
    finalLoss,
    history: metrics.records,
    checkpoint,
    finalDir,
    stopped,
  };
}
