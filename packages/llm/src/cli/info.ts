// x-llm info <model>: a Hugging Face folder's config, size and tokenizer, or a GGUF file's
// header, metadata and tensors.
import * as fs from "node:fs";
import { join } from "node:path";
import { XError } from "@x/tensor";
import type { LlamaConfig } from "../config.js";
import { UsageError } from "../errors.js";
import { readGgufConfig } from "../gguf/config-from-gguf.js";
import { readGguf } from "../gguf/read.js";
import type { GgufValue } from "../gguf/types.js";
import { readConfig } from "../io/load.js";
import { parameterShapes } from "../model/parameters.js";
import { loadTokenizer } from "../tokenizer/tokenizer.js";
import type { CommandSpec } from "./args.js";
import { type Command, human, isGgufFile, output, sizeOf } from "./common.js";

const spec: CommandSpec = {
  name: "info",
  summary: "describe a model folder or a .gguf file",
  description:
    "Describe a model: a Hugging Face folder (config, parameters, tokenizer) or a .gguf file (header, metadata, tensors, and the model it loads as, or why it does not).",
  positionals: ["model"],
  flags: { tensors: { type: "boolean", help: "list every tensor of a GGUF file" } },
  examples: [
    "x-llm info ./SmolLM2-135M",
    "x-llm info model-q8_0.gguf --tensors",
    "x-llm info ./SmolLM2-135M --json",
  ],
};

function summarize(v: GgufValue): unknown {
  if (v.type !== "array") return v.value;
  if (v.value.length <= 8) return v.itemType === "array" ? `[${v.value.length} arrays]` : v.value;
  return `[${v.itemType} × ${v.value.length}]`;
}

/** The architecture and shapes of a config, as `info --json` reports them. */
function shapeOf(cfg: LlamaConfig) {
  return {
    architecture: cfg.architecture,
    layers: cfg.numLayers,
    hiddenSize: cfg.hiddenSize,
    intermediateSize: cfg.intermediateSize,
    heads: cfg.numHeads,
    kvHeads: cfg.numKvHeads,
    headDim: cfg.headDim,
    vocabSize: cfg.vocabSize,
    contextLength: cfg.maxPositionEmbeddings,
    ropeTheta: cfg.ropeTheta,
    ropeScaling: cfg.ropeScaling ?? null,
    tiedEmbeddings: cfg.tieWordEmbeddings,
  };
}

/** What loadGguf would build from a GGUF file, or why it cannot. */
function ggufModel(path: string): { model: Record<string, unknown> | null; line: string } {
  let cfg: LlamaConfig;
  try {
    cfg = readGgufConfig(path);
  } catch (err) {
    if (!(err instanceof XError)) throw err;
    return { model: null, line: `as a model: not loadable (${err.message})` };
  }
  const windows = [...new Set(cfg.slidingWindow.filter((w) => w !== undefined))];
  const model = { ...shapeOf(cfg), slidingWindow: windows[0] ?? null };
  const line = `as a model: ${cfg.architecture}, layers ${cfg.numLayers}, hidden ${cfg.hiddenSize}, heads ${cfg.numHeads}/${cfg.numKvHeads} kv, vocab ${cfg.vocabSize}, context ${cfg.maxPositionEmbeddings}${windows.length ? `, sliding window ${windows[0]}` : ""}`;
  return { model, line };
}

function ggufInfo(path: string, listTensors: boolean) {
  const g = readGguf(path);
  const asModel = ggufModel(path);
  const metadata: Record<string, unknown> = {};
  for (const [k, v] of g.metadata) metadata[k] = summarize(v);
  const types: Record<string, number> = {};
  let params = 0;
  for (const t of g.tensors) {
    types[t.type.name] = (types[t.type.name] ?? 0) + 1;
    params += t.shape.reduce((a, b) => a * b, 1);
  }
  const result = {
    format: "gguf",
    path,
    version: g.version,
    architecture: g.metadata.get("general.architecture")?.value,
    bytes: g.fileSize,
    parameters: params,
    alignment: g.alignment,
    tensorCount: g.tensors.length,
    tensorTypes: types,
    model: asModel.model,
    metadata,
    ...(listTensors
      ? {
          tensors: g.tensors.map((t) => ({
            name: t.name,
            type: t.type.name,
            shape: t.shape,
            offset: t.offset,
          })),
        }
      : {}),
  };
  const lines = [
    `${path}: GGUF v${g.version}, ${String(result.architecture)}, ${human(params)} parameters, ${human(g.fileSize, "B")}`,
    `tensors: ${g.tensors.length} (${Object.entries(types)
      .map(([k, n]) => `${n} ${k}`)
      .join(", ")})`,
    asModel.line,
    ...Object.entries(metadata).map(
      ([k, v]) =>
        `  ${k} = ${typeof v === "string" && !v.startsWith("[") ? JSON.stringify(v) : String(v)}`,
    ),
  ];
  if (listTensors)
    for (const t of g.tensors)
      lines.push(`  ${t.name.padEnd(28)} ${t.type.name.padEnd(5)} [${t.shape.join(", ")}]`);
  return { result, text: lines.join("\n") };
}

function folderInfo(dir: string) {
  const cfg = readConfig(dir);
  const params = Object.values(parameterShapes(cfg)).reduce(
    (s, sh) => s + sh.reduce((a, b) => a * b, 1),
    0,
  );
  let tokenizer: Record<string, unknown> | undefined;
  if (fs.existsSync(join(dir, "tokenizer.json"))) {
    const t = loadTokenizer(dir);
    tokenizer = {
      model: t.modelType,
      byteLevel: t.byteLevel,
      vocabSize: t.vocabSize,
      bos: t.bosTokenId,
      eos: t.eosTokenIds,
      pad: t.padTokenId,
      chatTemplate: t.chatTemplate !== undefined,
    };
  }
  const result = {
    format: "hf",
    path: dir,
    parameters: params,
    bytes: sizeOf(dir),
    ...shapeOf(cfg),
    dtype: cfg.raw.torch_dtype ?? null,
    tokenizer: tokenizer ?? null,
  };
  const text = [
    `${dir}: ${cfg.architecture}, ${human(params)} parameters, ${human(result.bytes, "B")} on disk (${String(result.dtype ?? "?")})`,
    `layers ${cfg.numLayers}, hidden ${cfg.hiddenSize}, ffn ${cfg.intermediateSize}, heads ${cfg.numHeads}/${cfg.numKvHeads} kv, head dim ${cfg.headDim}`,
    `vocab ${cfg.vocabSize}, context ${cfg.maxPositionEmbeddings}, rope θ ${cfg.ropeTheta}${cfg.ropeScaling ? ` (${cfg.ropeScaling.type} scaling)` : ""}, tied embeddings ${cfg.tieWordEmbeddings}`,
    tokenizer
      ? `tokenizer: ${String(tokenizer.model)}${tokenizer.byteLevel ? " (byte-level)" : ""}, ${String(tokenizer.vocabSize)} ids, bos ${String(tokenizer.bos)}, eos ${JSON.stringify(tokenizer.eos)}${tokenizer.chatTemplate ? ", chat template" : ""}`
      : "tokenizer: none",
  ].join("\n");
  return { result, text };
}

/** `x-llm info`. */
export const info: Command = {
  spec,
  async run(args, io) {
    const path = args.positionals[0]!;
    if (!fs.existsSync(path)) throw new UsageError(`info: ${path} does not exist`);
    const { result, text } = isGgufFile(path)
      ? ggufInfo(path, Boolean(args.flags.tensors))
      : folderInfo(path);
    return output(io, args, result, text);
  },
};
