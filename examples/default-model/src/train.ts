// `pnpm --filter @x/example-default-model train -- [flags]` (or, bundled, `node sotu-train.mjs`):
// trains the default model on the prepared train split with @x/llm's train(). Rerunning the same
// command resumes from the newest checkpoint; --time-limit-s stops cleanly before a deadline.
import { rmSync } from "node:fs";
import { join, relative } from "node:path";
import { formatProgress } from "@x/llm";
import { type CommandSpec, type Flags, isMain, runCommand, UsageError } from "./cli-args.js";
import { type Architecture, DEFAULT_ARCHITECTURE } from "./model-config.js";
import { defaultDataDir, defaultModelDir, repoRoot, userPath } from "./paths.js";
import { runTraining } from "./train-run.js";

const A = DEFAULT_ARCHITECTURE;

const SPEC: CommandSpec = {
  name: "train",
  usage:
    "pnpm --filter @x/example-default-model train -- [flags]   (bundled: node sotu-train.mjs [flags])",
  description:
    "Trains the default model (a Llama with the models/sotu tokenizer) from scratch on the prepared State of the Union train split with @x/llm's train(): AdamW, linear warmup then cosine decay to --min-lr, global-norm clipping, atomic checkpoints. Writes <out>/final (a Hugging Face folder with the tokenizer), metrics.csv/json and train-log.json. The same command again resumes from the newest checkpoint (settings must not change).",
  flags: {
    data: { type: "string", help: "prepared token folder (default <repo>/.carry/sotu-tokens)" },
    out: { type: "string", help: "run folder (default <repo>/.carry/sotu-run)" },
    tokenizer: {
      type: "string",
      help: "tokenizer folder copied into final/ (default <repo>/models/sotu)",
    },
    device: { type: "string", help: "cpu (default), cuda or auto" },
    threads: { type: "integer", min: 1, help: "CPU threads (default: all cores)" },
    steps: { type: "integer", min: 1, help: "optimizer steps (default: --epochs passes)" },
    epochs: {
      type: "number",
      min: 0,
      help: "passes over the data when --steps is not given (default 4)",
    },
    batch: { type: "integer", min: 1, help: "windows per micro-batch (default 8)" },
    "grad-accum": { type: "integer", min: 1, help: "micro-batches per step (default 1)" },
    seq: { type: "integer", min: 2, help: "tokens per window (default 256)" },
    lr: { type: "number", min: 0, help: "peak learning rate (default 1e-3)" },
    "min-lr": { type: "number", min: 0, help: "floor of the cosine (default lr / 10)" },
    warmup: { type: "integer", min: 0, help: "linear warmup steps (default min(100, steps / 20))" },
    "weight-decay": {
      type: "number",
      min: 0,
      help: "AdamW decoupled weight decay on matrices (default 0.1)",
    },
    beta2: { type: "number", min: 0, help: "AdamW beta2 (default 0.95; beta1 0.9)" },
    "max-grad-norm": { type: "number", min: 0, help: "clip the global gradient norm (default 1)" },
    seed: { type: "integer", min: 0, help: "data-order seed (default 0)" },
    "init-seed": { type: "integer", min: 0, help: "weight-initialization seed (default 1)" },
    "checkpoint-every": {
      type: "integer",
      min: 0,
      help: "checkpoint every N steps (default 200; 0: end only)",
    },
    "keep-checkpoints": { type: "integer", min: 1, help: "checkpoints kept (default 2)" },
    "time-limit-s": {
      type: "number",
      min: 1,
      help: "stop with a checkpoint before this many seconds (rerun to resume)",
    },
    "stop-margin-s": {
      type: "number",
      min: 0,
      help: "seconds kept for the final checkpoint under --time-limit-s (default min(20, limit / 10))",
    },
    "save-dtype": { type: "string", help: "dtype of final/: f16 (default), bf16 or f32" },
    "eval-every": {
      type: "integer",
      min: 0,
      help: "validation loss every N steps and at the end (default 500; 0: at the end only)",
    },
    "eval-passages": {
      type: "integer",
      min: 1,
      help: "validation passages per measurement, spread over the split (default 100)",
    },
    layers: { type: "integer", min: 1, help: `decoder layers (default ${A.layers})` },
    hidden: { type: "integer", min: 1, help: `hidden size (default ${A.hidden})` },
    heads: { type: "integer", min: 1, help: `query heads (default ${A.heads})` },
    "kv-heads": { type: "integer", min: 1, help: `key/value heads (default ${A.kvHeads})` },
    intermediate: { type: "integer", min: 1, help: `SwiGLU width (default ${A.intermediate})` },
    "max-positions": {
      type: "integer",
      min: 2,
      help: `max_position_embeddings (default ${A.maxPositions})`,
    },
    "max-passages": {
      type: "integer",
      min: 1,
      help: "train on the first N passages only (smoke runs)",
    },
    fresh: { type: "boolean", help: "delete the run folder's checkpoints, logs and final/ first" },
  },
  examples: [
    "pnpm --filter @x/example-default-model train -- --out /tmp/sotu-tiny --layers 2 --hidden 64 --heads 4 --kv-heads 2 --intermediate 128 --steps 30",
    "node packages/tensor-cuda/build/sotu-train.mjs --data .carry/sotu-tokens --out .carry/sotu-run --device cuda --time-limit-s 540",
  ],
};

function num(flags: Flags, name: string, fallback: number): number {
  const v = flags[name];
  return typeof v === "number" ? v : fallback;
}

/** The architecture of the flags (defaults: {@link DEFAULT_ARCHITECTURE}). */
export function architectureOf(flags: Flags): Architecture {
  return {
    ...A,
    layers: num(flags, "layers", A.layers),
    hidden: num(flags, "hidden", A.hidden),
    heads: num(flags, "heads", A.heads),
    kvHeads: num(flags, "kv-heads", A.kvHeads),
    intermediate: num(flags, "intermediate", A.intermediate),
    maxPositions: num(flags, "max-positions", A.maxPositions),
  };
}

/** How this invocation was typed (without --fresh/--json), for train-log.json. */
function commandLine(argv: readonly string[]): string {
  const args = argv.filter((a, i) => !(a === "--" && i === 0) && a !== "--fresh" && a !== "--json");
  const entry = process.argv[1] ?? "train";
  const head = entry.endsWith(".ts")
    ? "pnpm --filter @x/example-default-model train --"
    : `node ${relative(repoRoot(), entry)}`;
  return [head, ...args].join(" ");
}

/** The command. */
export async function main(argv: readonly string[]): Promise<void> {
  await runCommand(SPEC, argv, async (flags) => {
    const saveDtype = (flags["save-dtype"] as string | undefined) ?? "f16";
    if (saveDtype !== "f16" && saveDtype !== "bf16" && saveDtype !== "f32")
      throw new UsageError(`train: --save-dtype must be f16, bf16 or f32, got ${saveDtype}`);
    const runDir = flags.out ? userPath(String(flags.out)) : join(repoRoot(), ".carry", "sotu-run");
    if (flags.fresh)
      for (const name of ["checkpoints", "final", "metrics.csv", "metrics.json", "train-log.json"])
        rmSync(join(runDir, name), { recursive: true, force: true });
    const lr = num(flags, "lr", 1e-3);
    const json = Boolean(flags.json);
    const tty = Boolean(process.stderr.isTTY);
    let lastDraw = 0;
    const { log, result } = await runTraining({
      dataDir: flags.data ? userPath(String(flags.data)) : defaultDataDir(),
      runDir,
      tokenizerDir: flags.tokenizer ? userPath(String(flags.tokenizer)) : defaultModelDir(),
      architecture: architectureOf(flags),
      seqLen: num(flags, "seq", 256),
      batchSize: num(flags, "batch", 8),
      gradAccumSteps: num(flags, "grad-accum", 1),
      ...(typeof flags.steps === "number" ? { steps: flags.steps } : {}),
      epochs: num(flags, "epochs", 4),
      lr,
      minLr: num(flags, "min-lr", lr / 10),
      ...(typeof flags.warmup === "number" ? { warmupSteps: flags.warmup } : {}),
      weightDecay: num(flags, "weight-decay", 0.1),
      maxGradNorm: num(flags, "max-grad-norm", 1),
      betas: [0.9, num(flags, "beta2", 0.95)],
      seed: num(flags, "seed", 0),
      initSeed: num(flags, "init-seed", 1),
      saveDtype,
      ...(typeof flags["max-passages"] === "number" ? { maxPassages: flags["max-passages"] } : {}),
      device: flags.device as string | undefined,
      ...(typeof flags.threads === "number" ? { threads: flags.threads } : {}),
      checkpointEvery: num(flags, "checkpoint-every", 200),
      ...(typeof flags["keep-checkpoints"] === "number"
        ? { keepCheckpoints: flags["keep-checkpoints"] }
        : {}),
      ...(typeof flags["time-limit-s"] === "number" ? { timeLimitSec: flags["time-limit-s"] } : {}),
      ...(typeof flags["stop-margin-s"] === "number"
        ? { stopMarginSec: flags["stop-margin-s"] }
        : {}),
      evalEvery: num(flags, "eval-every", 500),
      evalPassages: num(flags, "eval-passages", 100),
      onValidation: (v) => {
        if (!json)
          process.stderr.write(
            `${tty ? "\r\x1b[2K" : ""}validation at step ${v.step}: loss ${v.nll.toFixed(3)}, perplexity ${v.ppl.toFixed(2)} (${v.passages} passages)\n`,
          );
      },
      command: commandLine(argv),
      onProgress: (p) => {
        if (json) return;
        const now = performance.now();
        if (now - lastDraw < (tty ? 100 : 5000) && p.step < p.totalSteps) return;
        lastDraw = now;
        process.stderr.write(tty ? `\r\x1b[2K${formatProgress(p)}` : `${formatProgress(p)}\n`);
      },
    });
    if (tty && !json) process.stderr.write("\n");
    if (json) {
      process.stdout.write(`${JSON.stringify({ runDir, ...log }, null, 2)}\n`);
      return;
    }
    const s = log.sessions.at(-1)!;
    process.stdout.write(
      `${result.stopped ? "stopped by the time limit" : "done"}: step ${log.stepsDone}/${log.settings.steps}, loss ${log.loss.first?.toFixed(3)} -> ${log.loss.meanLast50?.toFixed(3)} (mean of the last 50 steps), ${log.tokensSeen} tokens (${log.epochs.toFixed(2)} epochs), ${s.trainSec.toFixed(1)} s on ${s.device}\n`,
    );
    const v = log.validation.at(-1);
    if (v) process.stdout.write(`validation perplexity ${v.ppl.toFixed(2)} at step ${v.step}\n`);
    if (result.stopped) process.stdout.write("rerun the same command to resume\n");
    else process.stdout.write(`model: ${log.finalDir}\n`);
  });
}

if (isMain(import.meta.url)) await main(process.argv.slice(2));
