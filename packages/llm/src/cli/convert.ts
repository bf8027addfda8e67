// x-llm convert <model> <out.gguf> --type ... and x-llm quantize <model> <out> --type ...:
// a Hugging Face folder (or a GGUF file, re-typed) to a llama.cpp GGUF file. Quantized weights
// only exist in GGUF here (transformers' safetensors layout holds dense tensors), so `quantize`
// writes GGUF too.
import * as fs from "node:fs";
import { join } from "node:path";
import { UsageError } from "../errors.js";
import { exportGguf } from "../gguf/export.js";
import { readGguf } from "../gguf/read.js";
import type { GgmlWriteType, GgufValue } from "../gguf/types.js";
import { loadModel } from "../io/load.js";
import { loadTokenizer, type Tokenizer } from "../tokenizer/tokenizer.js";
import type { CommandSpec, ParsedArgs } from "./args.js";
import { type Command, output, requireModel, TOKENIZER_FLAG } from "./common.js";
import { type CliIO, Progress } from "./io.js";

const TYPES = ["f32", "f16", "q8_0", "q4_0"];

function convertSpec(name: "convert" | "quantize"): CommandSpec {
  const quant = name === "quantize";
  return {
    name,
    summary: quant ? "write a q8_0/q4_0 GGUF file" : "write a GGUF file (f32, f16, q8_0, q4_0)",
    description: quant
      ? "Quantize a Hugging Face folder (or a f32/f16 .gguf file) to a llama.cpp GGUF file (2-D weights in q8_0 or q4_0 ggml blocks, norms f32). GGUF is the output because the transformers safetensors layout has no quantized weights; `x-llm generate --quantize` quantizes in memory instead. A .gguf input keeps its vocabulary keys; blocks already in the output type are copied unchanged."
      : "Convert a Hugging Face folder (or a .gguf file, to another type) to a GGUF v3 file llama.cpp loads: llama.cpp key and tensor names, Q/K rows permuted to ggml's RoPE layout, the byte-level BPE vocabulary as tokenizer.ggml.*. A .gguf input keeps its vocabulary keys.",
    positionals: ["model", "out"],
    flags: {
      type: {
        type: "string",
        short: "t",
        help: quant ? "q8_0 or q4_0 (required)" : "f32, f16, q8_0 or q4_0 (default f16)",
      },
      name: { type: "string", help: "general.name (default: the folder name)" },
      pre: {
        type: "string",
        help: 'tokenizer.ggml.pre, llama.cpp\'s pre-tokenizer name (default "default")',
      },
      tokenizer: {
        ...TOKENIZER_FLAG,
        help: "folder with tokenizer.json to write as the vocabulary (default: the model folder's; a .gguf input keeps its own)",
      },
      force: { type: "boolean", help: "overwrite an existing output file" },
    },
    examples: quant
      ? [
          "x-llm quantize ./SmolLM2-135M smollm2-q4_0.gguf --type q4_0",
          "x-llm quantize smollm2-f16.gguf smollm2-q8_0.gguf --type q8_0",
        ]
      : [
          "x-llm convert ./SmolLM2-135M smollm2-f16.gguf",
          "x-llm convert ./SmolLM2-135M smollm2-q8_0.gguf --type q8_0 --pre smollm --json",
          "x-llm convert smollm2-f16.gguf smollm2-q4_0.gguf --type q4_0",
        ],
  };
}

async function runConvert(name: "convert" | "quantize", args: ParsedArgs, io: CliIO) {
  const [dir, out] = args.positionals as [string, string];
  const f = args.flags;
  const type = (f.type as string | undefined) ?? (name === "convert" ? "f16" : undefined);
  const allowed = name === "quantize" ? ["q8_0", "q4_0"] : TYPES;
  if (type === undefined || !allowed.includes(type)) {
    throw new UsageError(
      `${name}: --type must be ${allowed.join(", ")}${type === undefined ? "" : `, got ${type}`}`,
    );
  }
  const kind = requireModel(dir, name);
  const source = kind === "gguf" ? readGguf(dir) : undefined;
  if (fs.existsSync(out) && !f.force)
    throw new UsageError(`${name}: ${out} exists (pass --force to overwrite)`);
  let tokenizer: Tokenizer | undefined;
  let vocabulary: Record<string, GgufValue> | undefined;
  const warnings: string[] = [];
  const tokDir = (f.tokenizer as string | undefined) ?? (kind === "hf" ? dir : undefined);
  if (tokDir !== undefined && fs.existsSync(join(tokDir, "tokenizer.json"))) {
    const t = loadTokenizer(tokDir);
    if (t.byteLevel && t.modelType === "BPE") tokenizer = t;
    else
      warnings.push(
        `the ${t.modelType} tokenizer is not byte-level BPE; the GGUF has no vocabulary (tokenizer.ggml.model = "no_vocab")`,
      );
  } else if (tokDir !== undefined)
    warnings.push(`no tokenizer.json in ${tokDir}; the GGUF has no vocabulary`);
  else if (source) {
    // A GGUF input keeps its vocabulary exactly: its tokenizer.* keys are copied.
    vocabulary = {};
    for (const [k, v] of source.metadata) if (k.startsWith("tokenizer.")) vocabulary[k] = v;
    if (typeof f.pre === "string")
      vocabulary["tokenizer.ggml.pre"] = { type: "string", value: f.pre };
  }
  if (source) {
    const types = new Set(source.tensors.map((t) => t.type.name));
    const lossy = [...types].filter((t) => (t === "q8_0" || t === "q4_0") && t !== type);
    if (lossy.length > 0)
      warnings.push(
        `requantizing ${lossy.join(", ")} tensors as ${type} compounds the rounding error`,
      );
  }
  if (!f.json) for (const w of warnings) io.stderr(`warning: ${w}\n`);
  const t0 = performance.now();
  const model = await loadModel(dir);
  const loadSec = (performance.now() - t0) / 1000;
  let progress: Progress | undefined;
  const modelName =
    (f.name as string | undefined) ??
    (source?.metadata.get("general.name")?.value as string | undefined) ??
    dir.replace(/\/+$/, "").split("/").pop();
  exportGguf(model, out, {
    type: type as GgmlWriteType,
    ...(tokenizer ? { tokenizer } : {}),
    ...(modelName ? { name: modelName } : {}),
    ...(typeof f.pre === "string" ? { pre: f.pre } : {}),
    ...(vocabulary ? { metadata: vocabulary } : {}),
    onTensor: (done, total) => {
      progress ??= new Progress(io, name, total, "tensor", Boolean(f.json));
      progress.update(done);
    },
  });
  progress?.done();
  const bytes = fs.statSync(out).size;
  const seconds = (performance.now() - t0) / 1000;
  const result = {
    out,
    type,
    bytes,
    parameters: model.numParameters(),
    vocabulary:
      tokenizer !== undefined ||
      (vocabulary !== undefined && vocabulary["tokenizer.ggml.model"]?.value !== "no_vocab"),
    warnings,
    loadSeconds: loadSec,
    seconds,
  };
  return output(
    io,
    args,
    result,
    `wrote ${out}: ${type}, ${(bytes / 1e6).toFixed(1)} MB, ${seconds.toFixed(1)}s`,
  );
}

/** `x-llm convert`. */
export const convert: Command = {
  spec: convertSpec("convert"),
  run: (a, io) => runConvert("convert", a, io),
};
/** `x-llm quantize`. */
export const quantize: Command = {
  spec: convertSpec("quantize"),
  run: (a, io) => runConvert("quantize", a, io),
};
