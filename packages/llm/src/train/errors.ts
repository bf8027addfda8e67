// Typed errors of the training code. One class with stable codes, like KVCacheError, so callers
// (the CLI, resumable jobs) can branch on `err.code` without parsing messages.
import { XError } from "@x/tensor";

/** Stable codes of {@link TrainingError}. */
export type TrainingErrorCode =
  /** An option out of its domain (negative lr, batch of 0, betas outside [0, 1)...). */
  | "TRAIN_CONFIG"
  /** Documents or batches that cannot be used (empty, ids outside the vocabulary, no targets). */
  | "TRAIN_DATA"
  /** A loss or gradient norm that is NaN or infinite. */
  | "TRAIN_NONFINITE"
  /** A checkpoint that is missing, incomplete, or does not match the run being resumed. */
  | "TRAIN_CHECKPOINT"
  /** A data-parallel hook that returned gradients of the wrong names or shapes. */
  | "TRAIN_SYNC";

/**
 * A training failure, raised before the model or optimizer state is modified.
 *
 * ```ts
 * try { await train(config); }
 * catch (e) { if (e instanceof TrainingError && e.code === "TRAIN_NONFINITE") lowerLr(); }
 * ```
 */
export class TrainingError extends XError {
  declare readonly code: TrainingErrorCode;
  // biome-ignore lint/complexity/noUselessConstructor: narrows `code` to the training codes
  constructor(code: TrainingErrorCode, message: string) {
    super(code, message);
  }
}

/** Throws a TRAIN_CONFIG error unless `ok`. */
export function requireConfig(ok: boolean, message: string): asserts ok {
  if (!ok) throw new TrainingError("TRAIN_CONFIG", message);
}
