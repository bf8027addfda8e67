// Public surface of @x/llm. Each line re-exports one module.

export { type CliIO, main as runCli } from "./cli/index.js";
export * from "./config.js";
export * from "./errors.js";
export {
  type Completion,
  complete,
  type FinishReason,
  type GenerateOptions,
  type GenerationStep,
  generate,
} from "./generate/generate.js";
export {
  applyRepetitionPenalty,
  argmax,
  checkSampling,
  chooseToken,
  type SamplingOptions,
  samplingDistribution,
} from "./generate/sampling.js";
export { matchesStopSequence } from "./generate/stopping.js";
export * from "./gguf/index.js";
export { type LoadOptions, loadModel, readConfig } from "./io/load.js";
export { type SaveOptions, saveModel } from "./io/save.js";
export * from "./kv.js";
export { type ModelDevice, modelDevice, moveModel, pickDevice } from "./model/device.js";
export { defaultLinear, quantLinear } from "./model/linear.js";
export { LlamaModel, type WeightQuantization } from "./model/llama.js";
export { windowMask } from "./model/masks.js";
export { LAYER_PROJECTIONS, linearTarget, parameterShapes } from "./model/parameters.js";
export { type PerplexityResult, perplexity } from "./perplexity.js";
export * from "./protocols.js";
export * from "./tokenizer/index.js";
export {
  type AccumulatedGradients,
  type AccumulateOptions,
  accumulateGradients,
} from "./train/accumulate.js";
export {
  AdamW,
  type AdamWOptions,
  type AdamWState,
  type DecayFilter,
  decayMatricesOnly,
} from "./train/adamw.js";
export {
  BatchSampler,
  type BatchSamplerOptions,
  type DataCursor,
  epochOrder,
  type MicroBatch,
} from "./train/batches.js";
export {
  type LoadedCheckpoint,
  latestCheckpoint,
  loadTrainingCheckpoint,
  restoreWeights,
  type SaveStage,
  type SaveTrainingOptions,
  saveTrainingCheckpoint,
  TRAIN_STATE_FORMAT,
  type TrainState,
} from "./train/checkpoint.js";
export { type ClipResult, clipGradNorm, globalNorm } from "./train/clip.js";
export {
  type PackedDataset,
  type PackOptions,
  packDocuments,
  type TrainDocument,
} from "./train/data.js";
export { TrainingError, type TrainingErrorCode } from "./train/errors.js";
export {
  causalLmLoss,
  type ExampleGradientOptions,
  type ExampleGradients,
  maskedLabels,
  perExampleGradients,
  type TokenBatch,
  type TokenMask,
  tokenLoss,
} from "./train/loss.js";
export { type MetricRecord, MetricsLog } from "./train/metrics.js";
export { formatProgress, ProgressMeter, type TrainProgress } from "./train/progress.js";
export { densify, isRowSparse, toRowSparse, touchedRows } from "./train/row-sparse.js";
export { checkSchedule, type LrSchedule, learningRate } from "./train/schedule.js";
export { type TrainConfig, type TrainResult, train } from "./train/train.js";
export {
  type StepReport,
  Trainer,
  type TrainerOptions,
  type TrainerState,
} from "./train/trainer.js";
