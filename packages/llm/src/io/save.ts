// saveModel: LlamaModel -> a Hugging Face folder transformers can load (from_pretrained).
import * as fs from "node:fs";
import { join } from "node:path";
import { cast, saveCheckpoint, type Tensor, writeFileAtomic } from "@x/tensor";
import { UsageError } from "../errors.js";
import type { LlamaModel } from "../model/llama.js";

/** Options of {@link saveModel}. */
export interface SaveOptions {
  /** Dtype of the saved weights (default "f32"); config.json's torch_dtype follows it. */
  dtype?: "f32" | "f16" | "bf16";
  /** Largest shard in bytes (default 5 GB, as transformers). */
  maxShardBytes?: number;
}

const TORCH_DTYPE = { f32: "float32", f16: "float16", bf16: "bfloat16" } as const;

function writeJson(path: string, value: unknown): void {
  const bytes = new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);
  writeFileAtomic(path, (fd) => {
    let done = 0;
    while (done < bytes.length) done += fs.writeSync(fd, bytes, done);
  });
}

/**
 * Writes `config.json`, the weights as safetensors (sharded above `maxShardBytes`, with
 * `{format: "pt"}` metadata) and `generation_config.json` when the model has one. Every file is
 * written atomically; saving the same model twice gives identical bytes. Quantized models cannot
 * be saved in this format (use the GGUF export).
 *
 * ```ts
 * saveModel(model, "./out", { dtype: "bf16" }); // then AutoModelForCausalLM.from_pretrained("./out")
 * ```
 */
export function saveModel(model: LlamaModel, dir: string, opts: SaveOptions = {}): void {
  const dtype = opts.dtype ?? "f32";
  if (!(dtype in TORCH_DTYPE))
    throw new UsageError(`saveModel: dtype must be f32, f16 or bf16, got ${String(dtype)}`);
  if (Object.keys(model.quantized).length > 0) {
    throw new UsageError(
      "saveModel: the model has quantized projections; safetensors in the transformers layout holds dense weights only",
    );
  }
  const tensors: Record<string, Tensor> = {};
  for (const [name, t] of Object.entries(model.params))
    tensors[name] = dtype === "f32" ? t.toHost() : cast(t.toHost(), dtype);
  fs.mkdirSync(dir, { recursive: true });
  saveCheckpoint(dir, tensors, {
    metadata: { format: "pt" },
    ...(opts.maxShardBytes !== undefined ? { maxShardBytes: opts.maxShardBytes } : {}),
  });
  writeJson(join(dir, "config.json"), { ...model.config.raw, torch_dtype: TORCH_DTYPE[dtype] });
  if (model.generationConfig)
    writeJson(join(dir, "generation_config.json"), model.generationConfig);
}
