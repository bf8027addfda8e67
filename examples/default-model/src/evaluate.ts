// `pnpm --filter @x/example-default-model evaluate -- [flags]` (or, bundled, `node sotu-eval.mjs`):
// held-out perplexity of a model folder on the prepared validation and test splits against a
// unigram baseline, plus seeded samples; writes eval.json. Reads only the prepared token files.
import { renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadModel } from "@x/llm";
import { type CommandSpec, isMain, runCommand } from "./cli-args.js";
import { resolveDevice } from "./device.js";
import { type EvalReport, evaluateModel } from "./evaluation.js";
import { defaultDataDir, defaultModelDir, userPath } from "./paths.js";
import { SPLITS, type SplitName } from "./token-stream.js";

export { type EvalReport, evaluateModel } from "./evaluation.js";
export { heldOutPerplexity } from "./held-out.js";
export { UnigramModel } from "./unigram.js";

const SPEC: CommandSpec = {
  name: "evaluate",
  usage:
    "pnpm --filter @x/example-default-model evaluate -- [flags]   (bundled: node sotu-eval.mjs [flags])",
  description:
    "Held-out perplexity of a model folder on the prepared State of the Union splits (each passage scored on its own with @x/llm's sliding-window perplexity: its ids and EOS are the targets), the same for a unigram model of the tokenizer fitted on the train split (add-one smoothing), and sampled continuations of fixed prompts (seeded). Writes eval.json.",
  flags: {
    model: { type: "string", help: "model folder (default <repo>/models/sotu)" },
    data: { type: "string", help: "prepared token folder (default <repo>/.carry/sotu-tokens)" },
    tokenizer: { type: "string", help: "tokenizer folder when the model folder has none" },
    out: {
      type: "string",
      help: "where eval.json goes (default <model>/../eval.json for <run>/final, else <model>/eval.json)",
    },
    splits: { type: "string", help: "comma-separated held-out splits (default validation,test)" },
    window: { type: "integer", min: 2, help: "tokens per window (default 256)" },
    stride: {
      type: "integer",
      min: 1,
      help: "stride inside passages longer than the window (default window / 2)",
    },
    "max-passages": {
      type: "integer",
      min: 1,
      help: "score only the first N passages of each split",
    },
    "max-new-tokens": { type: "integer", min: 1, help: "tokens per sample (default 80)" },
    temperature: { type: "number", min: 0, help: "sampling temperature (default 0.8)" },
    "top-p": { type: "number", min: 0, help: "nucleus sampling mass (default 0.95)" },
    seed: { type: "integer", min: 0, help: "sampling seed (default 1)" },
    device: { type: "string", help: "cpu (default), cuda or auto" },
    threads: { type: "integer", min: 1, help: "CPU threads (default: all cores)" },
  },
  examples: [
    "pnpm --filter @x/example-default-model evaluate -- --model /tmp/sotu-tiny/final --data /tmp/sotu-tokens --max-passages 20",
    "node packages/tensor-cuda/build/sotu-eval.mjs --model .carry/sotu-run/final --data .carry/sotu-tokens --device cuda",
  ],
};

/** Where eval.json goes by default: next to train-log.json for `<run>/final`, else in the folder. */
export function defaultEvalPath(modelDir: string): string {
  return modelDir.replace(/\/+$/, "").endsWith("/final")
    ? join(modelDir, "..", "eval.json")
    : join(modelDir, "eval.json");
}

function summary(r: EvalReport): string {
  const lines = r.splits.map(
    (s) =>
      `${s.split.padEnd(10)} ${s.passages} passages, ${s.tokens} tokens: perplexity ${s.ppl.toFixed(2)} (${s.bitsPerByte.toFixed(3)} bits/byte); unigram ${s.unigram!.ppl.toFixed(1)} (${s.unigram!.bitsPerByte.toFixed(3)} bits/byte)`,
  );
  for (const s of r.samples.items) lines.push("", `> ${s.prompt}${s.completion}`);
  return `${lines.join("\n")}\n`;
}

/** The command. */
export async function main(argv: readonly string[]): Promise<void> {
  await runCommand(SPEC, argv, async (flags) => {
    const modelDir = flags.model ? userPath(String(flags.model)) : defaultModelDir();
    const splits = ((flags.splits as string | undefined) ?? "validation,test").split(
      ",",
    ) as SplitName[];
    for (const s of splits)
      if (!(SPLITS as readonly string[]).includes(s)) throw new Error(`unknown split "${s}"`);
    const dev = resolveDevice(
      flags.device as string | undefined,
      flags.threads as number | undefined,
    );
    const model = await loadModel(modelDir, { device: dev.device });
    const tty = Boolean(process.stderr.isTTY);
    let last = 0;
    const report = await evaluateModel({
      modelDir,
      model,
      dataDir: flags.data ? userPath(String(flags.data)) : defaultDataDir(),
      ...(flags.tokenizer ? { tokenizerDir: userPath(String(flags.tokenizer)) } : {}),
      splits,
      ...(typeof flags.window === "number" ? { window: flags.window } : {}),
      ...(typeof flags.stride === "number" ? { stride: flags.stride } : {}),
      ...(typeof flags["max-passages"] === "number" ? { maxPassages: flags["max-passages"] } : {}),
      sampling: {
        ...(typeof flags["max-new-tokens"] === "number"
          ? { maxNewTokens: flags["max-new-tokens"] }
          : {}),
        ...(typeof flags.temperature === "number" ? { temperature: flags.temperature } : {}),
        ...(typeof flags["top-p"] === "number" ? { topP: flags["top-p"] } : {}),
        ...(typeof flags.seed === "number" ? { seed: flags.seed } : {}),
      },
      device: dev.device === "cpu" ? "cpu" : "cuda",
      deviceDescription: dev.description,
      onProgress: (split, done, total) => {
        if (flags.json) return;
        const now = performance.now();
        if (now - last < (tty ? 200 : 5000) && done < total) return;
        last = now;
        const line = `${split}: passage ${done}/${total}`;
        process.stderr.write(tty ? `\r\x1b[2K${line}${done === total ? "\n" : ""}` : `${line}\n`);
      },
    });
    const out = flags.out ? userPath(String(flags.out)) : defaultEvalPath(modelDir);
    const tmp = `${out}.tmp-${process.pid}`;
    writeFileSync(tmp, `${JSON.stringify(report, null, 2)}\n`);
    renameSync(tmp, out);
    if (flags.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else
      process.stdout.write(
        `${summary(report)}\nwrote ${out} (${report.wallSec.toFixed(1)} s on ${report.device})\n`,
      );
  });
}

if (isMain(import.meta.url)) await main(process.argv.slice(2));
