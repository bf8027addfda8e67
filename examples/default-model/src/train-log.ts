// `train-log.json` of a training run: the settings, the data, the sessions (one per invocation; a
// run stopped by its time limit continues in the next one), tokens seen, wall time and a summary
// of the loss curve. The model card is written from it.
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { MetricRecord } from "@x/llm";
import type { Architecture } from "./model-config.js";

/** Format tag of train-log.json. */
export const TRAIN_LOG_FORMAT = "x-default-model-train-log/1";

/** Everything that defines a run: a resumed invocation must repeat these exactly. */
export interface RunSettings {
  architecture: Architecture;
  seqLen: number;
  batchSize: number;
  gradAccumSteps: number;
  steps: number;
  lr: number;
  minLr: number;
  warmupSteps: number;
  schedule: "cosine";
  weightDecay: number;
  maxGradNorm: number;
  betas: [number, number];
  seed: number;
  initSeed: number;
  saveDtype: "f32" | "f16" | "bf16";
  /** Only the first N train passages (smoke runs); null: all. */
  maxPassages: number | null;
}

/** One invocation of the train command. */
export interface TrainSession {
  startedAt: string;
  device: string;
  threads: number | null;
  node: string;
  fromStep: number;
  toStep: number;
  wallSec: number;
  trainSec: number;
  stopped: boolean;
}

/** Held-out loss measured during training (evenly spread validation passages). */
export interface ValidationPoint {
  step: number;
  passages: number;
  tokens: number;
  nll: number;
  ppl: number;
}

/** The loss curve in brief. */
export interface LossSummary {
  first: number | null;
  last: number | null;
  min: number | null;
  /** Mean loss of the last (up to) 50 steps. */
  meanLast50: number | null;
  /** Mean loss over about 20 equal buckets of steps: [last step of the bucket, mean loss]. */
  curve: [number, number][];
}

/** train-log.json. */
export interface TrainLog {
  format: typeof TRAIN_LOG_FORMAT;
  /** The command that trains this run from scratch (and resumes it when rerun). */
  command: string;
  settings: RunSettings;
  model: { config: Record<string, unknown>; parameters: number };
  data: {
    dir: string;
    source: string;
    tokenizerSha256: string;
    passages: number;
    tokens: number;
    windows: number;
    targetsPerEpoch: number;
  };
  stepsDone: number;
  tokensSeen: number;
  epochs: number;
  finished: boolean;
  wallSec: number;
  trainSec: number;
  sessions: TrainSession[];
  loss: LossSummary;
  /** Validation loss every `evalEvery` steps and at the end (when the data has a validation split). */
  validation: ValidationPoint[];
  finalDir: string | null;
}

/**
 * The loss curve of `records` in brief (none when empty).
 *
 * ```ts
 * lossSummary(result.history).meanLast50;
 * ```
 */
export function lossSummary(records: readonly MetricRecord[], buckets = 20): LossSummary {
  if (records.length === 0)
    return { first: null, last: null, min: null, meanLast50: null, curve: [] };
  const losses = records.map((r) => r.loss);
  const tail = losses.slice(-50);
  const curve: [number, number][] = [];
  const size = Math.max(1, Math.ceil(records.length / buckets));
  for (let i = 0; i < records.length; i += size) {
    const part = records.slice(i, i + size);
    const mean = part.reduce((s, r) => s + r.loss, 0) / part.length;
    curve.push([part.at(-1)!.step, Number(mean.toFixed(4))]);
  }
  return {
    first: losses[0]!,
    last: losses.at(-1)!,
    min: Math.min(...losses),
    meanLast50: tail.reduce((s, x) => s + x, 0) / tail.length,
    curve,
  };
}

/** The run's train-log.json, or undefined when there is none yet. */
export function readTrainLog(runDir: string): TrainLog | undefined {
  const path = join(runDir, "train-log.json");
  if (!existsSync(path)) return undefined;
  const log = JSON.parse(readFileSync(path, "utf8")) as TrainLog;
  if (log.format !== TRAIN_LOG_FORMAT)
    throw new Error(`${path} has format ${String(log.format)}, expected ${TRAIN_LOG_FORMAT}`);
  return log;
}

/** Writes train-log.json atomically. */
export function writeTrainLog(runDir: string, log: TrainLog): void {
  const path = join(runDir, "train-log.json");
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(log, null, 2)}\n`);
  renameSync(tmp, path);
}

/**
 * The first setting where `now` differs from `before` (a resumed run must not change them), or
 * undefined when they agree.
 */
export function settingsDiff(before: RunSettings, now: RunSettings): string | undefined {
  const a = before as unknown as Record<string, unknown>;
  const b = now as unknown as Record<string, unknown>;
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (JSON.stringify(a[key]) !== JSON.stringify(b[key]))
      return `${key}: ${JSON.stringify(a[key])} before, ${JSON.stringify(b[key])} now`;
  }
  return undefined;
}
