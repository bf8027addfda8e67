// loadModel: a local Hugging Face folder (config.json + safetensors, sharded or not) or a GGUF
// file -> LlamaModel.
import * as fs from "node:fs";
import { join } from "node:path";
import { openCheckpoint, type QTensor, quantize, type Tensor } from "@x/tensor";
import { type LlamaConfig, parseConfig } from "../config.js";
import { ConfigError, UsageError, WeightsError } from "../errors.js";
import { readGgufConfig } from "../gguf/config-from-gguf.js";
import { loadGguf } from "../gguf/load.js";
import { isGgufFile } from "../gguf/read.js";
import { type ModelDevice, moveModel, pickDevice } from "../model/device.js";
import { LlamaModel, type WeightQuantization } from "../model/llama.js";
import { parameterShapes } from "../model/parameters.js";

/** Options of {@link loadModel}. */
export interface LoadOptions {
  /** Compute dtype; only "f32" for now (f16/bf16 checkpoints are upcast). */
  dtype?: "f32";
  /** Quantize the layer projections while loading (embeddings, norms and the LM head stay f32). */
  quantize?: WeightQuantization;
  /** Also quantize the LM head (a quantized copy when tied; needs `quantize`). Default false. */
  quantizeHead?: boolean;
  /**
   * Where the dense weights live: "cpu" (default), "cuda" (quantized projections run the cuda
   * qmatmul), or "auto" (cuda when usable). Without a usable GPU, "cuda" falls back to the CPU
   * with one warning.
   */
  device?: ModelDevice;
  /**
   * GGUF files only: dequantize q8_0/q4_0 tensors to f32 (a fully dense model, e.g. for
   * training). Default false: they stay QTensors byte for byte.
   */
  dequantize?: boolean;
}

function readJson(path: string, field: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(path, "utf8");
  } catch {
    throw new ConfigError(field, `cannot read ${path}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ConfigError(field, `${path} is not valid JSON (${(err as Error).message})`);
  }
}

/**
 * Reads and validates `dir/config.json`, or the metadata of a GGUF file (see `readGgufConfig`).
 *
 * ```ts
 * const cfg = readConfig("./SmolLM2-135M");
 * ```
 */
export function readConfig(dir: string): LlamaConfig {
  if (isGgufFile(dir)) return readGgufConfig(dir);
  return parseConfig(readJson(join(dir, "config.json"), "(file)"));
}

/**
 * Loads a Llama-family model from a local Hugging Face folder: `config.json`,
 * `model.safetensors` or `model.safetensors.index.json` with its shards, and
 * `generation_config.json` when present. f16/bf16 weights are upcast to f32; with `quantize`,
 * each projection is quantized right after it is read (peak memory stays near the quantized size).
 * A path to a GGUF file (llama.cpp's format, recognized by its magic) goes to
 * {@link loadGguf} with the same options.
 *
 * ```ts
 * const model = await loadModel("./SmolLM2-135M", { quantize: "q4_0" });
 * const fromGguf = await loadModel("smollm2-135m-q8_0.gguf"); // q8_0 blocks kept as they are
 * ```
 */
export async function loadModel(dir: string, opts: LoadOptions = {}): Promise<LlamaModel> {
  if (isGgufFile(dir)) return loadGguf(dir, opts);
  if (opts.dtype !== undefined && opts.dtype !== "f32")
    throw new UsageError(
      `loadModel: dtype ${String(opts.dtype)} is not supported yet (only "f32")`,
    );
  const device = pickDevice(opts.device);
  if (opts.quantize !== undefined && opts.quantize !== "q8_0" && opts.quantize !== "q4_0") {
    throw new UsageError(
      `loadModel: quantize must be "q8_0" or "q4_0", got ${String(opts.quantize)}`,
    );
  }
  const config = readConfig(dir);
  const ckpt = openCheckpoint(dir);
  const weights: Record<string, Tensor | QTensor> = {};
  try {
    for (const name of Object.keys(parameterShapes(config))) {
      if (!ckpt.has(name)) throw new WeightsError(name, `is missing from ${dir}`);
      const t = ckpt.get(name, { dtype: "f32" });
      const proj =
        opts.quantize !== undefined &&
        name.startsWith("model.layers.") &&
        name.endsWith("_proj.weight");
      weights[name] = proj ? quantize(t, opts.quantize!) : t;
    }
  } finally {
    ckpt.close();
  }
  if (opts.quantizeHead && opts.quantize === undefined)
    throw new UsageError("loadModel: quantizeHead needs quantize");
  let model = new LlamaModel(config, weights);
  if (opts.quantizeHead) model = model.quantize(opts.quantize!, { head: true });
  if (device !== "cpu") model = moveModel(model, device);
  const gen = join(dir, "generation_config.json");
  if (fs.existsSync(gen))
    model.generationConfig = readJson(gen, "generation_config.json") as Record<string, unknown>;
  return model;
}
