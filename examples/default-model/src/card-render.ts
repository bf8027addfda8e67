// The model card of models/sotu (README.md), rendered from train-log.json and eval.json: what the
// model is, what it was trained on and how, how well it predicts held-out text against a unigram
// baseline, samples, how to load it, and its limits. Every number comes from those two files.
import type { EvalReport } from "./evaluation.js";
import type { RunSettings, TrainLog } from "./train-log.js";

/** Extra facts the card states that neither log holds. */
export interface CardExtras {
  /** Size of model.safetensors in bytes. */
  weightBytes?: number;
  /** Passages and tokens of the held-out splits, by split (from the prepared index). */
  splitCounts?: Record<string, { passages: number; tokens: number; textBytes: number }>;
}

const fmt = (n: number) => n.toLocaleString("en-US");
const fix = (n: number, d: number) => n.toFixed(d);

function duration(sec: number): string {
  if (sec < 120) return `${sec.toFixed(0)} s`;
  if (sec < 7200) return `${(sec / 60).toFixed(1)} min`;
  return `${(sec / 3600).toFixed(2)} h`;
}

/** The train command's flags that reproduce `s` (defaults written out, so they can change safely). */
export function trainFlags(s: RunSettings): string {
  const a = s.architecture;
  const parts = [
    `--layers ${a.layers} --hidden ${a.hidden} --heads ${a.heads} --kv-heads ${a.kvHeads}`,
    `--intermediate ${a.intermediate} --max-positions ${a.maxPositions}`,
    `--seq ${s.seqLen} --batch ${s.batchSize} --grad-accum ${s.gradAccumSteps} --steps ${s.steps}`,
    `--lr ${s.lr} --min-lr ${s.minLr} --warmup ${s.warmupSteps} --weight-decay ${s.weightDecay}`,
    `--beta2 ${s.betas[1]} --max-grad-norm ${s.maxGradNorm} --seed ${s.seed} --init-seed ${s.initSeed}`,
    `--save-dtype ${s.saveDtype}${typeof s.maxPassages === "number" ? ` --max-passages ${s.maxPassages}` : ""}`,
  ];
  return parts.join(" \\\n    ");
}

function evalTable(ev: EvalReport): string[] {
  const rows = [
    "| split | passages | target tokens | perplexity | bits/byte | unigram perplexity | unigram bits/byte |",
    "| --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const s of ev.splits) {
    const u = s.unigram;
    rows.push(
      `| ${s.split} | ${fmt(s.passages)} | ${fmt(s.tokens)} | **${fix(s.ppl, 2)}** | ${fix(s.bitsPerByte, 3)} | ${u ? fix(u.ppl, 1) : "-"} | ${u ? fix(u.bitsPerByte, 3) : "-"} |`,
    );
  }
  return rows;
}

/**
 * The card's markdown.
 *
 * ```ts
 * writeFileSync("models/sotu/README.md", renderCard(readTrainLog(run)!, evalReport));
 * ```
 */
export function renderCard(log: TrainLog, ev: EvalReport, extras: CardExtras = {}): string {
  const s = log.settings;
  const a = s.architecture;
  const c = log.model.config;
  const headDim = a.hidden / a.heads;
  const params = log.model.parameters;
  const last = log.sessions.at(-1);
  const devices = [...new Set(log.sessions.map((x) => x.device))].join("; ");
  const valid = ev.splits.find((x) => x.split === "validation") ?? ev.splits[0];
  const counts = extras.splitCounts ?? {};
  const dataRows = ["train", "validation", "test"].map((name) => {
    const k = counts[name];
    if (name === "train")
      return `| train | ${fmt(log.data.passages)} | ${fmt(log.data.tokens)} | ${fmt(log.data.windows)} windows of ${s.seqLen} |`;
    return k
      ? `| ${name} | ${fmt(k.passages)} | ${fmt(k.tokens)} | held out |`
      : `| ${name} | | | held out |`;
  });
  const lines: string[] = [
    "---",
    "license: mit",
    "language: en",
    "library_name: transformers",
    "pipeline_tag: text-generation",
    "tags: [llama, small, state-of-the-union, x-toolkit]",
    "---",
    "",
    "# models/sotu: the toolkit's default model",
    "",
    `A small Llama (${fix(params / 1e6, 1)}M parameters) trained from scratch by this repository's own stack (\`@x/llm\`'s \`train()\` over \`@x/tensor\`) on the State of the Union addresses 1790–2021 of [\`@x/corpus\`](../../packages/corpus) (train split only), with the byte-level BPE tokenizer in this folder. It is here so that every command and example has a real model to run on; it writes text in the style of the addresses, not facts.`,
    "",
    valid
      ? `Held-out ${valid.split} perplexity **${fix(valid.ppl, 2)}** (${fix(valid.bitsPerByte, 3)} bits per byte) against **${fix(valid.unigram?.ppl ?? Number.NaN, 1)}** for a unigram model of the same tokenizer.`
      : "",
    "",
    "| file | made by | status |",
    "| --- | --- | --- |",
    "| `tokenizer.json`, `tokenizer_config.json` | `pnpm --filter @x/corpus run train-tokenizer` (byte-level BPE, 8,192 tokens, BOS `<\\|begin_of_text\\|>` = 0, EOS `<\\|end_of_text\\|>` = 1) | done, deterministic (`--check` verifies) |",
    `| \`config.json\`, \`model.safetensors\`, \`generation_config.json\` | \`examples/default-model\` (\`prepare-data\`, \`train\`), ${fmt(log.stepsDone)} steps | done (${s.saveDtype}${extras.weightBytes ? `, ${fix(extras.weightBytes / 1e6, 1)} MB` : ""}) |`,
    "| `README.md` (this card) | `examples/default-model` (`evaluate`, `card`) | generated from `train-log.json` and `eval.json` |",
    "",
    "## Model",
    "",
    "| | |",
    "| --- | --- |",
    "| architecture | `LlamaForCausalLM`: RMSNorm, RoPE, grouped-query attention, SwiGLU, tied input/output embeddings |",
    `| parameters | ${fmt(params)} |`,
    `| layers, hidden size | ${a.layers}, ${a.hidden} |`,
    `| attention | ${a.heads} query heads, ${a.kvHeads} key/value heads, head dim ${headDim} |`,
    `| MLP | SwiGLU, intermediate size ${a.intermediate} |`,
    `| vocabulary | ${fmt(a.vocabSize)} (BOS ${a.bos}, EOS ${a.eos}) |`,
    `| positions | RoPE θ ${fmt(a.ropeTheta)}; \`max_position_embeddings\` ${a.maxPositions}, trained on windows of ${s.seqLen} |`,
    `| weights | ${s.saveDtype} safetensors (trained in f32); RMSNorm ε ${String(c.rms_norm_eps ?? 1e-5)} |`,
    "",
    "## Data",
    "",
    `The State of the Union passages of \`@x/corpus\` (source \`${log.data.source}\`): addresses cleaned and cut into passages of at most about 200 words with stable ids; the split of a passage is a hash of its id (5% validation, 5% test). Each passage is encoded as BOS, its ids, EOS (\`prepare-data\`, tokenizer SHA-256 \`${log.data.tokenizerSha256.slice(0, 16)}…\`), and the train stream is packed into windows of ${s.seqLen} tokens that overlap by one, so every token after a BOS is a target once per epoch (${fmt(log.data.targetsPerEpoch)} targets).`,
    "",
    "| split | passages | tokens (BOS and EOS included) | use |",
    "| --- | --- | --- | --- |",
    ...dataRows,
    "",
    "## Training",
    "",
    "| | |",
    "| --- | --- |",
    `| steps | ${fmt(log.stepsDone)} of ${fmt(s.steps)} |`,
    `| batch | ${s.batchSize} × ${s.seqLen} tokens${s.gradAccumSteps > 1 ? ` × ${s.gradAccumSteps} accumulated` : ""} per step |`,
    `| tokens seen | ${fmt(log.tokensSeen)} (${fix(log.epochs, 2)} epochs) |`,
    `| optimizer | AdamW, β = (${s.betas[0]}, ${s.betas[1]}), weight decay ${s.weightDecay} on matrices, clip global norm ${s.maxGradNorm} |`,
    `| learning rate | linear warmup over ${s.warmupSteps} steps to ${s.lr}, cosine decay to ${s.minLr} |`,
    `| seeds | data order ${s.seed}, initialization ${s.initSeed} (N(0, 0.02²), residual projections / √(2·layers)) |`,
    `| loss | ${log.loss.first?.toFixed(3) ?? "-"} at step 1 → ${log.loss.meanLast50?.toFixed(3) ?? "-"} (mean of the last 50 steps) |`,
    `| device | ${devices} |`,
    `| wall time | ${duration(log.trainSec)} training in ${log.sessions.length} session(s)${last ? `, Node ${last.node}` : ""} |`,
    "",
    `Loss curve (mean per bucket of steps): ${log.loss.curve.map(([st, l]) => `${st}: ${l.toFixed(2)}`).join(", ")}. The full curve is \`metrics.csv\` of the run folder.`,
    ...(log.validation?.length
      ? [
          "",
          `Validation perplexity during training (${log.validation[0]!.passages} passages spread over the split, window ${s.seqLen}): ${log.validation.map((v) => `step ${v.step}: ${v.ppl.toFixed(1)}`).join(", ")}.`,
        ]
      : []),
    "",
    "How long: the run above took the wall time in the table. On 2 CPU cores (AVX-512, 2 threads) one step of 8 × 256 tokens takes about 4.1 s, so the default 3,935 steps take about 4.5 h there; on an H200 about 90 s (21 ms a step).",
    "",
    "Reproduce from scratch (CPU, or `--device cuda`; rerunning the train command resumes from its last checkpoint, `--time-limit-s` stops it cleanly in time). A CPU run repeats bit for bit; CUDA runs are not bit-reproducible (some reductions sum in varying order), so a rerun there lands close to, not exactly on, these numbers:",
    "",
    "```sh",
    "pnpm --filter @x/example-default-model prepare-data -- --out .carry/sotu-tokens",
    "pnpm --filter @x/example-default-model train -- --data .carry/sotu-tokens --out .carry/sotu-run \\",
    `    ${trainFlags(s)}`,
    "pnpm --filter @x/example-default-model evaluate -- --model .carry/sotu-run/final --data .carry/sotu-tokens",
    "pnpm --filter @x/example-default-model card -- --run .carry/sotu-run",
    "cp .carry/sotu-run/final/{config.json,generation_config.json,model.safetensors} models/sotu/",
    "```",
    "",
    `As run: \`${log.command}\`. On a machine with only \`node\`, \`node packages/tensor-cuda/scripts/bundle-llm.mjs\` builds \`sotu-train.mjs\` and \`sotu-eval.mjs\` that take the same flags.`,
    "",
    "## Evaluation",
    "",
    `${ev.method}. The unigram baseline is the token frequencies of the train split's targets with add-one smoothing over the ${fmt(ev.unigram.vocabSize)}-token vocabulary (${fmt(ev.unigram.targets)} tokens), scored on exactly the same targets. Bits per byte divide the total negative log-likelihood by the UTF-8 bytes of the passages' text.`,
    "",
    ...evalTable(ev),
    "",
    `Samples (temperature ${ev.samples.temperature}, top-p ${ev.samples.topP}, seed ${ev.samples.seed}, at most ${ev.samples.maxNewTokens} new tokens; the prompt in bold):`,
    "",
  ];
  for (const x of ev.samples.items)
    lines.push(`> **${x.prompt}**${x.completion.replace(/\s+/g, " ")}`, "");
  lines.push(
    "## Use",
    "",
    "```ts",
    'import { StreamDecoder, generate, loadModel, loadTokenizer } from "@x/llm";',
    "",
    'const model = await loadModel("models/sotu"); // f16 weights upcast to f32',
    'const tok = loadTokenizer("models/sotu");',
    "const sd = new StreamDecoder(tok, { skipSpecialTokens: true });",
    'for await (const s of generate(model, tok.encode("The state of the Union is"), { maxNewTokens: 60, temperature: 0.8, topP: 0.95, seed: 1 }))',
    "  process.stdout.write(sd.push(s.token));",
    "```",
    "",
    "```sh",
    'x-llm generate models/sotu -p "Fellow citizens of the Senate and House of Representatives" -n 60 --temperature 0.8 --top-p 0.95 --seed 1',
    "x-llm perplexity models/sotu --file some.txt --window 256 --stride 128",
    "```",
    "",
    "```python",
    "from transformers import AutoModelForCausalLM, AutoTokenizer",
    "",
    'tok = AutoTokenizer.from_pretrained("models/sotu")',
    'model = AutoModelForCausalLM.from_pretrained("models/sotu")',
    'ids = tok("Our nation", return_tensors="pt").input_ids  # BOS is prepended',
    "out = model.generate(ids, max_new_tokens=60, do_sample=True, temperature=0.8, top_p=0.95)",
    "print(tok.decode(out[0], skip_special_tokens=True))",
    "```",
    "",
    "## Limitations",
    "",
    `- Small and trained on about ${fix(log.data.tokens / 1e6, 1)}M tokens of one genre: it imitates the register of the addresses (19th-century diction dominates the corpus) and makes up names, numbers and events. It is not a source of facts, and the addresses' views are those of their time.`,
    `- Trained on windows of ${s.seqLen} tokens: quality beyond ${s.seqLen} positions of context is untested, although the config allows ${a.maxPositions}.`,
    "- English only; the tokenizer was fitted on State of the Union and Moby-Dick text, so other text costs more tokens.",
    "- No instruction tuning, chat template or safety tuning: a plain next-token model.",
    "- Passages of the validation and test splits come from the same addresses as training passages (the split is by passage, not by address), so held-out perplexity measures in-distribution generalization.",
    "",
  );
  return lines.join("\n");
}
