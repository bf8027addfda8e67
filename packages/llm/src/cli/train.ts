// x-llm train <model> --data file.txt --steps N --out dir: fine-tunes on a text file through
// the trainer's train(), then makes out/final a complete model folder (tokenizer files copied).
import * as fs from "node:fs";
import { join } from "node:path";
import { UsageError } from "../errors.js";
import { readConfig } from "../io/load.js";
import { formatProgress } from "../train/progress.js";
import { train as runTraining } from "../train/train.js";
import type { CommandSpec } from "./args.js";
import {
  applyThreads,
  type Command,
  deviceFlag,
  modelTokenizer,
  output,
  requireModel,
  TOKENIZER_FLAG,
} from "./common.js";

const TOKENIZER_FILES = [
  "tokenizer.json",
  "tokenizer_config.json",
  "special_tokens_map.json",
  "chat_template.jinja",
];

const spec: CommandSpec = {
  name: "train",
  summary: "fine-tune on a text file",
  description:
    "Fine-tune all parameters on a UTF-8 text file (paragraphs separated by blank lines are documents, packed into windows with BOS/EOS). The model is a Hugging Face folder or a .gguf file (q8_0/q4_0 tensors are dequantized to f32 for training). Writes checkpoints, metrics.csv/json and out/final, a model folder with the tokenizer.",
  positionals: ["model"],
  flags: {
    data: { type: "string", short: "d", help: "training text file (required)" },
    out: { type: "string", short: "o", help: "run directory (required)" },
    steps: { type: "integer", min: 1, help: "optimizer steps (default: one epoch)" },
    "seq-len": { type: "integer", min: 2, help: "tokens per window (default min(context, 256))" },
    "batch-size": { type: "integer", min: 1, help: "windows per micro-batch (default 4)" },
    "grad-accum": { type: "integer", min: 1, help: "micro-batches per step (default 1)" },
    lr: { type: "number", min: 0, help: "peak learning rate (default 3e-4)" },
    "warmup-steps": { type: "integer", min: 0, help: "linear warmup steps (default 0)" },
    schedule: { type: "string", help: "cosine (default) or constant" },
    seed: { type: "integer", min: 0, help: "data-order seed (default 0)" },
    "checkpoint-every": {
      type: "integer",
      min: 0,
      help: "save a checkpoint every N steps (default: end only)",
    },
    resume: { type: "boolean", help: "continue from out/checkpoints when present" },
    "save-dtype": { type: "string", help: "dtype of out/final: f32 (default), f16 or bf16" },
    tokenizer: TOKENIZER_FLAG,
    threads: { type: "integer", min: 1, help: "CPU threads of the native backend" },
    device: {
      type: "string",
      help: "cpu (default), cuda or auto; cuda without a GPU falls back to cpu with a warning",
    },
  },
  examples: [
    "x-llm train ./SmolLM2-135M --data moby-dick.txt --steps 200 --out runs/moby --seq-len 256 --batch-size 4",
    "x-llm train ./SmolLM2-135M -d notes.txt -o runs/notes --steps 50 --lr 1e-4 --resume --json",
    "x-llm train smollm2-135m-f16.gguf -d notes.txt -o runs/notes --steps 50",
  ],
};

/** `x-llm train`. */
export const train: Command = {
  spec,
  async run(args, io) {
    const dir = args.positionals[0]!;
    const f = args.flags;
    if (typeof f.data !== "string") throw new UsageError("train: --data is required");
    if (typeof f.out !== "string") throw new UsageError("train: --out is required");
    if (!fs.existsSync(f.data)) throw new UsageError(`train: ${f.data} does not exist`);
    const schedule = (f.schedule as string | undefined) ?? "cosine";
    if (schedule !== "cosine" && schedule !== "constant")
      throw new UsageError(`train: --schedule must be cosine or constant, got ${schedule}`);
    const saveDtype = (f["save-dtype"] as string | undefined) ?? "f32";
    if (!["f32", "f16", "bf16"].includes(saveDtype))
      throw new UsageError(`train: --save-dtype must be f32, f16 or bf16, got ${saveDtype}`);
    requireModel(dir, "train");
    applyThreads(args);
    const source = modelTokenizer(dir, f, "train");
    const tok = source.tokenizer;
    const docs = fs
      .readFileSync(f.data, "utf8")
      .split(/\n\s*\n/)
      .map((p) => p.trim())
      .filter((p) => p.length > 0)
      .map((p) => tok.encode(p, { addSpecialTokens: false }));
    if (docs.length === 0) throw new UsageError(`train: ${f.data} has no text`);
    const context = readConfig(dir).maxPositionEmbeddings;
    const seqLen = (f["seq-len"] as number | undefined) ?? Math.min(context, 256);
    const json = Boolean(f.json);
    let lastDraw = 0;
    const t0 = performance.now();
    const r = await runTraining({
      model: dir,
      device: deviceFlag(f, "train", io),
      data: docs,
      outDir: f.out,
      seqLen,
      batchSize: (f["batch-size"] as number | undefined) ?? 4,
      gradAccumSteps: (f["grad-accum"] as number | undefined) ?? 1,
      ...(f.steps !== undefined ? { steps: f.steps as number } : {}),
      lr: (f.lr as number | undefined) ?? 3e-4,
      schedule,
      warmupSteps: (f["warmup-steps"] as number | undefined) ?? 0,
      seed: (f.seed as number | undefined) ?? 0,
      checkpointEvery: (f["checkpoint-every"] as number | undefined) ?? 0,
      resume: Boolean(f.resume),
      saveDtype: saveDtype as "f32" | "f16" | "bf16",
      onProgress: (p) => {
        if (json) return;
        const now = performance.now();
        if (now - lastDraw < (io.isTTY ? 100 : 2000) && p.step < p.totalSteps) return;
        lastDraw = now;
        io.stderr(io.isTTY ? `\r\x1b[2K${formatProgress(p)}` : `${formatProgress(p)}\n`);
      },
    });
    if (!json && io.isTTY) io.stderr("\n");
    if (r.finalDir) {
      if (source.dir === undefined) source.tokenizer.save(r.finalDir);
      else
        for (const name of TOKENIZER_FILES) {
          if (fs.existsSync(join(source.dir, name)))
            fs.copyFileSync(join(source.dir, name), join(r.finalDir, name));
        }
    }
    const result = {
      steps: r.steps,
      stepsThisRun: r.stepsThisRun,
      totalSteps: r.totalSteps,
      finalLoss: r.finalLoss,
      firstLoss: r.history[0]?.loss ?? null,
      documents: docs.length,
      seqLen,
      checkpoint: r.checkpoint ?? null,
      finalDir: r.finalDir ?? null,
      stopped: r.stopped,
      seconds: (performance.now() - t0) / 1000,
    };
    return output(
      io,
      args,
      result,
      `trained ${r.stepsThisRun} steps (${r.steps}/${r.totalSteps}), final loss ${r.finalLoss.toFixed(4)}${r.finalDir ? `, model in ${r.finalDir}` : ""}`,
    );
  },
};
