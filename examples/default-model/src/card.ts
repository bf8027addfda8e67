// `pnpm --filter @x/example-default-model card -- [flags]`: writes the model card (models/sotu/
// README.md by default) from a run's train-log.json and eval.json.
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderCard } from "./card-render.js";
import { type CommandSpec, isMain, runCommand } from "./cli-args.js";
import { EVAL_FORMAT, type EvalReport } from "./evaluation.js";
import { defaultDataDir, defaultModelDir, repoRoot, userPath } from "./paths.js";
import type { SplitIndex } from "./token-stream.js";
import { readTrainLog } from "./train-log.js";

const SPEC: CommandSpec = {
  name: "card",
  usage: "pnpm --filter @x/example-default-model card -- [flags]",
  description:
    "Writes the default model's card (a Hugging Face README.md) from a training run's train-log.json and eval.json: architecture, data, training, held-out perplexity against the unigram baseline, samples, usage, limitations.",
  flags: {
    run: {
      type: "string",
      help: "run folder holding train-log.json, eval.json and final/ (default <repo>/.carry/sotu-run)",
    },
    "train-log": { type: "string", help: "train-log.json (default <run>/train-log.json)" },
    eval: { type: "string", help: "eval.json (default <run>/eval.json)" },
    model: {
      type: "string",
      help: "model folder whose weights' size is stated (default <run>/final)",
    },
    data: {
      type: "string",
      help: "prepared token folder, for the held-out split counts (default <repo>/.carry/sotu-tokens)",
    },
    out: { type: "string", help: "card to write (default <repo>/models/sotu/README.md)" },
  },
  examples: [
    "pnpm --filter @x/example-default-model card -- --run /tmp/sotu-tiny --out /tmp/sotu-card.md",
  ],
};

/** The command. */
export async function main(argv: readonly string[]): Promise<void> {
  await runCommand(SPEC, argv, (flags) => {
    const run = flags.run ? userPath(String(flags.run)) : join(repoRoot(), ".carry", "sotu-run");
    const logPath = flags["train-log"]
      ? userPath(String(flags["train-log"]))
      : join(run, "train-log.json");
    const evalPath = flags.eval ? userPath(String(flags.eval)) : join(run, "eval.json");
    const modelDir = flags.model ? userPath(String(flags.model)) : join(run, "final");
    const dataDir = flags.data ? userPath(String(flags.data)) : defaultDataDir();
    const out = flags.out ? userPath(String(flags.out)) : join(defaultModelDir(), "README.md");
    const log = readTrainLog(logPath.replace(/\/train-log\.json$/, ""));
    if (!log) throw new Error(`${logPath} does not exist (train first)`);
    if (!existsSync(evalPath)) throw new Error(`${evalPath} does not exist (evaluate first)`);
    const ev = JSON.parse(readFileSync(evalPath, "utf8")) as EvalReport;
    if (ev.format !== EVAL_FORMAT)
      throw new Error(`${evalPath} has format ${String(ev.format)}, expected ${EVAL_FORMAT}`);
    const weights = join(modelDir, "model.safetensors");
    const splitCounts: Record<string, { passages: number; tokens: number; textBytes: number }> = {};
    for (const split of ["validation", "test"]) {
      const p = join(dataDir, `${split}.json`);
      if (!existsSync(p)) continue;
      const idx = JSON.parse(readFileSync(p, "utf8")) as SplitIndex;
      splitCounts[split] = { passages: idx.passages, tokens: idx.tokens, textBytes: idx.textBytes };
    }
    const text = renderCard(log, ev, {
      ...(existsSync(weights) ? { weightBytes: statSync(weights).size } : {}),
      splitCounts,
    });
    const tmp = `${out}.tmp-${process.pid}`;
    writeFileSync(tmp, text);
    renameSync(tmp, out);
    if (flags.json) process.stdout.write(`${JSON.stringify({ out, bytes: text.length })}\n`);
    else process.stdout.write(`wrote ${out}\n`);
  });
}

if (isMain(import.meta.url)) await main(process.argv.slice(2));
