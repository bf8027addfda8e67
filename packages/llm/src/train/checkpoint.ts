// Training checkpoints: the model in the Hugging Face layout (saveModel), the AdamW moments, and a
// JSON state (step, data cursor, run settings). Each checkpoint is built in a temporary directory,
// fsynced and renamed into place, then a `latest` pointer is replaced atomically: a crash at any
// point leaves the previous checkpoint complete and findable.
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import { join } from "node:path";
import {
  fsyncDirectory,
  loadSafetensors,
  openCheckpoint,
  writeFileAtomic,
  writeInto,
  writeSafetensors,
} from "@x/tensor";
import { saveModel } from "../io/save.js";
import type { LlamaModel } from "../model/llama.js";
import type { AdamWState } from "./adamw.js";
import type { DataCursor } from "./batches.js";
import { TrainingError } from "./errors.js";

/** Format tag of `trainer_state.json`. */
export const TRAIN_STATE_FORMAT = "x-llm-train/1";
const STATE_FILE = "trainer_state.json";
const OPTIMIZER_FILE = "optimizer.safetensors";
const LATEST = "latest";
const STEP_DIR = /^step-(\d+)$/;

/** Contents of `trainer_state.json`. All randomness of a run is a pure function of (seed, data cursor). */
export interface TrainState {
  format: typeof TRAIN_STATE_FORMAT;
  /** Optimizer steps completed (= the schedule position of the next step). */
  step: number;
  /** Where the next batch starts. */
  data: DataCursor;
  /** Input tokens processed so far. */
  tokensSeen: number;
  /** Settings a resumed run must share (seed, batch shape, data fingerprint...). */
  run: Record<string, string | number | boolean>;
}

/** Stages of {@link saveTrainingCheckpoint}; `onStage` runs before each (tests inject crashes there). */
export type SaveStage = "model" | "optimizer" | "state" | "commit";

/** Options of {@link saveTrainingCheckpoint}. */
export interface SaveTrainingOptions {
  /** Keep this many newest checkpoints (default 2; older ones are removed after the commit). */
  keep?: number;
  onStage?: (stage: SaveStage) => void;
}

function writeText(path: string, text: string): void {
  const bytes = new TextEncoder().encode(text);
  writeFileAtomic(path, (fd) => {
    let done = 0;
    while (done < bytes.length) done += fs.writeSync(fd, bytes, done);
  });
}

/** Step checkpoints under `root`, newest first: [step, directory name]. */
function stepDirs(root: string): [number, string][] {
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root)
    .map((n) => [Number(STEP_DIR.exec(n)?.[1] ?? Number.NaN), n] as [number, string])
    .filter(([s]) => Number.isInteger(s))
    .sort((a, b) => b[0] - a[0]);
}

/**
 * Writes `root/step-NNNNNNNN/` ({model/, optimizer.safetensors, trainer_state.json}) atomically
 * and points `root/latest` at it; returns its path. Leftover temporary directories of crashed
 * saves are removed.
 *
 * ```ts
 * saveTrainingCheckpoint("./run/checkpoints", model, trainer.state().optimizer, state);
 * ```
 */
export function saveTrainingCheckpoint(
  root: string,
  model: LlamaModel,
  optimizer: AdamWState,
  state: TrainState,
  opts: SaveTrainingOptions = {},
): string {
  fs.mkdirSync(root, { recursive: true });
  const name = `step-${String(state.step).padStart(8, "0")}`;
  const tmp = join(root, `.tmp-${name}-${process.pid}-${randomBytes(4).toString("hex")}`);
  const final = join(root, name);
  try {
    fs.mkdirSync(tmp);
    opts.onStage?.("model");
    saveModel(model, join(tmp, "model"));
    opts.onStage?.("optimizer");
    writeSafetensors(join(tmp, OPTIMIZER_FILE), optimizer.moments, {
      format: "x-llm-adamw",
      step: String(optimizer.step),
    });
    opts.onStage?.("state");
    writeText(join(tmp, STATE_FILE), `${JSON.stringify(state, null, 2)}\n`);
    fsyncDirectory(join(tmp, "model"));
    fsyncDirectory(tmp);
    opts.onStage?.("commit");
    // A checkpoint of the same step (a resumed run passing it again) is moved aside, not merged.
    const aside = fs.existsSync(final) ? `${tmp}-old` : undefined;
    if (aside) fs.renameSync(final, aside);
    fs.renameSync(tmp, final);
    fsyncDirectory(root);
    writeText(join(root, LATEST), `${name}\n`);
    if (aside) fs.rmSync(aside, { recursive: true, force: true });
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  for (const n of fs.readdirSync(root))
    if (n.startsWith(".tmp-")) fs.rmSync(join(root, n), { recursive: true, force: true });
  // Keep the new checkpoint and the newest complete others; incomplete ones are debris.
  const others = stepDirs(root).filter(([, n]) => n !== name);
  const stale = others.filter(([, n]) => !complete(join(root, n)));
  const old = others
    .filter(([, n]) => complete(join(root, n)))
    .slice(Math.max(1, opts.keep ?? 2) - 1);
  for (const [, n] of [...stale, ...old])
    fs.rmSync(join(root, n), { recursive: true, force: true });
  return final;
}

/** True when `dir` holds a complete checkpoint (its state file is the last thing written). */
function complete(dir: string): boolean {
  return (
    fs.existsSync(join(dir, STATE_FILE)) &&
    fs.existsSync(join(dir, OPTIMIZER_FILE)) &&
    fs.existsSync(join(dir, "model", "config.json"))
  );
}

/**
 * The newest complete checkpoint under `root`: the one `latest` names, else the highest step
 * directory that is complete; undefined when there is none.
 *
 * ```ts
 * const dir = latestCheckpoint("./run/checkpoints"); // "./run/checkpoints/step-00000200"
 * ```
 */
export function latestCheckpoint(root: string): string | undefined {
  const pointer = join(root, LATEST);
  if (fs.existsSync(pointer)) {
    const dir = join(root, fs.readFileSync(pointer, "utf8").trim());
    if (complete(dir)) return dir;
  }
  for (const [, n] of stepDirs(root)) if (complete(join(root, n))) return join(root, n);
  return undefined;
}

/** A checkpoint read back by {@link loadTrainingCheckpoint}. */
export interface LoadedCheckpoint {
  dir: string;
  state: TrainState;
  optimizer: AdamWState;
  /** The Hugging Face model folder inside the checkpoint (loadModel can open it). */
  modelDir: string;
}

/**
 * Reads a checkpoint directory written by {@link saveTrainingCheckpoint} (TRAIN_CHECKPOINT errors
 * when it is incomplete or of another format).
 *
 * ```ts
 * const ck = loadTrainingCheckpoint(latestCheckpoint("./run/checkpoints")!);
 * restoreWeights(model, ck.modelDir);
 * trainer.loadState({ optimizer: ck.optimizer });
 * ```
 */
export function loadTrainingCheckpoint(dir: string): LoadedCheckpoint {
  if (!complete(dir))
    throw new TrainingError("TRAIN_CHECKPOINT", `${dir} is not a complete training checkpoint`);
  let state: TrainState;
  try {
    state = JSON.parse(fs.readFileSync(join(dir, STATE_FILE), "utf8")) as TrainState;
  } catch (err) {
    throw new TrainingError(
      "TRAIN_CHECKPOINT",
      `${join(dir, STATE_FILE)} is not valid JSON (${(err as Error).message})`,
    );
  }
  if (state.format !== TRAIN_STATE_FORMAT || !Number.isInteger(state.step)) {
    throw new TrainingError(
      "TRAIN_CHECKPOINT",
      `${join(dir, STATE_FILE)} has format ${String(state.format)}, expected ${TRAIN_STATE_FORMAT}`,
    );
  }
  const { tensors, metadata } = loadSafetensors(join(dir, OPTIMIZER_FILE));
  const step = Number(metadata?.step);
  if (step !== state.step)
    throw new TrainingError(
      "TRAIN_CHECKPOINT",
      `${dir}: optimizer step ${metadata?.step} does not match state step ${state.step}`,
    );
  return { dir, state, optimizer: { step, moments: tensors }, modelDir: join(dir, "model") };
}

/**
 * Copies the weights of a Hugging Face folder into `model`'s dense parameters in place (so a
 * LinearOp set on the model survives a resume), on whatever device they live. Every parameter
 * must be present with its shape.
 *
 * ```ts
 * restoreWeights(model, "./run/checkpoints/step-00000200/model");
 * ```
 */
export function restoreWeights(model: LlamaModel, modelDir: string): void {
  const ckpt = openCheckpoint(modelDir);
  try {
    for (const [name, p] of Object.entries(model.params)) {
      if (!ckpt.has(name))
        throw new TrainingError("TRAIN_CHECKPOINT", `${modelDir} has no ${name}`);
      const t = ckpt.get(name, { dtype: "f32" });
      if (t.size !== p.size)
        throw new TrainingError(
          "TRAIN_CHECKPOINT",
          `${modelDir}: ${name} has ${t.size} elements, the model ${p.size}`,
        );
      // data() of a device tensor is a host copy: write device parameters through the device.
      if (p.device === "cpu") (p.data() as Float32Array).set(t.data() as Float32Array);
      else {
        const onDevice = t.reshape(p.shape).to(p.device);
        writeInto(p, onDevice);
        onDevice.dispose();
      }
    }
  } finally {
    ckpt.close();
  }
}
