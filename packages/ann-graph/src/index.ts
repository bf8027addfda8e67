// Public surface of @x/ann-graph.
export { AnnIndex } from "./ann-index.js";
export { type CalibrationStep, calibrate, estimateIntrinsicDim } from "./calibrate.js";
export { createIndex } from "./create.js";
export { countDuplicates, type Dataset, type DatasetSpec, generateDataset } from "./dataset.js";
export * from "./errors.js";
export { loadIndex, viewIndex } from "./file-format.js";
export { bruteForceKnn, recallAtK } from "./ground-truth.js";
export type {
  AllowList,
  BatchResult,
  IndexKind,
  IndexOptions,
  IndexStats,
  Metric,
  SearchOptions,
  SearchResult,
  SearchTrace,
  StorageDtype,
} from "./options.js";
export { SplitMix64 } from "./rng.js";
export type { VectorInput } from "./vectors.js";
