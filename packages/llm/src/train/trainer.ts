// One optimizer step of full-parameter training: backward over micro-batches, the data-parallel
// hook, clipping by global norm, then AdamW at the scheduled learning rate. Nothing about the
// model is modified until every check of the step has passed.
import type { Tensor } from "@x/tensor";
import type { CausalLM, DataParallelHook, Gradient } from "../protocols.js";
import { accumulateGradients } from "./accumulate.js";
import { AdamW, type AdamWOptions, type AdamWState } from "./adamw.js";
import { clipGradNorm } from "./clip.js";
import { requireConfig, TrainingError } from "./errors.js";
import type { TokenBatch } from "./loss.js";
import { densify, toRowSparse, touchedRows } from "./row-sparse.js";
import { checkSchedule, type LrSchedule, learningRate } from "./schedule.js";

const EMBEDDING = "model.embed_tokens.weight";

/** Options of {@link Trainer}. */
export interface TrainerOptions {
  /** Learning-rate schedule (a number means constant, no warmup). */
  lr: number | LrSchedule;
  /** AdamW hyper-parameters (betas, eps, weightDecay, which parameters decay). */
  optimizer?: AdamWOptions;
  /** Clip the global gradient norm to this (default 1.0; Infinity disables clipping). */
  maxGradNorm?: number;
  /** Which dense parameters train (default all); the rest stay frozen and get no gradient. */
  trainable?: (name: string) => boolean;
  /** Called after backward, before clipping and the optimizer step (Zen's synchronizer). */
  dataParallel?: DataParallelHook;
  /**
   * Give the hook an untied embedding's gradient as a RowSparseGradient over the rows the step
   * read (default false). A tied embedding stays dense: the LM head touches every row.
   */
  sparseEmbeddingGrad?: boolean;
  /** Called before each micro-batch's forward (e.g. WTA-CRS `beginStep`). */
  onMicroBatch?: (batch: TokenBatch, index: number, step: number) => void;
}

/** What one {@link Trainer.step} did. */
export interface StepReport {
  /** Steps completed, this one included (1 after the first step); it used `lr = learningRate(schedule, step - 1)`. */
  step: number;
  /** Mean token loss of the step's micro-batches (before the update). */
  loss: number;
  lr: number;
  /** Global gradient norm before clipping (after the data-parallel hook). */
  gradNorm: number;
  clipped: boolean;
  /** Targets and input tokens in the step. */
  targets: number;
  tokens: number;
}

/** What a checkpoint needs from the trainer (the schedule position is `optimizer.step`). */
export interface TrainerState {
  optimizer: AdamWState;
}

/**
 * Full-parameter trainer of a causal LM (parameters updated in place). Gradients come from the
 * model's own forward, so a LinearOp installed with `model.setLinearOp` (WTA-CRS) is honoured.
 *
 * ```ts
 * const trainer = new Trainer(model, { lr: { kind: "cosine", peak: 3e-4, warmupSteps: 100, totalSteps: 2000 } });
 * const report = await trainer.step([{ inputIds, mask }]); // {step: 1, loss, lr, gradNorm, ...}
 * ```
 */
export class Trainer {
  readonly model: CausalLM;
  readonly optimizer: AdamW;
  readonly schedule: LrSchedule;
  readonly maxGradNorm: number;
  /** Names of the trained parameters. */
  readonly names: readonly string[];
  private readonly opts: TrainerOptions;

  constructor(model: CausalLM, opts: TrainerOptions) {
    this.model = model;
    this.opts = opts;
    this.schedule = typeof opts.lr === "number" ? { kind: "constant", peak: opts.lr } : opts.lr;
    checkSchedule(this.schedule);
    this.maxGradNorm = opts.maxGradNorm ?? 1.0;
    requireConfig(
      this.maxGradNorm > 0,
      `maxGradNorm must be > 0 (Infinity disables clipping), got ${this.maxGradNorm}`,
    );
    const all = model.namedParameters();
    const keep = opts.trainable ?? (() => true);
    this.names = Object.keys(all).filter(keep);
    requireConfig(this.names.length > 0, "no trainable parameters");
    for (const n of this.names) {
      const p = all[n]!;
      requireConfig(
        p.dtype === "f32" && p.isContiguous(),
        `parameter ${n} must be a contiguous f32 tensor to be trained in place`,
      );
    }
    this.optimizer = new AdamW(
      Object.fromEntries(this.names.map((n) => [n, all[n]!])),
      opts.optimizer,
    );
  }

  /** Optimizer steps taken so far (= the schedule position of the next step). */
  get stepCount(): number {
    return this.optimizer.stepCount;
  }

  /** Learning rate the next step will use. */
  get nextLr(): number {
    return learningRate(this.schedule, this.stepCount);
  }

  /** One optimizer step over `batches` (micro-batches accumulated into one gradient). */
  async step(batches: readonly TokenBatch[]): Promise<StepReport> {
    const stepIndex = this.stepCount;
    const onMicro = this.opts.onMicroBatch;
    const acc = accumulateGradients(this.model, batches, {
      names: this.names,
      ...(onMicro ? { onMicroBatch: (b: TokenBatch, k: number) => onMicro(b, k, stepIndex) } : {}),
    });
    let grads: Record<string, Tensor> = acc.grads;
    const hook = this.opts.dataParallel;
    if (hook) grads = await this.synchronize(hook, grads, batches, stepIndex);
    const clip = clipGradNorm(grads, this.maxGradNorm);
    if (!Number.isFinite(clip.norm))
      throw new TrainingError(
        "TRAIN_NONFINITE",
        `step ${stepIndex}: gradient norm is ${clip.norm}`,
      );
    const lr = learningRate(this.schedule, stepIndex);
    this.optimizer.step(this.model.namedParameters(), clip.grads, lr);
    // Device gradients are spent: free them now (the garbage collector does not see device
    // memory, so waiting for it runs a long run out of GPU memory).
    const spent = new Set([acc.grads, grads, clip.grads].flatMap((r) => Object.values(r)));
    for (const g of spent) if (g.device !== "cpu") g.dispose();
    return {
      step: stepIndex + 1,
      loss: acc.loss,
      lr,
      gradNorm: clip.norm,
      clipped: clip.scale !== 1,
      targets: acc.targets,
      tokens: acc.tokens,
    };
  }

  private async synchronize(
    hook: DataParallelHook,
    grads: Record<string, Tensor>,
    batches: readonly TokenBatch[],
    step: number,
  ): Promise<Record<string, Tensor>> {
    const all = this.model.namedParameters();
    const local: Record<string, Gradient> = { ...grads };
    const tied = !("lm_head.weight" in all);
    if (this.opts.sparseEmbeddingGrad && !tied && grads[EMBEDDING]) {
      local[EMBEDDING] = toRowSparse(grads[EMBEDDING], touchedRows(batches.map((b) => b.inputIds)));
    }
    const synced = await hook.synchronize(local, { step });
    const out: Record<string, Tensor> = {};
    for (const n of this.names) {
      const g = synced[n];
      if (g === undefined)
        throw new TrainingError("TRAIN_SYNC", `data-parallel hook returned no gradient for ${n}`);
      out[n] = densify(g, all[n]!.shape, n);
    }
    return out;
  }

  /** A copy of the optimizer state (moments and step). */
  state(): TrainerState {
    return { optimizer: this.optimizer.state() };
  }

  /** Restores a {@link Trainer.state}. */
  loadState(s: TrainerState): void {
    this.optimizer.loadState(s.optimizer);
  }
}
