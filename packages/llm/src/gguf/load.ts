// GGUF file -> LlamaModel: tensors back to Hugging Face names and layout (Q/K rows un-permuted),
// q8_0/q4_0 blocks kept as they are; the config comes from config-from-gguf.ts.
import { dequantize, QTensor, quantize, Tensor } from "@x/tensor";
import type { LlamaConfig } from "../config.js";
import { UsageError, WeightsError } from "../errors.js";
import { type ModelDevice, moveModel, pickDevice } from "../model/device.js";
import { LlamaModel, type WeightQuantization } from "../model/llama.js";
import { parameterShapes } from "../model/parameters.js";
import { ggufFileConfig } from "./config-from-gguf.js";
import { decodeGgufTensor } from "./decode.js";
import { invertOrder, permuteRows, qkRowOrder } from "./permute.js";
import { type GgufTensorInfo, readGguf, readGgufTensor } from "./read.js";

/** Options of {@link loadGguf}. */
export interface GgufLoadOptions {
  /** Compute dtype; only "f32" (f16/bf16 tensors are upcast). */
  dtype?: "f32";
  /**
   * Format of the layer projections: dense (f32/f16/bf16) ones are quantized while loading, and
   * q8_0/q4_0 ones in the other format are dequantized and requantized. Default: q8_0/q4_0
   * tensors stay as stored (byte for byte), dense ones stay f32.
   */
  quantize?: WeightQuantization;
  /** Also quantize a dense LM head (needs `quantize`). Default false. */
  quantizeHead?: boolean;
  /**
   * Dequantize every q8_0/q4_0 tensor to f32 (a fully dense model, e.g. for training). Default
   * false.
   */
  dequantize?: boolean;
  /** "cpu" (default), "cuda" or "auto", as for `loadModel`. */
  device?: ModelDevice;
}

/** ggml types whose tensors can be loaded. */
const LOADABLE = new Set(["f32", "f16", "bf16", "q8_0", "q4_0"]);

/** The Hugging Face parameter name -> GGUF tensor name, for every parameter of `cfg`. */
export function ggufTensorNames(cfg: LlamaConfig): Map<string, string> {
  const gg: Record<string, string> = {
    "self_attn.q_proj": "attn_q",
    "self_attn.k_proj": "attn_k",
    "self_attn.v_proj": "attn_v",
    "self_attn.o_proj": "attn_output",
    "mlp.gate_proj": "ffn_gate",
    "mlp.up_proj": "ffn_up",
    "mlp.down_proj": "ffn_down",
    input_layernorm: "attn_norm",
    post_attention_layernorm: "ffn_norm",
  };
  const out = new Map<string, string>();
  for (const hf of Object.keys(parameterShapes(cfg))) {
    let g: string | undefined;
    if (hf === "model.embed_tokens.weight") g = "token_embd.weight";
    else if (hf === "model.norm.weight") g = "output_norm.weight";
    else if (hf === "lm_head.weight") g = "output.weight";
    else {
      const m = /^model\.layers\.(\d+)\.(.+)\.(weight|bias)$/.exec(hf);
      if (m && gg[m[2]!]) g = `blk.${m[1]}.${gg[m[2]!]}.${m[3]}`;
    }
    if (!g) throw new WeightsError(hf, "has no GGUF name");
    out.set(hf, g);
  }
  return out;
}

/** True for the weights kept as QTensors: layer projections and the LM head. */
function isProjection(hf: string): boolean {
  return hf === "lm_head.weight" || (hf.startsWith("model.layers.") && hf.endsWith("_proj.weight"));
}

function checkOptions(opts: GgufLoadOptions): void {
  if (opts.dtype !== undefined && opts.dtype !== "f32")
    throw new UsageError(`loadGguf: dtype ${String(opts.dtype)} is not supported yet (only "f32")`);
  if (opts.quantize !== undefined && opts.quantize !== "q8_0" && opts.quantize !== "q4_0")
    throw new UsageError(
      `loadGguf: quantize must be "q8_0" or "q4_0", got ${String(opts.quantize)}`,
    );
  if (opts.quantizeHead && opts.quantize === undefined)
    throw new UsageError("loadGguf: quantizeHead needs quantize");
  if (opts.dequantize && opts.quantize !== undefined)
    throw new UsageError("loadGguf: dequantize and quantize exclude each other");
}

/** f32 values of a dense tensor's bytes. */
function denseValues(info: GgufTensorInfo, bytes: Uint8Array): Float32Array {
  if (info.type.name === "f32" && LITTLE_ENDIAN && bytes.byteOffset % 4 === 0)
    return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  return decodeGgufTensor(info, bytes);
}
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Loads a llama.cpp GGUF file (architecture `llama` or `qwen2`; tensors f32, f16, bf16, q8_0 or
 * q4_0) as a {@link LlamaModel}. Metadata becomes a LlamaConfig; tensor names map back to
 * Hugging Face's and llama-architecture Q/K rows are un-permuted to the rotate-half layout.
 * q8_0/q4_0 projections stay QTensors with the file's blocks (byte for byte, no requantization);
 * a quantized `token_embd` is dequantized for the lookup and, when the head is tied, also kept
 * as the quantized LM head (as llama.cpp runs it). f16/bf16 tensors are upcast to f32.
 *
 * Errors: a malformed or truncated file is a `FormatError` (with the byte offset); an
 * unsupported architecture or a bad key a {@link ConfigError} naming the key; a missing,
 * mis-shaped, unexpected or unsupported-type tensor a {@link WeightsError} naming it.
 *
 * ```ts
 * const model = await loadGguf("smollm2-135m-q8_0.gguf");
 * const dense = await loadGguf("smollm2-135m-q8_0.gguf", { dequantize: true }); // all f32
 * ```
 */
export async function loadGguf(path: string, opts: GgufLoadOptions = {}): Promise<LlamaModel> {
  checkOptions(opts);
  const device = pickDevice(opts.device);
  const g = readGguf(path);
  const byName = new Map(g.tensors.map((t) => [t.name, t]));
  const freqs = byName.get("rope_freqs.weight");
  const config = ggufFileConfig(path, g);
  const arch = String(g.metadata.get("general.architecture")!.value);
  const names = ggufTensorNames(config);
  const shapes = parameterShapes(config);
  const d = config.headDim;
  const orders: Record<string, Int32Array> =
    arch === "llama"
      ? {
          "self_attn.q_proj": invertOrder(qkRowOrder(config.numHeads * d, config.numHeads)),
          "self_attn.k_proj": invertOrder(qkRowOrder(config.numKvHeads * d, config.numKvHeads)),
        }
      : {};
  const weights: Record<string, Tensor | QTensor> = {};
  const used = new Set<string>(freqs ? [freqs.name] : []);
  for (const [hf, gname] of names) {
    const info = byName.get(gname);
    if (!info) throw new WeightsError(hf, `GGUF tensor ${gname} is missing from ${path}`);
    used.add(gname);
    const shape = shapes[hf]!;
    if (info.shape.length !== shape.length || info.shape.some((x, i) => x !== shape[i]))
      throw new WeightsError(
        hf,
        `GGUF tensor ${gname} has shape [${info.shape.join(", ")}], the metadata implies [${shape.join(", ")}]`,
      );
    const type = info.type.name;
    if (!LOADABLE.has(type))
      throw new WeightsError(
        hf,
        `GGUF tensor ${gname} is ggml type ${type}; loadable types are f32, f16, bf16, q8_0 and q4_0 (llama.cpp's llama-quantize --pure writes every tensor as Q8_0 or Q4_0; add --allow-requantize for an already quantized file)`,
      );
    const module = /^model\.layers\.\d+\.(self_attn\.[qk]_proj)\./.exec(hf)?.[1];
    const order = module ? orders[module] : undefined;
    let bytes = readGgufTensor(path, info);
    if (type === "q8_0" || type === "q4_0") {
      if (order) bytes = permuteRows(bytes, order);
      const q = new QTensor({ format: type, shape, data: bytes });
      if (hf === "model.embed_tokens.weight") {
        const dense = dequantize(q);
        weights[hf] = dense;
        if (config.tieWordEmbeddings && !opts.dequantize)
          weights["lm_head.weight"] =
            opts.quantize && opts.quantize !== type ? quantize(dense, opts.quantize) : q;
      } else if (!isProjection(hf) || opts.dequantize) weights[hf] = dequantize(q);
      else if (opts.quantize && opts.quantize !== type)
        weights[hf] = quantize(dequantize(q), opts.quantize);
      else weights[hf] = q;
    } else {
      let values = denseValues(info, bytes);
      if (order) values = permuteRows(values, order);
      const t = Tensor.wrap(values, shape, "f32");
      const quantizeIt = opts.quantize !== undefined && isProjection(hf) && hf !== "lm_head.weight";
      weights[hf] = quantizeIt ? quantize(t, opts.quantize!) : t;
    }
  }
  for (const t of g.tensors) {
    if (!used.has(t.name))
      throw new WeightsError(
        t.name,
        `GGUF tensor ${t.name} is not part of a ${arch} model with this metadata (${path})`,
      );
  }
  let model = new LlamaModel(config, weights);
  if (opts.quantizeHead) model = model.quantize(opts.quantize!, { head: true });
  if (device !== "cpu") model = moveModel(model, device);
  return model;
}
