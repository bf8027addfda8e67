// One invocation of the default model's training: the train split's token file packed into
// windows, a seeded Llama, @x/llm's train() (AdamW, warmup + cosine, clipping, atomic checkpoints),
// a wall-clock limit that stops cleanly with a checkpoint, and resumption by rerunning the same
// command. Reads only the prepared token files (no @x/corpus), so it bundles into one .mjs.
import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import {
  latestCheckpoint,
  moveModel,
  type PackedDataset,
  packDocuments,
  type TrainProgress,
  type TrainResult,
  train,
} from "@x/llm";
import { resolveDevice } from "./device.js";
import { heldOutPerplexity } from "./held-out.js";
import { type Architecture, initModel, modelConfig } from "./model-config.js";
import {
  checkTokenizer,
  passageDocuments,
  readSplit,
  spreadPassages,
  type TokenSplit,
  tokenizerSha256,
} from "./token-stream.js";
import {
  lossSummary,
  type RunSettings,
  readTrainLog,
  settingsDiff,
  TRAIN_LOG_FORMAT,
  type TrainLog,
  type TrainSession,
  type ValidationPoint,
  writeTrainLog,
} from "./train-log.js";

/** The tokenizer files copied into the final model folder. */
export const TOKENIZER_FILES = ["tokenizer.json", "tokenizer_config.json"];

/** What one invocation needs. */
export interface TrainRunOptions {
  dataDir: string;
  runDir: string;
  tokenizerDir: string;
  architecture: Architecture;
  seqLen: number;
  batchSize: number;
  gradAccumSteps: number;
  /** Optimizer steps; default `epochs` passes over the packed windows. */
  steps?: number;
  epochs: number;
  lr: number;
  minLr: number;
  /** Linear warmup steps (default min(100, steps / 20)). */
  warmupSteps?: number;
  weightDecay: number;
  maxGradNorm: number;
  betas: [number, number];
  /** Data-order seed. */
  seed: number;
  /** Weight-initialization seed. */
  initSeed: number;
  saveDtype: "f32" | "f16" | "bf16";
  /** Use only the first N train passages (smoke runs). */
  maxPassages?: number;
  device: string | undefined;
  threads?: number;
  checkpointEvery: number;
  keepCheckpoints?: number;
  /** Stop (with a checkpoint) so that the process ends before this many seconds. */
  timeLimitSec?: number;
  /** Seconds kept free at the end for the checkpoint and the logs (default min(20, limit / 10)). */
  stopMarginSec?: number;
  /** Measure validation loss every N steps and at the end (0: only at the end; default 0). */
  evalEvery?: number;
  /** Validation passages of those measurements, spread over the split (default 100). */
  evalPassages?: number;
  /** Called with each validation measurement. */
  onValidation?: (v: ValidationPoint) => void;
  /** The command line that runs this (recorded in train-log.json). */
  command: string;
  onProgress?: (p: TrainProgress) => void;
}

/** What an invocation did. */
export interface TrainRunResult {
  log: TrainLog;
  result: TrainResult;
  data: PackedDataset;
}

function copyTokenizer(from: string, to: string): void {
  for (const name of TOKENIZER_FILES)
    if (existsSync(join(from, name))) copyFileSync(join(from, name), join(to, name));
}

/**
 * Trains (or resumes) the run in `runDir`; `result.stopped` says whether the time limit cut it
 * short, in which case the same call again continues it.
 *
 * ```ts
 * const { log } = await runTraining({ dataDir: ".carry/sotu-tokens", runDir: "runs/sotu", ... });
 * ```
 */
export async function runTraining(o: TrainRunOptions): Promise<TrainRunResult> {
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const split = readSplit(o.dataDir, "train");
  checkTokenizer(split, tokenizerSha256(o.tokenizerDir), o.tokenizerDir);
  const a = o.architecture;
  const { vocabSize, bos, eos } = split.index.tokenizer;
  if (a.vocabSize !== vocabSize || a.bos !== bos || a.eos !== eos)
    throw new Error(
      `the model's vocabulary (${a.vocabSize}, bos ${a.bos}, eos ${a.eos}) is not the data's (${vocabSize}, bos ${bos}, eos ${eos})`,
    );
  const config = modelConfig(a);
  let docs = passageDocuments(split);
  if (o.maxPassages !== undefined) docs = docs.slice(0, o.maxPassages);
  const data = packDocuments(docs, { seqLen: o.seqLen, bos, eos, vocabSize });
  const perStep = o.batchSize * o.gradAccumSteps;
  const steps = o.steps ?? Math.max(1, Math.ceil((o.epochs * data.numWindows) / perStep));
  const warmupSteps = o.warmupSteps ?? Math.min(100, Math.floor(steps / 20));
  const settings: RunSettings = {
    architecture: { ...a },
    seqLen: o.seqLen,
    batchSize: o.batchSize,
    gradAccumSteps: o.gradAccumSteps,
    steps,
    lr: o.lr,
    minLr: o.minLr,
    warmupSteps,
    schedule: "cosine",
    weightDecay: o.weightDecay,
    maxGradNorm: o.maxGradNorm,
    betas: o.betas,
    seed: o.seed,
    initSeed: o.initSeed,
    saveDtype: o.saveDtype,
    maxPassages: o.maxPassages ?? null,
  };
  mkdirSync(o.runDir, { recursive: true });
  const previous = readTrainLog(o.runDir);
  const ckpt = latestCheckpoint(join(o.runDir, "checkpoints"));
  if (previous && ckpt) {
    const diff = settingsDiff(previous.settings, settings);
    if (diff)
      throw new Error(
        `${o.runDir} holds a run with other settings (${diff}); use another --out or --fresh`,
      );
  }
  const dev = resolveDevice(o.device, o.threads);
  let model = initModel(config, o.initSeed);
  // train({ resume: true }) restores the checkpoint's weights and optimizer state itself.
  if (dev.device !== "cpu") model = moveModel(model, dev.device);

  let heldOut: TokenSplit | undefined;
  if (existsSync(join(o.dataDir, "validation.json"))) {
    heldOut = readSplit(o.dataDir, "validation");
    checkTokenizer(heldOut, split.index.tokenizer.sha256, o.dataDir);
    heldOut = spreadPassages(heldOut, o.evalPassages ?? 100);
  }
  const validation: ValidationPoint[] = [];
  const measure = (step: number) => {
    if (!heldOut || validation.at(-1)?.step === step) return;
    const r = heldOutPerplexity(model, heldOut, { window: o.seqLen });
    const v = { step, passages: r.passages, tokens: r.tokens, nll: r.nll, ppl: r.ppl };
    validation.push(v);
    o.onValidation?.(v);
  };

  const controller = new AbortController();
  const margin = o.stopMarginSec ?? Math.min(20, 0.1 * (o.timeLimitSec ?? 0));
  let lastStepEnd = performance.now();
  const tTrain = performance.now();
  const result = await train({
    model,
    data,
    outDir: o.runDir,
    batchSize: o.batchSize,
    gradAccumSteps: o.gradAccumSteps,
    steps,
    lr: o.lr,
    minLr: o.minLr,
    schedule: "cosine",
    warmupSteps,
    optimizer: { weightDecay: o.weightDecay, betas: o.betas },
    maxGradNorm: o.maxGradNorm,
    seed: o.seed,
    checkpointEvery: o.checkpointEvery,
    ...(o.keepCheckpoints !== undefined ? { keepCheckpoints: o.keepCheckpoints } : {}),
    resume: true,
    saveDtype: o.saveDtype,
    signal: controller.signal,
    onStep: (r) => {
      const stepSec = (performance.now() - lastStepEnd) / 1000;
      if (o.evalEvery && r.step % o.evalEvery === 0) measure(r.step);
      lastStepEnd = performance.now();
      // Stop when one more step (with slack for a slow one) would eat into the margin.
      if (
        o.timeLimitSec !== undefined &&
        lastStepEnd / 1000 + 1.5 * stepSec + margin > o.timeLimitSec
      )
        controller.abort();
    },
    ...(o.onProgress ? { onProgress: o.onProgress } : {}),
  });
  const trainSec = (performance.now() - tTrain) / 1000;
  if (!result.stopped) measure(result.steps);
  if (result.finalDir) copyTokenizer(o.tokenizerDir, result.finalDir);
  const session: TrainSession = {
    startedAt,
    device: dev.description,
    threads: dev.threads,
    node: process.version,
    fromStep: result.steps - result.stepsThisRun,
    toStep: result.steps,
    wallSec: (performance.now() - t0) / 1000,
    trainSec,
    stopped: result.stopped,
  };
  const resumed = session.fromStep > 0;
  const sessions = [...(previous && resumed ? previous.sessions : []), session];
  const tokensSeen = result.history.at(-1)?.tokens ?? 0;
  const log: TrainLog = {
    format: TRAIN_LOG_FORMAT,
    command: o.command,
    settings,
    model: { config: { ...config.raw }, parameters: result.model.numParameters() },
    data: {
      dir: o.dataDir,
      source: split.index.source,
      tokenizerSha256: split.index.tokenizer.sha256,
      passages: docs.length,
      tokens: docs.reduce((s, d) => s + d.length + 2, 0),
      windows: data.numWindows,
      targetsPerEpoch: data.targets,
    },
    stepsDone: result.steps,
    tokensSeen,
    epochs: tokensSeen / (data.numWindows * data.seqLen),
    finished: !result.stopped && result.steps >= steps,
    wallSec: sessions.reduce((s, x) => s + x.wallSec, 0),
    trainSec: sessions.reduce((s, x) => s + x.trainSec, 0),
    sessions,
    loss: lossSummary(result.history),
    validation: [
      ...(previous && resumed
        ? (previous.validation ?? []).filter(
            (v) => v.step <= session.fromStep && !validation.some((n) => n.step === v.step),
          )
        : []),
      ...validation,
    ],
    finalDir: result.finalDir ?? null,
  };
  writeTrainLog(o.runDir, log);
  return { log, result, data };
}
