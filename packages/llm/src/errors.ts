// Typed errors of @x/llm. Each extends @x/tensor's XError, so `err.code` is stable for programs.
import { XError } from "@x/tensor";

/**
 * A Hugging Face `config.json` value that is missing, malformed or unsupported; `field` names the
 * JSON key (dotted for nested keys, e.g. `rope_scaling.rope_type`). For a GGUF file, `field` is
 * the metadata key (`llama.block_count`, `general.architecture`) and `source` is "GGUF".
 *
 * ```ts
 * try { parseConfig({ ...json, hidden_act: "gelu" }); }
 * catch (e) { if (e instanceof ConfigError) console.log(e.field); } // "hidden_act"
 * ```
 */
export class ConfigError extends XError {
  readonly field: string;
  constructor(field: string, message: string, source = "config.json") {
    super("E_CONFIG", `${source} "${field}": ${message}`);
    this.field = field;
  }
}

/**
 * Model weights that do not match the config: a missing, unexpected or mis-shaped tensor.
 * `tensor` is the Hugging Face state-dict name.
 *
 * ```ts
 * // WeightsError: model.norm.weight: missing from ./model
 * ```
 */
export class WeightsError extends XError {
  readonly tensor: string;
  constructor(tensor: string, message: string) {
    super("E_WEIGHTS", `${tensor}: ${message}`);
    this.tensor = tensor;
  }
}

/** Stable codes of {@link KVCacheError} (shared with every KV-cache implementation). */
export type KVCacheErrorCode =
  | "KV_SHAPE"
  | "KV_DTYPE"
  | "KV_CONFIG"
  | "KV_CAPACITY"
  | "KV_NONFINITE"
  | "KV_RANGE"
  | "KV_STATE"
  | "KV_SNAPSHOT"
  | "KV_DISPOSED"
  | "KV_UNSUPPORTED";

/**
 * A KV-cache protocol violation, thrown before any cache state is mutated.
 *
 * ```ts
 * throw new KVCacheError("KV_SHAPE", "k [1, 2, 3, 64] does not match nKvHeads 4");
 * ```
 */
export class KVCacheError extends XError {
  declare readonly code: KVCacheErrorCode;
  // biome-ignore lint/complexity/noUselessConstructor: narrows `code` to KVCacheErrorCode.
  constructor(code: KVCacheErrorCode, message: string) {
    super(code, message);
  }
}

/**
 * Invalid generation, loss or evaluation options (bad token ids, empty prompts, a window larger
 * than the model's context...).
 *
 * ```ts
 * // UsageError: generate: prompt 1 is empty
 * ```
 */
export class UsageError extends XError {
  constructor(message: string) {
    super("E_USAGE", message);
  }
}
