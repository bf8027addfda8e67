// The options object of train() (what `x-llm train` maps its flags to) and what it returns.
import type { LlamaModel } from "../model/llama.js";
import type { DataParallelHook, LinearOp } from "../protocols.js";
import type { AdamWOptions } from "./adamw.js";
import type { MicroBatch } from "./batches.js";
import type { SaveStage } from "./checkpoint.js";
import type { PackedDataset, PackOptions, TrainDocument } from "./data.js";
import type { MetricRecord } from "./metrics.js";
import type { TrainProgress } from "./progress.js";
import type { LrSchedule } from "./schedule.js";
import type { StepReport } from "./trainer.js";

/**
 * Options of `train()` (what `x-llm train` maps its flags to). Only `model`, `data`, `outDir`,
 * `batchSize` (and `seqLen` for documents) are required.
 *
 * ```ts
 * const config: TrainConfig = {
 *   model: "./SmolLM2-135M", data: [{ prompt: [1, 5, 9], response: [7, 3] }], outDir: "./run",
 *   seqLen: 512, batchSize: 4, gradAccumSteps: 8, epochs: 3, lr: 2e-4, warmupSteps: 20,
 *   checkpointEvery: 100, resume: true,
 * };
 * ```
 */
export interface TrainConfig {
  /** A Hugging Face folder or a GGUF file to load (q8_0/q4_0 tensors dequantized to f32), or a loaded model (trained in place). */
  model: string | LlamaModel;
  /** Device a folder is loaded onto: "cpu" (default), "cuda" or "auto" (see loadModel). */
  device?: "cpu" | "cuda" | "auto";
  /** Tokenized documents (packed here) or an already packed dataset. */
  data: Iterable<TrainDocument> | PackedDataset;
  /** Run directory: `checkpoints/`, `final/`, `metrics.csv`, `metrics.json`. */
  outDir: string;
  /** Window length when packing documents (required unless `data` is packed). */
  seqLen?: number;
  /** Packing options; bos/eos default to the model config's ids (null disables). */
  packing?: Omit<PackOptions, "seqLen" | "vocabSize">;
  /** Windows per micro-batch. */
  batchSize: number;
  /** Micro-batches per optimizer step (default 1). */
  gradAccumSteps?: number;
  /** Optimizer steps in the run; default from `epochs`. */
  steps?: number;
  /** Passes over the data when `steps` is not given (default 1). */
  epochs?: number;
  /** Peak learning rate (default 3e-4), or a full schedule. */
  lr?: number | LrSchedule;
  /** With a numeric lr: "cosine" (default) or "constant". */
  schedule?: "cosine" | "constant";
  /** With a numeric lr: linear warmup steps (default 0). */
  warmupSteps?: number;
  /** With a numeric lr and "cosine": the floor (default lr / 10). */
  minLr?: number;
  /** AdamW betas, eps, weightDecay (default 0.01) and which parameters decay. */
  optimizer?: AdamWOptions;
  /** Global-norm clipping (default 1.0; Infinity disables). */
  maxGradNorm?: number;
  /** Seed of the data order (default 0). */
  seed?: number;
  /** Shuffle windows each epoch (default true). */
  shuffle?: boolean;
  /** Save a checkpoint every this many steps (default 0: only at the end). */
  checkpointEvery?: number;
  /** Checkpoints kept (default 2). */
  keepCheckpoints?: number;
  /** Continue from `outDir/checkpoints` when one exists (true), or from this checkpoint directory. */
  resume?: boolean | string;
  /** Write the trained model to `outDir/final` (default true) in this dtype (default f32). */
  saveFinal?: boolean;
  saveDtype?: "f32" | "f16" | "bf16";
  /** Rewrite the metrics files every this many steps (default 50, and at checkpoints and the end). */
  flushEvery?: number;
  /** Which parameters train (default all). */
  trainable?: (name: string) => boolean;
  /** Installed on the model before training (e.g. WTA-CRS's op). */
  linearOp?: LinearOp;
  dataParallel?: DataParallelHook;
  sparseEmbeddingGrad?: boolean;
  /** Before each micro-batch's forward: `index` within the step, `step` = 0-based step index (WTA-CRS `beginStep(batch.exampleIds)`). */
  onMicroBatch?: (batch: MicroBatch, index: number, step: number) => void;
  /** After each optimizer step. */
  onStep?: (r: StepReport) => void;
  onProgress?: (p: TrainProgress) => void;
  /** Stop after the current step, checkpoint and return (`stopped: true`). */
  signal?: AbortSignal;
  /** Test hook: runs before each stage of every checkpoint save. */
  onCheckpointStage?: (stage: SaveStage, step: number) => void;
}

/** What `train()` returns. */
export interface TrainResult {
  model: LlamaModel;
  /** Steps completed in total, and in this call. */
  steps: number;
  stepsThisRun: number;
  totalSteps: number;
  /** Loss of the last step (NaN when no step ran). */
  finalLoss: number;
  /** The loss curve (resumed runs include the earlier records). */
  history: readonly MetricRecord[];
  /** Last checkpoint written, and the final model folder. */
  checkpoint: string | undefined;
  finalDir: string | undefined;
  stopped: boolean;
}
